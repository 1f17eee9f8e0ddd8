// The hook engine: find each target class wherever and whenever it loads, hook every
// overload it declares, and record each call once.
//
// Three ways a class is found, all ending in `processClass`:
//   * at start, by name through the default class loader;
//   * when a `loadClass(String, boolean)` returns it (synchronously, before the caller can
//     use it: the watcher is itself a target, hooked on ClassLoader and on every loaded
//     class loader that overrides the method);
//   * by a periodic sweep over the loaded classes (ART resolves most classes natively,
//     without calling loadClass).
// Interfaces, abstract methods and callbacks apps override (`overrides`) become *bases*:
// every loaded class assignable to a base has its own declaration of the method hooked.
// A class that never loads is not missing: its target stays `pending`, and only what is
// still pending at the end is reported as never seen.
//
// One call is one record: calls of the same group nested on one thread (getImei() calling
// getImei(int), ActivityCompat.requestPermissions ending in Activity.requestPermissions, a
// subclass override calling super) are sent with `nested_in`, so the Python side can keep
// them as raw evidence without counting them twice.

import Java from "frida-java-bridge";

import { AgentOptions, Target } from "./config.js";
import { emit, emitError, nextSeq } from "./emit.js";
import { javaStack, threadName } from "./stack.js";
import { summarize, summarizeArgs } from "./summary.js";
import { vmExiting } from "./vm.js";

type Status = "pending" | "hooked" | "waiting" | "absent" | "failed";

interface TargetState {
  target: Target;
  status: Status;
  classes: string[];
  error: string | null;
}

interface Base {
  key: string;
  className: string;
  ref: NativePointer;
  targets: Target[];
}

interface Site {
  holder: string;
  method: string;
  signature: string[];
  isStatic: boolean;
  targets: Target[];
}

interface Declared {
  params: string[];
  isAbstract: boolean;
  isStatic: boolean;
}

const ACC_STATIC = 0x0008;
const ACC_ABSTRACT = 0x0400;

function sameSignature(target: Target, params: string[]): boolean {
  return target.signature === null || target.signature.join(",") === params.join(",");
}

function describeException(error: unknown): Record<string, string> {
  const text = String((error as { message?: string })?.message ?? error);
  const cut = text.indexOf(": ");
  return cut > 0 ? { class: text.slice(0, cut), message: text.slice(cut + 2) } : { class: text, message: "" };
}

export class Engine {
  private readonly states = new Map<string, TargetState>();
  private readonly byClass = new Map<string, Target[]>();
  private readonly methodNames = new Set<string>();
  private readonly bases: Base[] = [];
  private basesAtLastSweep = 0;
  private readonly applied = new Map<string, Set<string>>();
  private readonly sites = new Map<string, Site>();
  private readonly factories = new Map<string, any>();
  private readonly active = new Map<number, Array<{ group: string; seq: number }>>();
  private readonly busy = new Set<number>();
  private readonly queued = new Map<number, any[]>();
  private readonly seen = new Set<string>();
  private classClass: any = null;
  private system: any = null;
  private arrays: any = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  started = false;

  constructor(private readonly options: AgentOptions) {}

  add(targets: Target[]): void {
    for (const target of targets) {
      if (this.states.has(target.key)) continue;
      this.states.set(target.key, { target, status: "pending", classes: [], error: null });
      const list = this.byClass.get(target.className) ?? [];
      list.push(target);
      this.byClass.set(target.className, list);
      this.methodNames.add(target.method);
    }
  }

  /** Inside Java.perform: hook what the default loader can see, then sweep the loaded classes. */
  start(): void {
    this.classClass = Java.use("java.lang.Class");
    this.system = Java.use("java.lang.System");
    for (const name of Array.from(this.byClass.keys())) {
      let cls: any = null;
      try {
        cls = Java.use(name).class;
      } catch (e) {
        continue; // not visible to the default loader (yet): the watcher and the sweep will see it
      }
      this.guarded("init", () => this.processClass(cls, "init"));
    }
    this.sweep("init");
    this.started = true;
  }

