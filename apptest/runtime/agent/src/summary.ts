// Values as evidence: arguments and return values summarised, never lost.
//
// Strings are kept whole up to `maxString` (identifier values, URIs and URLs are short), so
// the Python side can learn returned identifiers and classify content URIs. Objects keep
// their class and toString() (a Location's coordinates, a Request's URL); byte arrays keep
// their hex (a MAC address). Nothing here may throw into the app: a value that cannot be
// read becomes {"$class": ..., "$error": ...}.

import Java from "frida-java-bridge";

export interface Limits {
  maxString: number;
  maxItems: number;
}

let collectionClass: any = null;

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max) + `…(+${text.length - max})`;
}

function hex(bytes: ArrayLike<number>, max: number): string {
  const out: string[] = [];
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) out.push(((bytes[i] as number) & 0xff).toString(16).padStart(2, "0"));
  return out.join("");
}

function elementType(arrayType: string): string | null {
  if (!arrayType.startsWith("[")) return null;
  const rest = arrayType.slice(1);
  if (rest.startsWith("L") && rest.endsWith(";")) return rest.slice(1, -1);
  const primitives: Record<string, string> = {
    Z: "boolean", B: "byte", C: "char", S: "short", I: "int", J: "long", F: "float", D: "double",
  };
  return primitives[rest] ?? rest;
}

function isCollection(value: any): boolean {
  try {
    if (collectionClass === null) collectionClass = Java.use("java.util.Collection");
    return collectionClass.class.isInstance(value);
  } catch (e) {
    return false;
  }
}

export function summarize(value: any, type: string | null, limits: Limits, depth = 0): any {
  if (value === null || value === undefined) return null;
  const kind = typeof value;
  if (kind === "string") return clip(value as string, limits.maxString);
  if (kind === "number" || kind === "boolean") return value;
  if (value instanceof Int64 || value instanceof UInt64) return value.toString();
  const declared = type ?? "";
  if (declared === "[B" || declared === "[byte") {
    const bytes = value as ArrayLike<number>;
    return { $class: "[B", $len: bytes.length, $hex: hex(bytes, 512) };
  }
  if (declared.startsWith("[") || (Array.isArray(value) && (value as any).$className === undefined)) {
    const items = value as ArrayLike<any>;
    const inner = elementType(declared);
    const out: any[] = [];
    const n = Math.min(items.length, limits.maxItems);
    for (let i = 0; i < n; i++) out.push(depth > 2 ? null : summarize(items[i], inner, limits, depth + 1));
    if (items.length > n) out.push(`…(+${items.length - n})`);
    return out;
  }
  const className: string = value.$className ?? "object";
  if (className === "java.lang.String") return clip(String(value.toString()), limits.maxString);
  const out: Record<string, any> = { $class: className };
  try {
    out.$str = clip(String(value.toString()), limits.maxString);
  } catch (e) {
    out.$error = String(e);
  }
  if (isCollection(value)) {
    try {
      out.$size = Java.cast(value, collectionClass).size();
    } catch (e) {
      // size() of a broken collection: the string form is evidence enough
    }
  }
  return out;
}

export function summarizeArgs(args: any[], types: string[], limits: Limits): any[] {
  return args.map((arg, i) => {
    try {
      return summarize(arg, types[i] ?? null, limits);
    } catch (e) {
      return { $class: types[i] ?? "?", $error: String(e) };
    }
  });
}
