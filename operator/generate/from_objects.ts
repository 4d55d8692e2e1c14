/**
 * From Kubernetes objects (as parsed from YAML, or synthesized by constructs) to a
 * {@link MeshSnapshot}: each known kind decoded with `api/` (problems kept, the object skipped),
 * Services turned into the synthetic ServiceEntries Istiod would serve, Secrets kept, and the
 * mesh config read from ConfigMap `istio` (key `mesh`). Unknown kinds are ignored. Shared by
 * `aeraki render` and the static-mesh construct.
 *
 * @module
 */
import {
  decodeMeshConfig,
  decodeObject,
  type KnownObject,
  type MeshConfig,
  metaProtocolPortProblems,
  serviceToServiceEntry,
} from "../../api/mod.ts";
import {
  EMPTY_SNAPSHOT,
  type GenerateProblem,
  type MeshSnapshot,
  type SecretObject,
} from "./snapshot.ts";

/** Options of {@link snapshotFromObjects}. */
export interface FromObjectsOptions {
  /** Parses the YAML text of the mesh ConfigMap's `mesh` key. */
  readonly parseYaml: (text: string) => unknown;
  /** The cluster DNS domain of synthetic ServiceEntries. @default "cluster.local" */
  readonly domain?: string;
}

/** A snapshot built from objects, the problems found, and where synthetic entries came from. */
export interface ObjectsSnapshot {
  readonly snapshot: MeshSnapshot;
  readonly problems: readonly GenerateProblem[];
  /** `ServiceEntry/ns/synthetic-x` → `Service/ns/x`. */
  readonly origins: ReadonlyMap<string, string>;
  /** How many objects of kinds generation does not read were skipped. */
  readonly ignored: number;
}

type Meta = { name?: unknown; namespace?: unknown };

function refOf(obj: Record<string, unknown>): string {
  const meta = (obj.metadata ?? {}) as Meta;
  const name = typeof meta.name === "string" ? meta.name : "(unnamed)";
  const ns = typeof meta.namespace === "string" && meta.namespace ? `${meta.namespace}/` : "";
  return `${String(obj.kind)}/${ns}${name}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function meshFromConfigMap(
  obj: Record<string, unknown>,
  options: FromObjectsOptions,
): { mesh?: MeshConfig; problems: GenerateProblem[] } {
  const text = isRecord(obj.data) ? obj.data.mesh : undefined;
  if (typeof text !== "string") return { problems: [] };
  let parsed: unknown;
  try {
    parsed = options.parseYaml(text) ?? {};
  } catch (e) {
    const message = `Fix the YAML of the mesh config: ${e instanceof Error ? e.message : e}`;
    return { problems: [{ object: refOf(obj), field: "data.mesh", message }] };
  }
  const decoded = decodeMeshConfig(parsed);
  if (decoded.ok) return { mesh: decoded.value, problems: [] };
  return {
    problems: decoded.problems.map((p) => ({
      object: refOf(obj),
      field: p.path ? `data.mesh.${p.path}` : "data.mesh",
      message: p.message,
    })),
  };
}

interface Lists {
  [key: string]: unknown[];
}

const LIST_OF: Readonly<Record<string, keyof MeshSnapshot>> = {
  ServiceEntry: "serviceEntries",
  DestinationRule: "destinationRules",
  VirtualService: "virtualServices",
  Gateway: "gateways",
  MetaRouter: "metaRouters",
  ApplicationProtocol: "applicationProtocols",
  RedisService: "redisServices",
  RedisDestination: "redisDestinations",
  DubboAuthorizationPolicy: "dubboAuthorizationPolicies",
};

function addKnown(
  value: KnownObject,
  lists: Lists,
  origins: Map<string, string>,
  options: FromObjectsOptions,
): void {
  if (value.kind === "Service") {
    const se = serviceToServiceEntry(value, { domain: options.domain });
    origins.set(refOf(se as unknown as Record<string, unknown>), refOf(value));
    lists.serviceEntries.push(se);
    return;
  }
  lists[LIST_OF[value.kind]].push(value);
}

/** Decodes `objects` into a snapshot; never throws. */
export function snapshotFromObjects(
  objects: readonly unknown[],
  options: FromObjectsOptions,
): ObjectsSnapshot {
  const lists: Lists = Object.fromEntries(
    Object.keys(EMPTY_SNAPSHOT).map((k) => [k, [] as unknown[]]),
  );
  const problems: GenerateProblem[] = [];
  const origins = new Map<string, string>();
  let meshConfig: MeshConfig | undefined;
  let ignored = 0;
  const decodedObjects: { obj: Record<string, unknown>; value: KnownObject }[] = [];
  for (const obj of objects) {
    if (!isRecord(obj)) continue;
    if (obj.kind === "Secret" && obj.apiVersion === "v1" && isRecord(obj.metadata)) {
      lists.secrets.push(obj as unknown as SecretObject);
      continue;
    }
    if (obj.kind === "ConfigMap" && (obj.metadata as Meta | undefined)?.name === "istio") {
      const mesh = meshFromConfigMap(obj, options);
      meshConfig = mesh.mesh ?? meshConfig;
      problems.push(...mesh.problems);
      continue;
    }
    const decoded = decodeObject(obj);
    if (decoded.kind === undefined) {
      ignored++;
      continue;
    }
    if (decoded.ok) {
      for (const p of decoded.warnings) {
        problems.push({ object: refOf(obj), field: p.path, message: p.message, warning: true });
      }
      decodedObjects.push({ obj, value: decoded.value });
      addKnown(decoded.value, lists, origins, options);
    } else {
      for (const p of decoded.problems) {
        problems.push({ object: refOf(obj), field: p.path, message: p.message });
      }
    }
  }
  for (const p of metaProtocolPortProblems(decodedObjects.map((d) => d.value))) {
    problems.push({ object: refOf(decodedObjects[p.at].obj), field: p.path, message: p.message });
  }
  const snapshot = { ...lists, ...(meshConfig ? { meshConfig } : {}) } as unknown as MeshSnapshot;
  return { snapshot, problems, origins, ignored };
}
