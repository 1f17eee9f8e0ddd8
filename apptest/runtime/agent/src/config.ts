// What the Python side posts at load (apptest/runtime/config.py builds it from
// profiles/taxonomy.yaml and profiles/runtime_hooks.yaml), and the hook targets the agent
// derives from it.
//
// The agent knows no class by name except the one mechanism that is not data: the class-load
// watcher (builtin.ts). Everything a lab may want to add (another SDK's OAID getter, a new
// location API, an app framework's permission callback, another pinning library) arrives here.

export interface ApiSpec {
  id: number; // index in the posted list; events carry it back
  class: string;
  method: string;
  category: string;
  telemetry: boolean;
  group: string; // calls of one group nested on one thread are one call (overloads, ActivityCompat -> Activity)
}

export interface AgentOptions {
  bypassPinning: boolean;
  nativeTls: boolean;
  stackDepth: number;
  telemetryStackDepth: number;
  maxString: number;
  maxItems: number;
  sweepMs: number;
  tlsMaxBytes: number;
}

// A runtime_hooks.yaml target, one per method: a permission-result callback, or a check the
// pinning bypass neutralises.
export interface HookSpec {
  class: string;
  method: string;
  signature: string[] | null; // only this overload; null = every overload
  overrides: boolean;
  action: string | null; // pinning bypass only
}

export interface AgentConfig {
  apis: ApiSpec[];
  permissionResults: HookSpec[];
  bypass: HookSpec[]; // hooked only when options.bypassPinning
  options: AgentOptions;
}

export type TargetKind = "api" | "result" | "bypass" | "loader";

export interface Target {
  key: string; // "class#method" (+ signature for the loader watcher)
  kind: TargetKind;
  className: string;
  method: string;
  signature: string[] | null; // only this overload; null = every overload
  api: string; // "class.method" as the data names it
  entry: number | null; // ApiSpec.id
  category: string;
  telemetry: boolean;
  group: string;
  overrides: boolean; // also hook the method where loaded subclasses override it
  action: string | null; // bypass: skip | return_arg0 | trust | proceed
}

export const DEFAULT_OPTIONS: AgentOptions = {
  bypassPinning: false,
  nativeTls: false,
  stackDepth: 48,
  telemetryStackDepth: 8,
  maxString: 4096,
  maxItems: 64,
  sweepMs: 1500,
  tlsMaxBytes: 16384,
};

export function targetFromApi(spec: ApiSpec): Target {
  return {
    key: `${spec.class}#${spec.method}`,
    kind: "api",
    className: spec.class,
    method: spec.method,
    signature: null,
    api: `${spec.class}.${spec.method}`,
    entry: spec.id,
    category: spec.category,
    telemetry: spec.telemetry,
    group: spec.group,
    overrides: false,
    action: null,
  };
}

export const PERMISSION_RESULT_GROUP = "permission:result";

/**
 * A non-API target: the class-load watcher, a permission-result callback, a bypass. Every
 * permission-result callback is one group, so an app's override calling super is one call.
 */
export function targetFromHook(kind: Exclude<TargetKind, "api">, spec: HookSpec): Target {
  const signature = spec.signature ?? null;
  return {
    key: `${spec.class}#${spec.method}` + (signature !== null ? `(${signature.join(",")})` : ""),
    kind,
    className: spec.class,
    method: spec.method,
    signature,
    api: `${spec.class}.${spec.method}`,
    entry: null,
    category: kind === "result" ? "permission" : kind,
    telemetry: false,
    group: kind === "result" ? PERMISSION_RESULT_GROUP : `${kind}:${spec.class}.${spec.method}`,
    overrides: spec.overrides === true,
    action: kind === "bypass" ? spec.action ?? null : null,
  };
}
