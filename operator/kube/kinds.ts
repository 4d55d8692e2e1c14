/**
 * The kinds the operator reads and writes, with what is needed to build their URLs without
 * a discovery round trip: group, version, plural and scope.
 *
 * @module
 */

/** A served kind: group (empty for the core group), version, kind, plural and scope. */
export interface KubeKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** A Kubernetes object as JSON: apiVersion, kind, metadata and the rest of its fields. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubeObjectMeta;
  readonly [field: string]: unknown;
}

/** What a write needs: apiVersion, kind, name and namespace (any other fields are sent). */
export interface KubeObjectInput {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
  readonly status?: unknown;
  readonly data?: unknown;
}

/** The metadata fields the operator reads. */
export interface KubeObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** Names one object: its namespace (absent for cluster-scoped kinds) and name. */
export interface ObjectRef {
  readonly namespace?: string;
  readonly name: string;
}

/**
 * The `apiVersion` of a kind: `group/version`, or the bare version for the core group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { apiVersionOf, SERVICE_ENTRY, SERVICE } from "./kinds.ts";
 * assert.equal(apiVersionOf(SERVICE_ENTRY), "networking.istio.io/v1alpha3");
 * assert.equal(apiVersionOf(SERVICE), "v1");
 * ```
 */
export function apiVersionOf(kind: KubeKind): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}

/**
 * The URL path of a kind's collection (all namespaces when `namespace` is absent), or of one
 * object when `name` is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kindPath, META_ROUTER } from "./kinds.ts";
 * assert.equal(
 *   kindPath(META_ROUTER, { namespace: "default", name: "a" }),
 *   "/apis/metaprotocol.aeraki.io/v1alpha1/namespaces/default/metarouters/a",
 * );
 * ```
 */
export function kindPath(kind: KubeKind, ref: Partial<ObjectRef> = {}): string {
  const root = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const ns = kind.namespaced && ref.namespace
    ? `/namespaces/${encodeURIComponent(ref.namespace)}`
    : "";
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
  return `${root}${ns}/${kind.plural}${name}`;
}

/** `namespace/name`, or `name` for a cluster-scoped object: how objects are named in messages. */
export function refText(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

function aeraki(group: string, kind: string, plural: string, namespaced = true): KubeKind {
  return { group, version: "v1alpha1", kind, plural, namespaced };
}

function istio(kind: string, plural: string): KubeKind {
  return { group: "networking.istio.io", version: "v1alpha3", kind, plural, namespaced: true };
}

/** `metaprotocol.aeraki.io/v1alpha1` ApplicationProtocol (cluster-scoped). */
export const APPLICATION_PROTOCOL: KubeKind = aeraki(
  "metaprotocol.aeraki.io",
  "ApplicationProtocol",
  "applicationprotocols",
  false,
);
/** `metaprotocol.aeraki.io/v1alpha1` MetaRouter. */
export const META_ROUTER: KubeKind = aeraki("metaprotocol.aeraki.io", "MetaRouter", "metarouters");
/** `redis.aeraki.io/v1alpha1` RedisService. */
export const REDIS_SERVICE: KubeKind = aeraki("redis.aeraki.io", "RedisService", "redisservices");
/** `redis.aeraki.io/v1alpha1` RedisDestination. */
export const REDIS_DESTINATION: KubeKind = aeraki(
  "redis.aeraki.io",
  "RedisDestination",
  "redisdestinations",
);
/** `dubbo.aeraki.io/v1alpha1` DubboAuthorizationPolicy. */
export const DUBBO_AUTHORIZATION_POLICY: KubeKind = aeraki(
  "dubbo.aeraki.io",
  "DubboAuthorizationPolicy",
  "dubboauthorizationpolicies",
);
/** Istio ServiceEntry (read). */
export const SERVICE_ENTRY: KubeKind = istio("ServiceEntry", "serviceentries");
/** Istio DestinationRule (read). */
export const DESTINATION_RULE: KubeKind = istio("DestinationRule", "destinationrules");
/** Istio VirtualService (read; gateway VirtualServices are written). */
export const VIRTUAL_SERVICE: KubeKind = istio("VirtualService", "virtualservices");
/** Istio Gateway (read). */
export const GATEWAY: KubeKind = istio("Gateway", "gateways");
/** Istio EnvoyFilter (written). */
export const ENVOY_FILTER: KubeKind = istio("EnvoyFilter", "envoyfilters");
/** Core Service (read, as synthetic ServiceEntries). */
export const SERVICE: KubeKind = {
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  namespaced: true,
};
/** Core ConfigMap (the mesh config `istio`). */
export const CONFIG_MAP: KubeKind = { ...SERVICE, kind: "ConfigMap", plural: "configmaps" };

/** Aeraki's five kinds. */
export const AERAKI_KUBE_KINDS: readonly KubeKind[] = [
  APPLICATION_PROTOCOL,
  META_ROUTER,
  REDIS_SERVICE,
  REDIS_DESTINATION,
  DUBBO_AUTHORIZATION_POLICY,
];

/** The Istio kinds the operator reads or writes. */
export const ISTIO_KUBE_KINDS: readonly KubeKind[] = [
  SERVICE_ENTRY,
  DESTINATION_RULE,
  VIRTUAL_SERVICE,
  GATEWAY,
  ENVOY_FILTER,
];
