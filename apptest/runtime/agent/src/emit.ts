// Every message the agent sends carries its type, a per-process sequence number, the
// device clock (epoch ms; the Python side corrects it by the measured offset) and the pid.

let seq = 0;

export function nextSeq(): number {
  seq += 1;
  return seq;
}

export function emit(type: string, body: Record<string, any>, data?: ArrayBuffer | null): number {
  const n = body.seq ?? nextSeq();
  send({ type, seq: n, ts_ms: body.ts_ms ?? Date.now(), pid: Process.id, ...body }, data ?? null);
  return n;
}

export function emitError(where: string, error: unknown): void {
  const e = error as { message?: string; stack?: string };
  emit("agent-error", { where, error: String(e?.message ?? error), stack: e?.stack ?? null });
}
