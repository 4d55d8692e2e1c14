/**
 * Properties of incremental generation: after any sequence of edits — MetaRouters edited,
 * added at any position, deleted, moved to another service's host, given or denied
 * `exportTo`; DestinationRules edited, added, deleted; services renamed or duplicated —
 * {@link MeshGenerator} equals a fresh `buildMesh`, and earlier outputs are never mutated.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { DestinationRule, MetaRouter, ServiceEntry } from "../api/mod.ts";
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

/** A mesh of 2–8 services in two namespaces; some share a host (duplicate outputs). */
const meshArb = fc.array(fc.record({ dr: fc.boolean(), mr: fc.nat(15), ns: fc.boolean() }), {
  minLength: 2,
  maxLength: 8,
}).map((specs): MeshSnapshot => {
  const ses: ServiceEntry[] = [], drs: DestinationRule[] = [], mrs: MetaRouter[] = [];
  for (const [i, s] of specs.entries()) {
    const se = serviceEntry(i, s.ns ? "a" : "b");
    const host = se.spec.hosts[0];
    ses.push(se);
    if (s.dr) drs.push(destinationRule(host, se.metadata.namespace ?? ""));
    if (s.mr % 3 !== 0) {
      const extra = s.mr % 5 === 0 ? { exportTo: [".", "default"] } : {};
      mrs.push(metaRouter(host, "routes", [splitRoute(host, s.mr * 5)], extra, `r${i}`));
    }
  }
  return {
    ...EMPTY_SNAPSHOT,
    meshConfig: E2E_MESH,
    serviceEntries: ses,
    destinationRules: drs,
    metaRouters: mrs,
  };
});

const KINDS = [
  "editRouter",
  "addRouter",
  "dropRouter",
  "moveRouter",
  "exportTo",
  "editRule",
  "addRule",
  "dropRule",
  "renameService",
  "duplicateService",
  "dropService",
] as const;
type Edit = { kind: typeof KINDS[number]; at: number; to: number };

const editArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  at: fc.nat(1000),
  to: fc.nat(1000),
}) as fc.Arbitrary<Edit>;

function pick<T>(list: readonly T[], n: number): number {
  return list.length ? n % list.length : -1;
}
function replace<T>(list: readonly T[], i: number, v: T): T[] {
  return list.map((x, j) => (j === i ? v : x));
}
function insert<T>(list: readonly T[], n: number, v: T): T[] {
  const at = n % (list.length + 1);
  return [...list.slice(0, at), v, ...list.slice(at)];
}
function drop<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}
function hostOf(m: MeshSnapshot, n: number): string {
  return m.serviceEntries[n % m.serviceEntries.length]?.spec.hosts[0] ?? "none.a.svc.cluster.local";
}

function editRouters(m: MeshSnapshot, e: Edit): MeshSnapshot {
  const routers = m.metaRouters, i = pick(routers, e.at), r = routers[i];
  const name = `e${e.at}`;
  const rebuilt = (host: string, extra: Partial<MetaRouter["spec"]>) =>
    metaRouter(
      host,
      r.metadata.namespace ?? "",
      [splitRoute(host, e.to % 101)],
      extra,
      r.metadata.name,
    );
  switch (e.kind) {
    case "addRouter": {
      const host = hostOf(m, e.to);
      return {
        ...m,
        metaRouters: insert(
          routers,
          e.at,
          metaRouter(host, "routes", [splitRoute(host, e.to % 101)], {}, name),
        ),
      };
    }
    case "editRouter":
      return i < 0 ? m : { ...m, metaRouters: replace(routers, i, rebuilt(r.spec.hosts[0], {})) };
    case "dropRouter":
      return i < 0 ? m : { ...m, metaRouters: drop(routers, i) };
    case "moveRouter":
      return i < 0 ? m : { ...m, metaRouters: replace(routers, i, rebuilt(hostOf(m, e.to), {})) };
    default: {
      if (i < 0) return m;
      const exportTo = [[], ["."], ["*"], ["~"], ["other", "."]][e.to % 5];
      return { ...m, metaRouters: replace(routers, i, rebuilt(r.spec.hosts[0], { exportTo })) };
    }
  }
}

