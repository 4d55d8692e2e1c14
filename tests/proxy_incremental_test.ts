/**
 * Properties of the incremental xDS path: after random edits of DestinationRules (subsets,
 * policies, bad fields, added, deleted), ServiceEntry ports and MetaRouters, {@link ProxyGenerator} equals a fresh
 * `buildProxyResources`, and the xDS snapshot patched from the previous one equals a fresh
 * snapshot of the same resources.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { DestinationRule, MetaRouter, ServiceEntry } from "../api/mod.ts";
import {
  buildProxyResources,
  EMPTY_SNAPSHOT,
  type MeshSnapshot,
  ProxyGenerator,
} from "../operator/generate/mod.ts";
import { buildXdsSnapshot, type XdsSnapshot } from "../operator/xds/snapshot.ts";
import { destinationRule, metaRouter, serviceEntry, splitRoute } from "./generate_fixtures.ts";

/** Services in two namespaces; `shared` ones reuse service 0's VIP (a listener conflict). */
const meshArb = fc.array(fc.record({ dr: fc.boolean(), shared: fc.boolean() }), {
  minLength: 2,
  maxLength: 7,
}).map((specs): MeshSnapshot => {
  const ses: ServiceEntry[] = [], drs: DestinationRule[] = [], mrs: MetaRouter[] = [];
  for (const [i, s] of specs.entries()) {
    let se = serviceEntry(i, i % 2 ? "a" : "b");
    if (s.shared && i > 0) se = { ...se, spec: { ...se.spec, addresses: ["10.0.0.0"] } };
    const host = se.spec.hosts[0], ns = se.metadata.namespace ?? "";
    ses.push(se);
    if (s.dr) drs.push(destinationRule(host, ns));
    mrs.push(metaRouter(host, ns, [splitRoute(host, 10 * i)]));
  }
  return { ...EMPTY_SNAPSHOT, serviceEntries: ses, destinationRules: drs, metaRouters: mrs };
});

type Edit = {
  kind: "policy" | "subsets" | "bad" | "add" | "drop" | "router" | "port";
  at: number;
};
const editArb = fc.record({
  kind: fc.constantFrom("policy", "subsets", "bad", "add", "drop", "router", "port"),
  at: fc.nat(1000),
}) as fc.Arbitrary<Edit>;

function ruleEdit(rule: DestinationRule, e: Edit): DestinationRule {
  if (e.kind === "subsets") {
    return { ...rule, spec: { ...rule.spec, subsets: rule.spec.subsets?.slice(e.at % 2) } };
  }
  const simple = e.kind === "bad" ? "NOT_A_POLICY" : ["ROUND_ROBIN", "RANDOM"][e.at % 2];
  const trafficPolicy = {
    loadBalancer: { simple },
    connectionPool: { tcp: { maxConnections: e.at } },
  };
  return { ...rule, spec: { ...rule.spec, trafficPolicy } } as DestinationRule;
}

/** Applies edit number `n`; added rules get unique names, as Kubernetes objects have. */
function applyEdit(m: MeshSnapshot, e: Edit, n: number): MeshSnapshot {
  const rules = m.destinationRules, i = rules.length ? e.at % rules.length : -1;
  const se = m.serviceEntries[e.at % m.serviceEntries.length];
  const host = se.spec.hosts[0], ns = se.metadata.namespace ?? "";
  if (e.kind === "router") {
    const j = e.at % m.metaRouters.length, r = m.metaRouters[j];
    const next = metaRouter(r.spec.hosts[0], r.metadata.namespace ?? "", [
      splitRoute(r.spec.hosts[0], e.at % 101),
    ]);
    return { ...m, metaRouters: m.metaRouters.map((x, k) => (k === j ? next : x)) };
  }
  if (e.kind === "port") {
    const j = e.at % m.serviceEntries.length, s = m.serviceEntries[j];
    const ports = (s.spec.ports ?? []).map((p) => ({ ...p, number: 9000 + (e.at % 7) }));
    const next = { ...s, spec: { ...s.spec, ports } };
    return { ...m, serviceEntries: m.serviceEntries.map((x, k) => (k === j ? next : x)) };
  }
  if (e.kind === "add") {
    const at = e.at % (rules.length + 1);
    const rule = destinationRule(host, ns, `extra${n}`);
    return { ...m, destinationRules: [...rules.slice(0, at), rule, ...rules.slice(at)] };
  }
  if (i < 0) return m;
  if (e.kind === "drop") return { ...m, destinationRules: rules.filter((_, k) => k !== i) };
  return { ...m, destinationRules: rules.map((r, k) => (k === i ? ruleEdit(r, e) : r)) };
}

function entries(s: XdsSnapshot): string[] {
  return [...s.types.values()].flatMap((t) =>
    [...t.resources].map(([name, e]) => `${t.typeUrl} ${name}=${e.version}`)
  ).sort();
}

Deno.test("ProxyGenerator.generate() and patched xDS snapshots after random edits equal fresh builds", () => {
  fc.assert(
    fc.property(meshArb, fc.array(editArb, { minLength: 1, maxLength: 10 }), (m, edits) => {
      const generator = new ProxyGenerator();
      let current = m;
      let snapshot = buildXdsSnapshot(generator.generate(current));
      for (const [n, e] of edits.entries()) {
        current = applyEdit(current, e, n);
        const out = generator.generate(current);
        const fresh = buildProxyResources(current);
        assert.deepEqual(out, fresh, `after ${JSON.stringify(e)}`);
        snapshot = buildXdsSnapshot(out, snapshot);
        const scratch = buildXdsSnapshot(structuredClone(fresh));
        assert.equal(snapshot.version, scratch.version);
        assert.deepEqual(entries(snapshot), entries(scratch));
      }
    }),
    { numRuns: 120 },
  );
});
