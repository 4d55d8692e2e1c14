/**
 * The five Aeraki CustomResourceDefinitions, with structural OpenAPI v3 schemas derived
 * from the `api/` schemas, the status subresource, and upstream's printer columns,
 * categories and short names (with upstream's `.spec.hosts` column typo fixed), plus the
 * Accepted and Programmed conditions the operator writes.
 *
 * @module
 */
import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import { crdSchema } from "../api/mod.ts";

/** How one Aeraki kind is served. */
export interface CrdInfo {
  readonly group: string;
  readonly kind:
    | "ApplicationProtocol"
    | "MetaRouter"
    | "RedisService"
    | "RedisDestination"
    | "DubboAuthorizationPolicy";
  readonly plural: string;
  readonly scope: "Namespaced" | "Cluster";
  readonly shortNames?: readonly string[];
  readonly categories: readonly string[];
  readonly columns?: ReadonlyArray<
    { readonly name: string; readonly jsonPath: string; readonly description: string }
  >;
}

/** Upstream's five CRDs (control-plane spec §1). */
export const AERAKI_CRDS: readonly CrdInfo[] = [
  {
    group: "metaprotocol.aeraki.io",
    kind: "ApplicationProtocol",
    plural: "applicationprotocols",
    scope: "Cluster",
    categories: ["aeraki-io", "metaprotocol-aeraki-io"],
    columns: [
      {
        name: "Protocol",
        jsonPath: ".spec.protocol",
        description: "Application protocol used in port names",
      },
      { name: "Codec", jsonPath: ".spec.codec", description: "MetaProtocol codec" },
    ],
  },
  {
    group: "metaprotocol.aeraki.io",
    kind: "MetaRouter",
    plural: "metarouters",
    scope: "Namespaced",
    categories: ["aeraki-io", "metaprotocol-aeraki-io"],
    columns: [{ name: "Hosts", jsonPath: ".spec.hosts", description: "Destination service" }],
  },
  {
    group: "redis.aeraki.io",
    kind: "RedisService",
    plural: "redisservices",
    scope: "Namespaced",
    shortNames: ["rsvc"],
    categories: ["redis-aeraki-io"],
    columns: [{ name: "Hosts", jsonPath: ".spec.host", description: "Hosts this rule applies to" }],
  },
  {
    group: "redis.aeraki.io",
    kind: "RedisDestination",
    plural: "redisdestinations",
    scope: "Namespaced",
    shortNames: ["rd"],
    categories: ["redis-aeraki-io"],
    columns: [{ name: "Host", jsonPath: ".spec.host", description: "Redis service host" }],
  },
  {
    group: "dubbo.aeraki.io",
    kind: "DubboAuthorizationPolicy",
    plural: "dubboauthorizationpolicies",
    scope: "Namespaced",
    shortNames: ["dap"],
    categories: ["aeraki-io", "dubbo-aeraki-io"],
  },
];

/** The operator's conditions (see operator/controller/conditions.ts), shown by `kubectl get`. */
const STATUS_COLUMNS = [
  {
    name: "Accepted",
    type: "string",
    jsonPath: '.status.conditions[?(@.type=="Accepted")].status',
    description: "Whether the object is valid (the Accepted condition)",
  },
  {
    name: "Programmed",
    type: "string",
    jsonPath: '.status.conditions[?(@.type=="Programmed")].status',
    description: "Whether its EnvoyFilters are written (the Programmed condition)",
  },
];

/** Builds the CRD manifest for one kind. */
export function buildCrd(info: CrdInfo): Record<string, unknown> {
  const columns = [
    ...(info.columns ?? []).map((c) => ({ ...c, type: "string" })),
    ...STATUS_COLUMNS,
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ];
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${info.plural}.${info.group}`,
      labels: { app: "aeraki", "app.kubernetes.io/part-of": "aeraki" },
    },
    spec: {
      group: info.group,
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.kind.toLowerCase(),
        categories: [...info.categories],
        ...(info.shortNames ? { shortNames: [...info.shortNames] } : {}),
      },
      scope: info.scope,
      versions: [{
        name: "v1alpha1",
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: columns,
        schema: { openAPIV3Schema: crdSchema(info.kind) },
      }],
    },
  };
}

/** The five Aeraki CRDs. */
export class AerakiCrds extends Construct {
  /** The CRD objects, by kind. */
  readonly crds: ReadonlyMap<string, ApiObject>;

  /** Creates the CRDs. */
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const crds = new Map<string, ApiObject>();
    for (const info of AERAKI_CRDS) {
      const manifest = buildCrd(info);
      const obj = new ApiObject(this, info.kind, manifest as never);
      crds.set(info.kind, obj);
    }
    this.crds = crds;
  }
}
