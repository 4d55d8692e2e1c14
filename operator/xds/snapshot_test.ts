import assert from "node:assert/strict";
import fc from "fast-check";
import { CLUSTER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from "../../proto/mod.ts";
import { stableStringify } from "../generate/mod.ts";
import { buildXdsSnapshot } from "./snapshot.ts";

const name = fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}_[1-9][0-9]{0,3}$/);
const routeArb = fc.record({
  name,
  virtualHosts: fc.array(
    fc.record({
      name: fc.constantFrom("dummy", "other"),
      domains: fc.constant(["*"]),
      routes: fc.array(
        fc.record({
          name: fc.string({ maxLength: 6 }),
          match: fc.record({ prefix: fc.constant("/") }),
          route: fc.record({ cluster: fc.string({ maxLength: 12 }) }),
        }),
        { maxLength: 3 },
      ),
    }),
    { maxLength: 2 },
  ),
});
const clusterArb = fc.record({
  name: fc.stringMatching(/^outbound\|[1-9][0-9]{0,3}\|v?[0-9]?\|[a-z]{1,6}$/),
  type: fc.constantFrom("EDS", "STRICT_DNS"),
  lbPolicy: fc.constantFrom("ROUND_ROBIN", "RING_HASH", "LEAST_REQUEST"),
});
const resourcesArb = fc.record({
  clusters: fc.uniqueArray(clusterArb, { selector: (c) => c.name, maxLength: 4 }),
  routeConfigurations: fc.uniqueArray(routeArb, { selector: (r) => r.name, maxLength: 4 }),
});

/** Content of a snapshot, independent of list order. */
function content(
  r: { clusters: { name: string }[]; routeConfigurations: { name: string }[] },
): string {
  const sorted = (list: readonly { name: string }[]) =>
    [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
  return stableStringify([sorted(r.clusters), sorted(r.routeConfigurations)]);
}

Deno.test("buildXdsSnapshot() gives the same snapshot the same version, whatever the order", () => {
  fc.assert(fc.property(resourcesArb, (r) => {
    const a = buildXdsSnapshot(r);
    const shuffled = {
      clusters: structuredClone([...(r.clusters ?? [])].reverse()),
      routeConfigurations: structuredClone([...(r.routeConfigurations ?? [])].reverse()),
    };
    assert.equal(buildXdsSnapshot(shuffled).version, a.version);
    assert.equal(buildXdsSnapshot(r).version, a.version);
  }));
});

Deno.test("buildXdsSnapshot() never gives two different snapshots one version", () => {
  fc.assert(
    fc.property(resourcesArb, resourcesArb, (a, b) => {
      fc.pre(content(a) !== content(b));
      assert.notEqual(buildXdsSnapshot(a).version, buildXdsSnapshot(b).version);
    }),
    { numRuns: 300 },
  );
});

Deno.test("buildXdsSnapshot() changes only the versions of the types and resources that changed", () => {
  const route = (cluster: string) => ({
    name: "a_1",
    virtualHosts: [{
      name: "dummy",
      domains: ["*"],
      routes: [{ match: { prefix: "/" }, route: { cluster } }],
    }],
  });
  const clusters = [{ name: "outbound|1||a", type: "EDS" }];
  const one = buildXdsSnapshot({ clusters, routeConfigurations: [route("x")] });
  const two = buildXdsSnapshot({ clusters, routeConfigurations: [route("y")] }, one);
  assert.equal(two.types.get(CLUSTER_TYPE_URL)!.version, one.types.get(CLUSTER_TYPE_URL)!.version);
  assert.notEqual(
    two.types.get(ROUTE_CONFIGURATION_TYPE_URL)!.version,
    one.types.get(ROUTE_CONFIGURATION_TYPE_URL)!.version,
  );
  assert.notEqual(two.version, one.version);
});

Deno.test("buildXdsSnapshot() keeps the last good resource when a new one does not encode", () => {
  const good = buildXdsSnapshot({ clusters: [{ name: "c", type: "EDS" }] });
  const bad = buildXdsSnapshot({ clusters: [{ name: "c", type: "NOPE" }, { name: "d" }] }, good);
  assert.deepEqual([...bad.types.get(CLUSTER_TYPE_URL)!.resources.keys()], ["c", "d"]);
  assert.equal(
    bad.types.get(CLUSTER_TYPE_URL)!.resources.get("c"),
    good.types.get(CLUSTER_TYPE_URL)!.resources.get("c"),
  );
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0].message, /^Cannot encode "c": type: /);
});