  schedule(perform: (fn: () => void) => void): void {
    if (this.timer !== null || this.options.sweepMs <= 0) return;
    this.timer = setInterval(() => perform(() => this.guarded("sweep", () => this.sweep("sweep"))), this.options.sweepMs);
  }

  status(phase: string): Record<string, any> {
    const targets = Array.from(this.states.values()).map((s) => ({
      key: s.target.key,
      api: s.target.api,
      kind: s.target.kind,
      entry: s.target.entry,
      status: s.status,
      classes: s.classes,
      error: s.error,
    }));
    return { phase, started: this.started, targets };
  }

  // --- finding classes ---------------------------------------------------------------

  private guarded(where: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      emitError(where, e);
    }
  }

  private sweep(via: string): void {
    if (vmExiting()) return;
    const env = Java.vm.getEnv();
    const recheck = this.bases.length !== this.basesAtLastSweep;
    this.basesAtLastSweep = this.bases.length;
    const fresh: Array<[string, NativePointer]> = [];
    Java.enumerateLoadedClasses({
      onMatch: (name: string, handle: NativePointer) => {
        if (name.startsWith("[")) return;
        const isNew = !this.seen.has(name);
        if (isNew) this.seen.add(name);
        if (isNew || recheck) fresh.push([name, env.newGlobalRef(handle)]);
      },
      onComplete: () => {},
    });
    for (const [name, ref] of fresh) {
      try {
        if (this.byClass.has(name) || this.assignableBases(ref, name).length > 0) {
          const cls = Java.cast(ref, this.classClass);
          this.guarded(via, () => this.processClass(cls, via));
        }
      } finally {
        env.deleteGlobalRef(ref);
      }
    }
  }

  /** Called by the loadClass watcher with the class it returned, on the loading thread. */
  onLoaded(cls: any, name: string): void {
    this.seen.add(name);
    if (!this.byClass.has(name) && this.assignableBases(cls.$h, name).length === 0) return;
    const tid = Process.getCurrentThreadId();
    if (this.busy.has(tid)) {
      // loaded while this thread is inspecting another class: after that one, same thread
      this.queued.get(tid)?.push(Java.retain(cls));
      return;
    }
    this.busy.add(tid);
    this.queued.set(tid, []);
    try {
      this.guarded("load", () => this.processClass(cls, "load"));
      const queue = this.queued.get(tid) ?? [];
      while (queue.length > 0) {
        const next = queue.shift();
        this.guarded("load", () => this.processClass(next, "load"));
      }
    } finally {
      this.busy.delete(tid);
      this.queued.delete(tid);
    }
  }

  private assignableBases(handle: NativePointer, name: string): Base[] {
    if (this.bases.length === 0) return [];
    const env = Java.vm.getEnv();
    return this.bases.filter((b) => b.className !== name && Boolean(env.isAssignableFrom(handle, b.ref)));
  }

  private loaderKey(loader: any): string {
    return loader === null ? "boot" : String(this.system.identityHashCode(loader));
  }

  /**
   * The class factory of a loader. Array types go to the default factory: a loader-bound
   * factory resolves names through `loadClass`, which never returns array classes on
   * HotSpot, so converting a `String[]` argument would throw into the app.
   */
  private factory(loader: any, key: string): any {
    if (loader === null) return Java.classFactory;
    let factory = this.factories.get(key);
    if (factory === undefined) {
      factory = Java.ClassFactory.get(Java.retain(loader));
      const own = factory.use.bind(factory);
      factory.use = (name: string, options?: any): any =>
        name.startsWith("[") ? (Java.classFactory as any).use(name, options) : own(name, options);
      this.factories.set(key, factory);
    }
    return factory;
  }

  private declared(cls: any): Map<string, Declared[]> {
    const out = new Map<string, Declared[]>();
    const methods = cls.getDeclaredMethods(); // also links the class, which hooking needs
    for (let i = 0; i < methods.length; i++) {
      const m = methods[i];
      const name = String(m.getName());
      if (!this.methodNames.has(name) || m.isBridge()) continue;
      const modifiers: number = m.getModifiers();
      const types = m.getParameterTypes();
      const params: string[] = [];
      for (let j = 0; j < types.length; j++) params.push(String(types[j].getName()));
      const list = out.get(name) ?? [];
      list.push({ params, isAbstract: (modifiers & ACC_ABSTRACT) !== 0, isStatic: (modifiers & ACC_STATIC) !== 0 });
      out.set(name, list);
    }
    return out;
  }

  private hasPublicMethod(cls: any, method: string): boolean {
    const methods = cls.getMethods();
    for (let i = 0; i < methods.length; i++) if (String(methods[i].getName()) === method) return true;
    return false;
  }

  private processClass(cls: any, via: string): void {
    const name = String(cls.getName());
    const loader = cls.getClassLoader();
    const lkey = this.loaderKey(loader);
    const ckey = `${name}@${lkey}`;
    const done = this.applied.get(ckey) ?? new Set<string>();
    const direct = done.has("direct") ? [] : this.byClass.get(name) ?? [];
    const inherited = this.assignableBases(cls.$h, name).filter((b) => !done.has(b.key));
    if (direct.length === 0 && inherited.length === 0) return;
    this.applied.set(ckey, done);

    const declared = this.declared(cls);
    let wrapper: any = null;
    const use = (): any => (wrapper ??= this.factory(loader, lkey).use(name));

    if (direct.length > 0) {
      done.add("direct");
      const isInterface: boolean = cls.isInterface();
      for (const target of direct) {
        const matching = (declared.get(target.method) ?? []).filter((d) => sameSignature(target, d.params));
        const concrete = matching.filter((d) => !d.isAbstract);
        for (const d of concrete) this.hook(use, name, lkey, d, target, via);
        if (target.overrides || isInterface || concrete.length < matching.length || matching.length === 0) {
          this.addBase(`${ckey}#${target.key}`, name, cls.$h, target);
        }
        const state = this.states.get(target.key);
        if (state !== undefined && state.status === "pending") {
          state.status = matching.length === 0 && !this.hasPublicMethod(cls, target.method) ? "absent" : "waiting";
        }
      }
    }
    for (const base of inherited) {
      done.add(base.key);
      for (const target of base.targets) {
        for (const d of declared.get(target.method) ?? []) {
          if (!d.isAbstract && sameSignature(target, d.params)) this.hook(use, name, lkey, d, target, via);
        }
      }
    }
  }

  private addBase(key: string, className: string, handle: NativePointer, target: Target): void {
    const existing = this.bases.find((b) => b.className === className);
    if (existing !== undefined) {
      if (!existing.targets.includes(target)) existing.targets.push(target);
      return;
    }
    const ref = Java.vm.getEnv().newGlobalRef(handle);
    this.bases.push({ key, className, ref, targets: [target] });
  }

  // --- hooking ------------------------------------------------------------------------

  private hook(use: () => any, holder: string, lkey: string, d: Declared, target: Target, via: string): void {
    const skey = `${holder}@${lkey}#${target.method}(${d.params.join(",")})`;
    const state = this.states.get(target.key);
    const existing = this.sites.get(skey);
    if (existing !== undefined) {
      if (!existing.targets.includes(target)) existing.targets.push(target);
      this.markHooked(state, holder);
      return;
    }
    try {
      const overload = use()[target.method].overload(...d.params);
      const site: Site = { holder, method: target.method, signature: d.params, isStatic: d.isStatic, targets: [target] };
      this.sites.set(skey, site);
      overload.implementation = this.handler(target.kind, overload, site);
      this.markHooked(state, holder);
      emit("hooked", { target: target.key, api: target.api, kind: target.kind, class: holder, signature: d.params, via });
    } catch (e) {
      if (state !== undefined && state.status !== "hooked") {
        state.status = "failed";
        state.error = String((e as Error)?.message ?? e);
      }
      emitError(`hook ${holder}.${target.method}(${d.params.join(",")})`, e);
    }
  }

  private markHooked(state: TargetState | undefined, holder: string): void {
    if (state === undefined) return;
    state.status = "hooked";
    state.error = null;
    if (!state.classes.includes(holder)) state.classes.push(holder);
  }

  private handler(kind: Target["kind"], overload: any, site: Site): (...args: any[]) => any {
    if (kind === "loader") return this.loaderHandler(overload);
    if (kind === "bypass") return this.bypassHandler(overload, site);
    return this.callHandler(overload, site);
  }

  private primary(site: Site): Target {
    return site.targets.find((t) => t.className === site.holder) ?? site.targets[0];
  }

  private loaderHandler(overload: any): (...args: any[]) => any {
    const engine = this;
    return function (this: any, name: string, resolve: boolean): any {
      const cls = overload.call(this, name, resolve);
      if (cls !== null) {
        try {
          engine.onLoaded(cls, String(name));
        } catch (e) {
          emitError("loadClass", e);
        }
      }
      return cls;
    };
  }

  private callHandler(overload: any, site: Site): (...args: any[]) => any {
    const engine = this;
    const options = this.options;
    const returnType: string = overload.returnType.className;
    const argTypes: string[] = overload.argumentTypes.map((t: any) => String(t.className));
    return function (this: any, ...args: any[]): any {
      const target = engine.primary(site);
      const tid = Process.getCurrentThreadId();
      let frames = engine.active.get(tid);
      if (frames === undefined) {
        frames = [];
        engine.active.set(tid, frames);
      }
      const parent = frames.find((f) => f.group === target.group);
      const seq = nextSeq();
      const event: Record<string, any> = {
        seq,
        ts_ms: Date.now(),
        kind: target.kind,
        api: target.api,
        entry: target.entry,
        category: target.category,
        telemetry: target.telemetry,
        class: site.holder,
        method: site.method,
        signature: argTypes,
        tid,
      };
      if (parent !== undefined) event.nested_in = parent.seq;
      try {
        event.thread = threadName();
        event.args = summarizeArgs(args, argTypes, options);
        if (target.category === "network_send" && !site.isStatic) event.self = summarize(this, null, options);
        event.stack = javaStack(site.holder, site.method, target.telemetry ? options.telemetryStackDepth : options.stackDepth);
      } catch (e) {
        event.agent_error = String((e as Error)?.message ?? e);
      }
      frames.push({ group: target.group, seq });
      let result: any;
      let failure: unknown = null;
      try {
        result = overload.apply(this, args);
      } catch (e) {
        failure = e;
      } finally {
        frames.pop();
        if (frames.length === 0) engine.active.delete(tid);
      }
      if (failure !== null) {
        event.outcome = "exception";
        event.exception = describeException(failure);
      } else if (returnType === "void") {
        event.outcome = "void";
      } else if (result === null || result === undefined) {
        event.outcome = "null";
      } else {
        event.outcome = "value";
        try {
          event.ret = summarize(result, returnType, options);
        } catch (e) {
          event.ret = { $class: returnType, $error: String(e) };
        }
      }
      emit("call", event);
      if (failure !== null) throw failure;
      return result;
    };
  }

  /** The bypass actions profiles/runtime_hooks.yaml names (its schema allows no other). */
  private bypassHandler(overload: any, site: Site): (...args: any[]) => any {
    const engine = this;
    const returnType: string = overload.returnType.className;
    const argTypes: string[] = overload.argumentTypes.map((t: any) => String(t.className));
    return function (this: any, ...args: any[]): any {
      const target = engine.primary(site);
      const first = argTypes[0] === "java.lang.String" ? args[0] : null;
      emit("bypass", { api: target.api, class: site.holder, method: site.method, action: target.action, subject: first });
      switch (target.action) {
        case "return_arg0":
          return args[0];
        case "proceed":
          try {
            args[1].proceed();
          } catch (e) {
            emitError("bypass proceed", e);
          }
          return undefined;
        case "trust":
          if (returnType === "void") return undefined;
          if (engine.arrays === null) engine.arrays = Java.use("java.util.Arrays");
          return engine.arrays.asList.overload("[Ljava.lang.Object;").call(engine.arrays, args[0]);
        default:
          if (returnType === "void") return undefined;
          if (returnType === "boolean") return true;
          return overload.apply(this, args);
      }
    };
  }
}
