/**
 * Properties of generation: the output does not depend on the order of any input list or of
 * attribute keys; rendering twice gives identical bytes; memoized regeneration after random
 * edits equals a fresh full generation.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { MetaRoute, MetaRouter } from "../api/mod.ts";
import { formatJson, formatYaml } from "../operator/cli/render_format.ts";
import { renderObjects } from "../operator/cli/render.ts";
import {
  buildMesh,
  EMPTY_SNAPSHOT,
  MeshGenerator,
  type MeshSnapshot,
} from "../operator/generate/mod.ts";
import {
  destinationRule,
  E2E_MESH,
  metaRouter,
  serviceEntry,
  splitRoute,
} from "./generate_fixtures.ts";

const ATTRS = ["method", "interface", "version", "group"];

function route(host: string, seed: number): MetaRoute {
  const attributes: Record<string, { exact?: string; prefix?: string }> = {};
  for (const [i, a] of ATTRS.entries()) {
    if ((seed >> i) & 1) attributes[a] = (seed >> (i + 4)) & 1 ? { exact: a } : { prefix: "x" };
  }
  return { ...splitRoute(host, (seed % 9) * 10 + 10), name: `r${seed}`, match: { attributes } };
}

/** A small random mesh: services in two namespaces, some with rules and routers. */
const meshArb = fc.array(fc.record({ dr: fc.boolean(), mr: fc.nat(255), ns: fc.boolean() }), {
  minLength: 1,
  maxLength: 6,
}).map((specs): MeshSnapshot => {
  const snapshot = { ...EMPTY_SNAPSHOT, meshConfig: E2E_MESH } as {
    -readonly [K in keyof MeshSnapshot]: MeshSnapshot[K];
  };
  const ses = [], drs = [], mrs: MetaRouter[] = [];
  for (const [i, s] of specs.entries()) {
    const se = serviceEntry(i, s.ns ? "a" : "b");
    const host = se.spec.hosts[0];
    ses.push(se);
    if (s.dr) drs.push(destinationRule(host, se.metadata.namespace ?? ""));
    if (s.mr % 3 !== 0) {
      const extra = s.mr % 5 === 0 ? { exportTo: [".", "default"] } : {};
      mrs.push(metaRouter(host, "routes", [route(host, s.mr), route(host, s.mr >> 1)], extra));
    }
  }
  return { ...snapshot, serviceEntries: ses, destinationRules: drs, metaRouters: mrs };
});

function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function reorderAttributes(router: MetaRouter, seed: number): MetaRouter {
  const routes = (router.spec.routes ?? []).map((r) => {
    const attrs = r.match?.attributes ?? {};
    const keys = shuffled(Object.keys(attrs), seed);
    return { ...r, match: { attributes: Object.fromEntries(keys.map((k) => [k, attrs[k]])) } };
  });
  return { ...router, spec: { ...router.spec, routes } };
}

function shuffleAll(m: MeshSnapshot, seed: number): MeshSnapshot {
  return {
    ...m,
    serviceEntries: shuffled(m.serviceEntries, seed),
    destinationRules: shuffled(m.destinationRules, seed + 1),
    metaRouters: shuffled(m.metaRouters.map((r) => reorderAttributes(r, seed)), seed + 2),
  };
}

Deno.test("buildMesh() output does not depend on the order of inputs or attribute keys", () => {
  fc.assert(
    fc.property(meshArb, fc.nat(), (m, seed) => {
      assert.equal(JSON.stringify(buildMesh(shuffleAll(m, seed))), JSON.stringify(buildMesh(m)));
    }),
    { numRuns: 60 },
  );
});

Deno.test("renderObjects() renders the same bytes twice", () => {
  fc.assert(
    fc.property(meshArb, (m) => {
      const objects = [...m.serviceEntries, ...m.destinationRules, ...m.metaRouters];
      const a = renderObjects(objects), b = renderObjects(objects);
      assert.equal(formatYaml(a.output, a.sourceOf), formatYaml(b.output, b.sourceOf));
      assert.equal(formatJson(a.output), formatJson(b.output));
    }),
    { numRuns: 30 },
  );
});

type Edit = { kind: "router" | "rule" | "service" | "mesh" | "shuffle" | "drop"; at: number };

function applyEdit(m: MeshSnapshot, e: Edit): MeshSnapshot {
  const pick = <T>(list: readonly T[]) => (list.length ? e.at % list.length : -1);
  const replace = <T>(list: readonly T[], i: number, v: T) => list.map((x, j) => (j === i ? v : x));
  if (e.kind === "router" && pick(m.metaRouters) >= 0) {
    const i = pick(m.metaRouters), r = m.metaRouters[i], host = r.spec.hosts[0];
    const next = metaRouter(host, "routes", [route(host, e.at)], {}, r.metadata.name);
    return { ...m, metaRouters: replace(m.metaRouters, i, next) };
  }
  if (e.kind === "rule" && pick(m.destinationRules) >= 0) {
    return {
      ...m,
      destinationRules: m.destinationRules.filter((_, j) => j !== pick(m.destinationRules)),
    };
  }
  if (e.kind === "service") {
    const i = pick(m.serviceEntries), se = { ...m.serviceEntries[i] };
    return { ...m, serviceEntries: replace(m.serviceEntries, i, se) };
  }
  if (e.kind === "mesh") {
    return { ...m, meshConfig: { ...E2E_MESH, enableTracing: e.at % 2 === 0 } };
  }
  if (e.kind === "shuffle") return shuffleAll(m, e.at);
  if (e.kind === "drop" && pick(m.metaRouters) >= 0) {
    return { ...m, metaRouters: m.metaRouters.filter((_, j) => j !== pick(m.metaRouters)) };
  }
  return m;
}

const editArb = fc.record({
  kind: fc.constantFrom("router", "rule", "service", "mesh", "shuffle", "drop"),
  at: fc.nat(1000),
}) as fc.Arbitrary<Edit>;

Deno.test("MeshGenerator.generate() after random edits equals a fresh buildMesh()", () => {
  fc.assert(
    fc.property(meshArb, fc.array(editArb, { maxLength: 8 }), (m, edits) => {
      const generator = new MeshGenerator();
      generator.generate(m);
      let current = m;
      for (const e of edits) {
        current = applyEdit(current, e);
        assert.deepEqual(generator.generate(current), buildMesh(current));
      }
    }),
    { numRuns: 80 },
  );
});
