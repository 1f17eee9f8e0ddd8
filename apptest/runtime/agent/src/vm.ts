// When may the agent use Java, and from which thread.
//
// An Android app process has its runtime before the agent arrives (frida's Java.perform
// then waits for the app's class loader, i.e. before Application.onCreate). A process
// caught by child gating at exec (a JVM started by another) has no VM yet: the agent waits
// for the VM library to load and for JNI_CreateJavaVM to return, and puts its hooks in
// right there, on the launching thread, before the program's main code runs.
//
// Every thread frida attaches to the VM is attached as a *daemon*: frida never detaches
// its own JS thread, and a non-daemon thread keeps a JVM from ever exiting (DestroyJavaVM
// waits for it).

import Java from "frida-java-bridge";

const VM_LIBRARY = /^lib(jvm|art)\.so$|^libjvm\.(dylib|dll)$|^jvm\.dll$/;

export function javaReady(): boolean {
  try {
    return Java.available;
  } catch (e) {
    return false;
  }
}

export function whenJavaReady(fn: () => void, onError: (e: unknown) => void): "ready" | "waiting" {
  if (javaReady()) {
    fn();
    return "ready";
  }
  let armed = false;
  const arm = (module: Module): void => {
    if (armed || !VM_LIBRARY.test(module.name)) return;
    const create = module.findExportByName("JNI_CreateJavaVM");
    if (create === null) return;
    armed = true;
    Interceptor.attach(create, {
      onLeave(retval) {
        if (retval.toInt32() !== 0 || !javaReady()) return;
        try {
          fn(); // on the launching thread, attached by the VM it just created
        } catch (e) {
          onError(e);
        }
      },
    });
  };
  Process.enumerateModules().forEach(arm);
  Process.attachModuleObserver({ onAdded: arm });
  return "waiting";
}

let daemonized = false;

/**
 * Every thread frida attaches to the VM becomes a daemon. frida attaches threads on demand
 * (its own JS thread, which it never detaches, included): with AttachCurrentThreadAsDaemon
 * done first, its own AttachCurrentThread finds the thread attached and keeps it a daemon.
 */
function daemonizeAttaches(): void {
  if (daemonized) return;
  daemonized = true;
  const vm = Java.vm as unknown as { handle: NativePointer; attachCurrentThread: () => unknown };
  const table = vm.handle.readPointer();
  const attachDaemon = new NativeFunction(table.add(7 * Process.pointerSize).readPointer(), "int", [
    "pointer",
    "pointer",
    "pointer",
  ]);
  const attach = vm.attachCurrentThread.bind(vm);
  vm.attachCurrentThread = function (): unknown {
    attachDaemon(vm.handle, Memory.alloc(Process.pointerSize), NULL);
    return attach();
  };
}

/** Java work from any thread (the agent's own, or one the VM attached). */
export function perform(fn: () => void): void {
  daemonizeAttaches();
  Java.perform(fn);
}

let exiting = false;

export function vmExiting(): boolean {
  return exiting;
}

/**
 * A VM that is shutting down parks every thread that enters it at its final safepoint,
 * forever. frida releases Java references from its own thread (when wrappers are
 * collected); one release at the wrong moment and the process never exits, frida's exit
 * handling waiting on a thread the VM has parked. So once the VM starts to go (its
 * DestroyJavaVM entry, Runtime.exit or Runtime.halt), reference releases are skipped (the
 * process is ending: nothing leaks) and the agent stops its own Java work.
 */
export function guardVmExit(): void {
  const vm = Java.vm as unknown as { handle: NativePointer; getEnv: () => any };
  const destroy = vm.handle.readPointer().add(3 * Process.pointerSize).readPointer();
  Interceptor.attach(destroy, {
    onEnter() {
      exiting = true;
      Thread.sleep(0.05); // a release already under way finishes while the VM still runs
    },
  });
  const envPrototype = Object.getPrototypeOf(vm.getEnv());
  for (const name of ["deleteGlobalRef", "deleteLocalRef"]) {
    const release = envPrototype[name];
    envPrototype[name] = function (this: unknown, ...args: unknown[]): unknown {
      return exiting ? undefined : release.apply(this, args);
    };
  }
  const runtime = Java.use("java.lang.Runtime");
  for (const method of ["exit", "halt"]) {
    const overload = runtime[method].overload("int");
    overload.implementation = function (this: unknown, status: number): void {
      exiting = true;
      overload.call(this, status);
    };
  }
}