function editRules(m: MeshSnapshot, e: Edit): MeshSnapshot {
  const rules = m.destinationRules, i = pick(rules, e.at);
  if (e.kind === "addRule") {
    const host = hostOf(m, e.to);
    return { ...m, destinationRules: insert(rules, e.at, destinationRule(host, "a", `d${e.at}`)) };
  }
  if (i < 0) return m;
  if (e.kind === "dropRule") return { ...m, destinationRules: drop(rules, i) };
  const rule = rules[i];
  const subsets = (rule.spec.subsets ?? []).slice(0, 1 + (e.to % 2));
  return {
    ...m,
    destinationRules: replace(rules, i, { ...rule, spec: { ...rule.spec, subsets } }),
  };
}

function editServices(m: MeshSnapshot, e: Edit): MeshSnapshot {
  const ses = m.serviceEntries, i = pick(ses, e.at), se = ses[i];
  if (e.kind === "dropService") return ses.length > 1 ? { ...m, serviceEntries: drop(ses, i) } : m;
  if (e.kind === "duplicateService") {
    const copy = { ...se, metadata: { ...se.metadata, name: `dup${e.to}` } };
    return { ...m, serviceEntries: insert(ses, e.to, copy) };
  }
  const renamed = {
    ...se,
    spec: { ...se.spec, hosts: [hostOf(m, e.to).replace("svc", "renamed")] },
  };
  return { ...m, serviceEntries: replace(ses, i, renamed) };
}

function applyEdit(m: MeshSnapshot, e: Edit): MeshSnapshot {
  if (e.kind.endsWith("Router") || e.kind === "exportTo") return editRouters(m, e);
  if (e.kind.endsWith("Rule")) return editRules(m, e);
  return editServices(m, e);
}

Deno.test("MeshGenerator.generate() after random edits of any kind equals a fresh buildMesh()", () => {
  fc.assert(
    fc.property(meshArb, fc.array(editArb, { minLength: 1, maxLength: 12 }), (m, edits) => {
      const generator = new MeshGenerator();
      let current = m;
      let previous = generator.generate(current);
      let previousJson = JSON.stringify(previous);
      for (const e of edits) {
        current = applyEdit(current, e);
        const out = generator.generate(current);
        assert.deepEqual(out, buildMesh(current), `after ${JSON.stringify(e)}`);
        assert.equal(JSON.stringify(previous), previousJson, "an earlier output changed");
        previous = out;
        previousJson = JSON.stringify(out);
      }
    }),
    { numRuns: 150 },
  );
});

Deno.test("MeshGenerator.generate() hands back the same lists when nothing it reads changed", () => {
  const m = fc.sample(meshArb, { numRuns: 1, seed: 7 })[0];
  const generator = new MeshGenerator();
  const first = generator.generate(m);
  const second = generator.generate({ ...m, metaRouters: [...m.metaRouters] });
  assert.equal(second.envoyFilters, first.envoyFilters);
  assert.equal(second.routeConfigurations, first.routeConfigurations);
  assert.equal(second.problems, first.problems);
});

Deno.test("MeshGenerator.generate() names a new ApplicationProtocol in an unknown protocol's problem", () => {
  const se = serviceEntry(1, "a");
  const misspelled: ServiceEntry = {
    ...se,
    spec: {
      ...se.spec,
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrfit-x", protocol: "TCP" }],
    },
  };
  const before: MeshSnapshot = { ...EMPTY_SNAPSHOT, serviceEntries: [misspelled] };
  const after: MeshSnapshot = {
    ...before,
    applicationProtocols: [{
      apiVersion: "metaprotocol.aeraki.io/v1alpha1",
      kind: "ApplicationProtocol",
      metadata: { name: "myproto" },
      spec: { protocol: "myproto", codec: "aeraki.meta_protocol.codec.thrift" },
    }],
  };
  const generator = new MeshGenerator();
  generator.generate(before);
  const out = generator.generate(after);
  assert.match(out.problems[0]?.message ?? "", /"myproto"/);
  assert.deepEqual(out, buildMesh(after));
});
