/**
 * {@link StaticMeshFilters}: Aeraki's generator run at synth time, for GitOps meshes without the
 * operator. It reads the mesh's Services, ServiceEntries, DestinationRules, MetaRouters,
 * Gateways (constructs or plain objects) and emits the EnvoyFilters (and gateway
 * VirtualServices) the operator would create — with MetaProtocol routes **inline** in each
 * outbound proxy instead of served over RDS.
 *
 * The trade-off: with RDS a route change is pushed to running proxies and connections stay
 * open; with inline routes a route change rewrites the EnvoyFilter, so Istio rebuilds the
 * listener and drains its connections (long-lived MetaProtocol connections are cut after the
 * drain period). Use it where routes change rarely or no control plane may run.
 *
 * @module
 */
import { ApiObject, type ApiObjectMetadata } from "cdk8s";
import { Construct, type IConstruct } from "constructs";
import { parse } from "yaml";
import {
  type GeneratedObject,
  type GenerateProblem,
  MeshGenerator,
  snapshotFromObjects,
  sortProblems,
} from "../operator/generate/mod.ts";
import {
  EnvoyFilter,
  type EnvoyFilterSpec,
  VirtualService,
  type VirtualServiceSpec,
} from "./istio.ts";

/** Props of {@link StaticMeshFilters}. */
export interface StaticMeshFiltersProps {
  /**
   * The mesh: constructs (every `ApiObject` beneath each is read, so a whole chart works) or
   * plain Kubernetes objects. Read when this construct is created, so create it last.
   */
  readonly inputs: ReadonlyArray<IConstruct | Readonly<Record<string, unknown>>>;
  /** Istio's root namespace. @default "istio-system" */
  readonly rootNamespace?: string;
  /** Put EnvoyFilters in each service's namespace instead of the root namespace. @default false */
  readonly namespaceScope?: boolean;
  /** The cluster DNS domain. @default "cluster.local" */
  readonly domain?: string;
  /** Fail synthesis when generation reports problems. @default true */
  readonly failOnProblems?: boolean;
}

function objectsOf(inputs: StaticMeshFiltersProps["inputs"]): unknown[] {
  const out: unknown[] = [];
  for (const input of inputs) {
    if (input instanceof Construct) {
      for (const child of input.node.findAll()) {
        if (child instanceof ApiObject) out.push(child.toJson());
      }
    } else out.push(input);
  }
  return out;
}

function metadataOf(obj: GeneratedObject): ApiObjectMetadata {
  return {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
    labels: { ...obj.metadata.labels },
  };
}

function idOf(obj: GeneratedObject): string {
  return `${obj.kind}-${obj.metadata.namespace}-${obj.metadata.name}`.replaceAll("/", "_");
}

/**
 * The EnvoyFilters and gateway VirtualServices Aeraki would generate for a mesh, synthesized
 * statically with routes inline (see the module doc for the listener-drain trade-off).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Testing } from "cdk8s";
 * import { StaticMeshFilters } from "./static_mesh.ts";
 * const chart = Testing.chart();
 * const mesh = new StaticMeshFilters(chart, "mesh", { inputs: [] });
 * assert.equal(mesh.envoyFilters.length, 0);
 * assert.deepEqual(mesh.problems, []);
 * ```
 */
export class StaticMeshFilters extends Construct {
  /** The generated EnvoyFilters, sorted by namespace/name. */
  readonly envoyFilters: readonly EnvoyFilter[];
  /** The generated gateway VirtualServices. */
  readonly virtualServices: readonly VirtualService[];
  /** What generation (and decoding the inputs) reported. */
  readonly problems: readonly GenerateProblem[];

  /** Runs the generator over `props.inputs` and adds the objects as children. */
  constructor(scope: Construct, id: string, props: StaticMeshFiltersProps) {
    super(scope, id);
    const options = {
      ...(props.rootNamespace ? { rootNamespace: props.rootNamespace } : {}),
      ...(props.namespaceScope ? { namespaceScope: true } : {}),
      ...(props.domain ? { domain: props.domain } : {}),
      routes: "inline" as const,
    };
    const input = snapshotFromObjects(objectsOf(props.inputs), { parseYaml: parse, ...options });
    const output = new MeshGenerator(options).generate(input.snapshot);
    this.problems = sortProblems([...input.problems, ...output.problems]);
    // A deep copy: the generator shares sub-objects between outputs; the YAML must not alias them.
    const copy = <T>(spec: unknown) => JSON.parse(JSON.stringify(spec)) as T;
    this.envoyFilters = output.envoyFilters.map((ef) =>
      new EnvoyFilter(this, idOf(ef), {
        metadata: metadataOf(ef),
        spec: copy<EnvoyFilterSpec>(ef.spec),
      })
    );
    this.virtualServices = output.virtualServices.map((vs) =>
      new VirtualService(this, idOf(vs), {
        metadata: metadataOf(vs),
        spec: copy<VirtualServiceSpec>(vs.spec),
      })
    );
    if (props.failOnProblems ?? true) {
      this.node.addValidation({
        validate: () =>
          this.problems.map((p) => `${p.object}${p.field ? ` ${p.field}` : ""}: ${p.message}`),
      });
    }
  }
}
