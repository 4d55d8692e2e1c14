/**
 * Test helpers (no tests of their own; named `_test.ts` so the layer lint lets them import
 * `tests/`) for the native generators: build contexts from a {@link MeshSnapshot} with the
 * real service index, run a generator on one port, wrap the drafts as EnvoyFilters the way the
 * orchestrator does, and check every one against the Istio schema and the Envoy protos.
 *
 * @module
 */
import assert from "node:assert/strict";
import { EnvoyFilter } from "../../../constructs/_istio_models.ts";
import { stringify } from "yaml";
import type { IstioPort, RedisDestination, RedisService, ServiceEntry } from "../../../api/mod.ts";
import { assertEnvoyFilter } from "../../../tests/envoy_proto.ts";
import type { FilterDraft, ProtocolGenerator, ServiceContext } from "../context.ts";
import { ServiceIndex } from "../service_index.ts";
import { EMPTY_SNAPSHOT, type GenerateProblem, type MeshSnapshot } from "../snapshot.ts";

/** A ServiceEntry for tests. */
export function serviceEntry(
  name: string,
  namespace: string,
  spec: Partial<ServiceEntry["spec"]> & { hosts: readonly string[] },
  annotations?: Record<string, string>,
): ServiceEntry {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec,
  } as ServiceEntry;
}

/** A RedisService in namespace `namespace`. */
export function redisService(
  name: string,
  spec: RedisService["spec"],
  namespace = "redis",
): RedisService {
  return {
    apiVersion: "redis.aeraki.io/v1alpha1",
    kind: "RedisService",
    metadata: { name, namespace },
    spec,
  } as RedisService;
}

/** A RedisDestination in namespace `namespace`. */
export function redisDestination(
  name: string,
  spec: RedisDestination["spec"],
  namespace = "redis",
): RedisDestination {
  return {
    apiVersion: "redis.aeraki.io/v1alpha1",
    kind: "RedisDestination",
    metadata: { name, namespace },
    spec,
  } as RedisDestination;
}

/** The context of the service whose first host is `host`, from a partial snapshot. */
export function contextOf(snapshot: Partial<MeshSnapshot>, host: string): ServiceContext {
  const index = new ServiceIndex({ ...EMPTY_SNAPSHOT, ...snapshot });
  const { contexts } = index.contexts();
  const ctx = contexts.find((c) => c.host === host);
  assert.ok(ctx, `no context for host "${host}"`);
  return ctx;
}

/** A generated EnvoyFilter as the orchestrator writes it (default root namespace). */
export function envoyFilterOf(draft: FilterDraft): Record<string, unknown> {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name: draft.name, namespace: "istio-system", labels: { manager: "Aeraki" } },
    spec: {
      ...(draft.workloadSelector ? { workloadSelector: { labels: draft.workloadSelector } } : {}),
      configPatches: draft.configPatches,
    },
  };
}

/** Asserts that no object or array appears twice in `value` (YAML would write an alias). */
export function assertNoSharedNodes(value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value !== "object") return;
  assert.ok(!seen.has(value), `shared node in output: ${JSON.stringify(value)}`);
  seen.add(value);
  for (const child of Object.values(value)) assertNoSharedNodes(child, seen);
}

/** What {@link render} returns. */
export interface Rendered {
  readonly envoyFilters: Record<string, unknown>[];
  readonly problems: readonly GenerateProblem[];
  readonly yaml: string;
}

/**
 * Runs `generator` on the port numbered `portNumber` of the context, wraps the drafts as
 * EnvoyFilters and asserts that each passes the Istio schema and that every patch value
 * decodes into its Envoy message with no unknown field.
 */
export function render(
  generator: ProtocolGenerator,
  ctx: ServiceContext,
  portNumber: number,
): Rendered {
  const ports = ctx.serviceEntry.spec.ports ?? [];
  const portIndex = ports.findIndex((p: IstioPort) => p.number === portNumber);
  assert.ok(portIndex >= 0, `no port ${portNumber}`);
  const first = generator(ctx, ports[portIndex], portIndex);
  const second = generator(ctx, ports[portIndex], portIndex);
  assert.equal(JSON.stringify(second), JSON.stringify(first), "output is not deterministic");
  const envoyFilters = first.filters.map(envoyFilterOf);
  assertNoSharedNodes(envoyFilters);
  for (const ef of envoyFilters) {
    new EnvoyFilter(ef as never).validate();
    assertEnvoyFilter(ef);
  }
  return { envoyFilters, problems: first.problems, yaml: toYaml(envoyFilters) };
}

/** YAML of generated objects, one document each, for golden files. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

/** The `patch.value.typed_config.value` of patch `i` of an EnvoyFilter. */
export function filterValue(ef: Record<string, unknown>, i = 0): Record<string, unknown> {
  const spec = ef.spec as { configPatches: { patch: { value: Record<string, unknown> } }[] };
  const typed = spec.configPatches[i].patch.value.typed_config as Record<string, unknown>;
  return typed.value as Record<string, unknown>;
}

/** The names of generated EnvoyFilters. */
export function names(efs: readonly Record<string, unknown>[]): string[] {
  return efs.map((ef) => (ef.metadata as { name: string }).name);
}
