// The Java stack of a hooked call: who called, innermost first, as Java prints it.
//
// The hooked method itself shows up on top (frida's replacement runs as its native
// implementation): those frames are dropped, so the first frame is the real caller.
// Attribution happens on the Python side (apptest/attribution.py), from these strings.

import Java from "frida-java-bridge";

let throwable: any = null;
let stringWriter: any = null;
let printWriter: any = null;
let thread: any = null;

function frameHead(frame: string): string {
  const head = frame.split("(", 1)[0];
  return head.slice(head.lastIndexOf("/") + 1);
}

/**
 * Printed through printStackTrace rather than read as a StackTraceElement[]: three Java
 * objects per call instead of one per frame, which matters for a hook that fires often
 * (every Java object the agent touches is a reference frida must later release).
 */
export function javaStack(hookedClass: string, method: string, depth: number): string[] {
  if (throwable === null) {
    throwable = Java.use("java.lang.Throwable");
    stringWriter = Java.use("java.io.StringWriter");
    printWriter = Java.use("java.io.PrintWriter");
  }
  const text = stringWriter.$new();
  const out = printWriter.$new(text);
  throwable.$new().printStackTrace(out);
  out.flush();
  const frames: string[] = [];
  for (const line of String(text.toString()).split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("at ")) frames.push(trimmed.slice(3));
  }
  const self = `${hookedClass}.${method}`;
  let skip = 0;
  while (skip < frames.length && frameHead(frames[skip]) === self) skip++;
  return frames.slice(skip, skip + depth);
}

export function threadName(): string | null {
  try {
    if (thread === null) thread = Java.use("java.lang.Thread");
    return String(thread.currentThread().getName());
  } catch (e) {
    return null;
  }
}