Deno.test("buildXdsSnapshot() patched from the previous snapshot equals a fresh build", () => {
  fc.assert(fc.property(resourcesArb, fc.nat(), fc.string({ maxLength: 8 }), (r, at, cluster) => {
    const routes = r.routeConfigurations ?? [];
    fc.pre(routes.length > 0);
    const first = buildXdsSnapshot(r);
    const i = at % routes.length;
    const changed: object[] = routes.slice();
    changed[i] = {
      name: routes[i].name,
      virtualHosts: [{
        name: "x",
        domains: ["*"],
        routes: [{ match: { prefix: "/" }, route: { cluster } }],
      }],
    };
    const next = { ...r, routeConfigurations: changed };
    const patched = buildXdsSnapshot(next, first);
    const fresh = buildXdsSnapshot(structuredClone(next));
    assert.equal(patched.version, fresh.version);
    assert.deepEqual(
      [...patched.types.get(ROUTE_CONFIGURATION_TYPE_URL)!.resources.keys()].sort(),
      [
        ...fresh.types.get(ROUTE_CONFIGURATION_TYPE_URL)!.resources.keys(),
      ].sort(),
    );
  }));
});

type ListEdit = { kind: "replace" | "insert" | "delete" | "rename" | "bad"; at: number };
const listEditArb = fc.record({
  kind: fc.constantFrom("replace", "insert", "delete", "rename", "bad"),
  at: fc.nat(1000),
}) as fc.Arbitrary<ListEdit>;

function editRoutes(list: readonly object[], e: ListEdit, fresh: object): object[] {
  const at = list.length ? e.at % list.length : 0;
  const named = (name: string) => ({ ...fresh, name });
  const nameAt = (i: number) => (list[i] as { name: string }).name;
  if (e.kind === "insert") return [...list.slice(0, at), named(`n${e.at}_1`), ...list.slice(at)];
  if (list.length === 0) return [...list];
  if (e.kind === "delete") return list.filter((_, i) => i !== at);
  const next = [...list];
  if (e.kind === "replace") next[at] = named(nameAt(at));
  if (e.kind === "rename") next[at] = named(nameAt((at + 1) % list.length));
  if (e.kind === "bad") next[at] = { name: nameAt(at), virtualHosts: [{ domains: 7 }] };
  return next;
}

function entryLines(snapshot: ReturnType<typeof buildXdsSnapshot>): string[] {
  const routes = snapshot.types.get(ROUTE_CONFIGURATION_TYPE_URL)!;
  return [...routes.resources].map(([name, e]) => `${name}=${e.version}`).sort();
}

Deno.test("buildXdsSnapshot() patched through edits, inserts, deletes, renames equals a fresh build", () => {
  fc.assert(
    fc.property(
      resourcesArb,
      fc.array(fc.tuple(listEditArb, routeArb), { maxLength: 10 }),
      (r, edits) => {
        let routes: object[] = r.routeConfigurations;
        let snapshot = buildXdsSnapshot({ ...r, routeConfigurations: routes });
        for (const [e, fresh] of edits) {
          routes = editRoutes(routes, e, fresh);
          const previous = snapshot;
          snapshot = buildXdsSnapshot({ ...r, routeConfigurations: routes }, previous);
          const scratch = buildXdsSnapshot({ ...r, routeConfigurations: structuredClone(routes) });
          if (scratch.problems.length > 0) continue; // a fresh build has no last good one to keep
          assert.equal(snapshot.version, scratch.version, `after ${JSON.stringify(e)}`);
          assert.deepEqual(entryLines(snapshot), entryLines(scratch));
          const type = snapshot.types.get(ROUTE_CONFIGURATION_TYPE_URL)!;
          assert.equal(type.resources.size, entryLines(scratch).length);
          const before = new Set(entryLines(previous)), after = new Set(entryLines(snapshot));
          const moved = [...before.symmetricDifference(after)].map((l) => l.split("=")[0]);
          if (type.changedFrom) {
            assert.deepEqual(
              [...type.changedFrom.names].sort(),
              [...new Set(moved)].sort(),
            );
          }
        }
      },
    ),
    { numRuns: 200 },
  );
});
