// The one hook target that is mechanism rather than knowledge: the class-load watcher.
//
// SDK classes live in the app's (or a plugin's) class loaders and often load late;
// `loadClass(String, boolean)` is where an explicit load returns, on ClassLoader itself and on
// every loaded subclass that overrides it (HotSpot's BuiltinClassLoader, ART's
// BootClassLoader). The engine needs it to find every other target, so it cannot be data.
//
// The permission-result callbacks and the pinning-bypass targets are data
// (profiles/runtime_hooks.yaml), posted at init; what each bypass action does is engine.ts.

import { Target, targetFromHook } from "./config.js";

export const LOADER_WATCH: Target = targetFromHook("loader", {
  class: "java.lang.ClassLoader",
  method: "loadClass",
  signature: ["java.lang.String", "boolean"],
  overrides: true,
  action: null,
});
