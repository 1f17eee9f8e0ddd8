// apptest's runtime agent. The Python side (apptest/runtime/session.py) loads this bundle,
// measures the clock through `now`, posts the API list, the permission-result callbacks and
// the pinning-bypass targets through `init` *before* the process is resumed, and reads
// `status` at the end. Everything else arrives as messages:
// call | hooked | bypass | tls | tls-hooked | status | agent-error.

import { LOADER_WATCH } from "./builtin.js";
import { AgentConfig, DEFAULT_OPTIONS, targetFromApi, targetFromHook } from "./config.js";
import { emit, emitError } from "./emit.js";
import { Engine } from "./engine.js";
import { hookTls } from "./tls.js";
import { guardVmExit, perform, whenJavaReady } from "./vm.js";

let engine: Engine | null = null;
let java = "absent";

function describe(): Record<string, any> {
  return {
    pid: Process.id,
    frida: Frida.version,
    runtime: Script.runtime,
    platform: Process.platform,
    arch: Process.arch,
    java,
  };
}

function init(config: AgentConfig): Record<string, any> {
  if (engine !== null) return describe();
  const options = { ...DEFAULT_OPTIONS, ...(config.options ?? {}) };
  const current = new Engine(options);
  engine = current;
  const results = (config.permissionResults ?? []).map((spec) => targetFromHook("result", spec));
  const bypass = options.bypassPinning ? (config.bypass ?? []).map((spec) => targetFromHook("bypass", spec)) : [];
  current.add([LOADER_WATCH, ...results, ...bypass]);
  current.add((config.apis ?? []).map(targetFromApi));
  if (options.nativeTls) {
    try {
      hookTls(options.tlsMaxBytes);
    } catch (e) {
      emitError("tls", e);
    }
  }
  java = whenJavaReady(
    () =>
      perform(() => {
        try {
          guardVmExit();
          current.start();
        } catch (e) {
          emitError("start", e);
        }
        java = "ready";
        emit("status", current.status("started"));
        current.schedule(perform);
      }),
    (e) => emitError("vm", e),
  );
  return describe();
}

rpc.exports = {
  init,
  now(): number {
    return Date.now();
  },
  status(): Record<string, any> | null {
    return engine === null ? null : { ...engine.status("final"), java };
  },
};
