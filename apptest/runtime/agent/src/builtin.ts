// The few hook targets that are mechanism rather than knowledge.
//
// * The class-load watcher: SDK classes live in the app's (or a plugin's) class loaders and
//   often load late; `loadClass(String, boolean)` is where an explicit load returns, on
//   ClassLoader itself and on every loaded subclass that overrides it (HotSpot's
//   BuiltinClassLoader, ART's BootClassLoader).
// * The permission-result callback: apps override it, so it is hooked wherever a loaded
//   Activity subclass declares it.
// * The pinning bypass (only when asked for): each entry says how the check is neutralised.
//   `trust` answers a trust-manager check as trusted (void -> return; a returned chain ->
//   the chain given); `proceed` tells WebView's SSL error handler to go on.

import { Target } from "./config.js";

function target(
  kind: Target["kind"],
  className: string,
  method: string,
  extra: Partial<Target> = {},
): Target {
  return {
    key: `${className}#${method}` + (extra.signature ? `(${extra.signature.join(",")})` : ""),
    kind,
    className,
    method,
    signature: null,
    api: `${className}.${method}`,
    entry: null,
    category: kind === "result" ? "permission" : kind,
    telemetry: false,
    group: `${kind}:${className}.${method}`,
    overrides: false,
    action: null,
    ...extra,
  };
}

export const LOADER_WATCH: Target = target("loader", "java.lang.ClassLoader", "loadClass", {
  signature: ["java.lang.String", "boolean"],
  overrides: true,
});

export const PERMISSION_RESULTS: Target[] = [
  target("result", "android.app.Activity", "onRequestPermissionsResult", {
    overrides: true,
    group: "permission:result",
  }),
];

interface BypassSpec {
  className: string;
  methods: string[];
  action: string;
  overrides?: boolean;
}

const BYPASS: BypassSpec[] = [
  { className: "okhttp3.CertificatePinner", methods: ["check", "check$okhttp"], action: "skip" },
  { className: "com.squareup.okhttp.CertificatePinner", methods: ["check"], action: "skip" },
  { className: "com.android.org.conscrypt.TrustManagerImpl", methods: ["verifyChain"], action: "return_arg0" },
  { className: "javax.net.ssl.X509TrustManager", methods: ["checkServerTrusted"], action: "trust", overrides: true },
  { className: "android.webkit.WebViewClient", methods: ["onReceivedSslError"], action: "proceed", overrides: true },
];

export function pinningTargets(): Target[] {
  const out: Target[] = [];
  for (const spec of BYPASS) {
    for (const method of spec.methods) {
      out.push(
        target("bypass", spec.className, method, {
          action: spec.action,
          overrides: spec.overrides === true,
          group: `bypass:${spec.className}.${method}`,
        }),
      );
    }
  }
  return out;
}
