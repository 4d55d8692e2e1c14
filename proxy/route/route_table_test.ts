import assert from "node:assert/strict";
import type { MetadataMatcherModel, RouteModel } from "../config/model.ts";
import { hashKey, pickCluster, RouteTable, shouldMirror } from "./route_table.ts";
import { chainedXxh64 } from "./xxh64.ts";

function route(
  name: string,
  match: MetadataMatcherModel[],
  more: Partial<RouteModel> = {},
): RouteModel {
  return {
    name,
    match,
    requestMutation: [],
    responseMutation: [],
    action: { target: { kind: "cluster", name }, hashPolicy: [], mirrors: [] },
    ...more,
  };
}

const md = (o: Record<string, string>) => new Map(Object.entries(o));

Deno.test("RouteTable.match() applies HeaderMatcher semantics, first match wins", () => {
  const t = new RouteTable({
    name: "t",
    routes: [
      route("exact", [{ name: "Method", match: { kind: "exact", value: "sayHello" } }]),
      route("prefix", [{ name: "method", match: { kind: "prefix", value: "get" } }]),
      route("suffix", [{
        name: "method",
        match: { kind: "suffix", value: "ALL", ignoreCase: true },
      }]),
      route("regex", [{ name: "method", match: { kind: "regex", regex: "v[0-9]+" } }]),
      route("absent", [{ name: "user", match: { kind: "present", present: false } }]),
      route("inverted", [{ name: "user", match: { kind: "exact", value: "bob" }, invert: true }]),
      route("range", [{ name: "n", match: { kind: "range", start: 1, end: 10 } }]),
      route("protocol", [{
        name: "x-meta-protocol-application-protocol",
        match: { kind: "exact", value: "thrift" },
      }]),
    ],
  });
  const name = (o: Record<string, string>, protocol?: string) => t.match(md(o), protocol)?.name;
  assert.equal(name({ method: "sayHello", user: "u" }), "exact", "keys are lower-cased");
  assert.equal(name({ method: "getX", user: "u" }), "prefix");
  assert.equal(name({ method: "callall", user: "u" }), "suffix");
  assert.equal(name({ method: "v12", user: "u" }), "regex");
  assert.equal(name({ method: "v12x" }), "absent", "RE2 full match only");
  assert.equal(name({ method: "x", user: "ann" }), "inverted");
  assert.equal(name({ user: "bob", n: "3" }), "range");
  assert.equal(name({ user: "bob", n: "10" }), undefined);
  assert.equal(name({ user: "bob" }, "thrift"), "protocol");
});

Deno.test("pickCluster() uses random % total weight over cumulative ranges", () => {
  const [r] = new RouteTable({
    name: "t",
    routes: [route("w", [], {
      action: {
        target: {
          kind: "weighted",
          clusters: [{ name: "a", weight: 1 }, { name: "b", weight: 3 }],
        },
        hashPolicy: [],
        mirrors: [],
      },
    })],
  }).routes;
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => pickCluster(r, n)), [
    "a",
    "b",
    "b",
    "b",
    "a",
    "b",
  ]);
});

Deno.test("hashKey() hashes the sorted values, so key order does not matter", () => {
  const mk = (keys: string[]) =>
    new RouteTable({
      name: "t",
      routes: [route("h", [], {
        action: { target: { kind: "cluster", name: "h" }, hashPolicy: keys, mirrors: [] },
      })],
    }).routes[0];
  const m = md({ a: "x", b: "y" });
  assert.equal(hashKey(mk(["a", "b"]), m), hashKey(mk(["b", "a"]), m));
  assert.equal(hashKey(mk(["a", "missing"]), m), chainedXxh64(["", "x"]));
  assert.equal(hashKey(mk([]), m), undefined);
});

Deno.test("shouldMirror() honours the runtime fraction", () => {
  assert.equal(shouldMirror({ cluster: "m" }, 12345), true);
  const half = { cluster: "m", fraction: { numerator: 50, denominator: 100 } };
  assert.deepEqual([49, 50, 149, 150].map((r) => shouldMirror(half, r)), [
    true,
    false,
    true,
    false,
  ]);
});
