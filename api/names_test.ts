import assert from "node:assert/strict";
import { Schema } from "effect";
import { fqdnProblem, isDns1123Label, PortNumber, subsetProblem, Uint32 } from "./names.ts";

Deno.test("isDns1123Label() follows Istio's label rule", () => {
  for (const ok of ["v1", "a", "A-b-9", "x".repeat(63)]) assert.ok(isDns1123Label(ok), ok);
  for (const bad of ["", "-a", "a-", "a_b", "a.b", "x".repeat(64)]) {
    assert.ok(!isDns1123Label(bad), bad);
  }
});

Deno.test("fqdnProblem() accepts the hosts of the demos", () => {
  for (
    const host of [
      "thrift-sample-server.meta-thrift.svc.cluster.local",
      "org.apache.dubbo.samples.basic.api.demoservice",
      "istio.io.",
      "localhost",
    ]
  ) assert.equal(fqdnProblem(host), undefined, host);
});

Deno.test("fqdnProblem() explains each rejection", () => {
  assert.equal(fqdnProblem(""), "Set a host: the name is empty");
  assert.match(fqdnProblem("a".repeat(256)) ?? "", /^Shorten the host to at most 255 characters/);
  assert.equal(
    fqdnProblem("svc.42"),
    'Fix the host "svc.42": its top-level label "42" cannot be all digits',
  );
  assert.match(fqdnProblem("a.b_c.d") ?? "", /^Fix the host "a.b_c.d": label "b_c" must be/);
  assert.match(fqdnProblem("*.demo") ?? "", /label "\*"/);
});

Deno.test("subsetProblem() treats an empty subset as none", () => {
  assert.equal(subsetProblem(""), undefined);
  assert.equal(subsetProblem("v1"), undefined);
  assert.match(subsetProblem("v1.2") ?? "", /^Rename the subset "v1.2"/);
});

Deno.test("PortNumber and Uint32 reject fractions and out-of-range numbers", () => {
  const port = Schema.is(PortNumber);
  assert.deepEqual([1, 65535, 0, 65536, 8.5].map(port), [true, true, false, false, false]);
  const u = Schema.is(Uint32);
  assert.deepEqual([0, 4294967295, -1, 4294967296, 1.5].map(u), [true, true, false, false, false]);
});
