/**
 * One shared protobufjs `Root` holding our `.proto` files and the Envoy, xds and Google protos
 * they import, loaded lazily: asking for a type loads the files of its package folder and their
 * imports (transitively), nothing else.
 *
 * @module
 */
import protobuf from "protobufjs";
import { includeRoots } from "./_include.ts";
import { Loader } from "./_loader.ts";

/** The prefix of every type URL we produce. */
export const TYPE_URL_PREFIX = "type.googleapis.com/";

/** A message type, or the reason it could not be found. */
export type TypeLookup =
  | { readonly ok: true; readonly type: protobuf.Type }
  | { readonly ok: false; readonly reason: string };

let loader: Loader | undefined;
let loaderError: string | undefined;

function getLoader(): Loader | string {
  if (loader) return loader;
  if (loaderError) return loaderError;
  const roots = includeRoots();
  if (!roots.ok) return (loaderError = roots.reason);
  try {
    loader = new Loader(roots.roots);
    return loader;
  } catch (e) {
    return (loaderError = `Cannot load the bundled protos: ${errorText(e)}`);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function find(root: protobuf.Root, name: string): protobuf.ReflectionObject | null {
  try {
    return root.lookup(`.${name}`);
  } catch {
    return null;
  }
}

/** The type URL of a message: `type.googleapis.com/<full name>`. */
export function typeUrl(name: string): string {
  return TYPE_URL_PREFIX + typeNameOf(name);
}

/**
 * The full message name in a type URL or name: the part after the last `/`, without a
 * leading dot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { typeNameOf } from "./registry.ts";
 * assert.equal(
 *   typeNameOf("type.googleapis.com/envoy.config.cluster.v3.Cluster"),
 *   "envoy.config.cluster.v3.Cluster",
 * );
 * ```
 */
export function typeNameOf(typeUrlOrName: string): string {
  return typeUrlOrName.slice(typeUrlOrName.lastIndexOf("/") + 1).replace(/^\./, "");
}

/** Finds (loading its package on first use) a message or enum by full name; never throws. */
export function lookupReflection(
  typeUrlOrName: string,
): { ok: true; found: protobuf.Type | protobuf.Enum } | { ok: false; reason: string } {
  const name = typeNameOf(typeUrlOrName);
  const l = getLoader();
  if (typeof l === "string") return { ok: false, reason: l };
  const parts = name.split(".");
  const errors: string[] = [];
  for (let i = parts.length; i >= 1; i--) {
    if (i < parts.length) {
      const load = l.loadPackage(parts.slice(0, i).join("."));
      if (load.error) errors.push(load.error);
      if (!load.loaded) continue;
    }
    const found = find(l.root, name);
    if (found instanceof protobuf.Type || found instanceof protobuf.Enum) {
      return { ok: true, found };
    }
  }
  const detail = errors.length > 0 ? `: ${errors.join("; ")}` : "";
  return { ok: false, reason: `Unknown message type "${name}"${detail}` };
}

/** Resolves a message type by type URL or full name, with a reason when it is unknown. */
export function resolveType(typeUrlOrName: string): TypeLookup {
  const r = lookupReflection(typeUrlOrName);
  if (!r.ok) return r;
  if (r.found instanceof protobuf.Type) return { ok: true, type: r.found };
  return { ok: false, reason: `Cannot use enum "${typeNameOf(typeUrlOrName)}" as a message type` };
}

/**
 * The protobufjs message type for a type URL or full name (field names as in the `.proto`
 * files, snake_case), or `undefined` when no loaded or loadable file defines it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lookupType } from "./registry.ts";
 * const t = lookupType("aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy");
 * assert.equal(t?.fields.protocol.id, 12);
 * assert.equal(lookupType("no.such.Type"), undefined);
 * ```
 */
export function lookupType(typeUrlOrName: string): protobuf.Type | undefined {
  const r = resolveType(typeUrlOrName);
  return r.ok ? r.type : undefined;
}
