// What the Python side posts at load (apptest/runtime/config.py builds it from
// profiles/taxonomy.yaml), and the hook targets the agent derives from it.
//
// The agent knows no API by name except the few mechanisms that are not data: the class-load
// watcher, the permission-result callback and the pinning bypass (builtin.ts). Everything a
// lab may want to add (another SDK's OAID getter, a new location API) arrives here.

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

export interface AgentConfig {
  apis: ApiSpec[];
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
