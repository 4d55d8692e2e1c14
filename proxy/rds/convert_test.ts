import assert from "node:assert/strict";
import { convertRouteConfiguration } from "./convert.ts";

Deno.test("convertRouteConfiguration() converts Aeraki's served 20/80 split (control-plane spec §5)", () => {
  const name = "thrift-sample-server.meta-thrift.svc.cluster.local_9090";
  const r = convertRouteConfiguration(
    {
      name,
      virtual_hosts: [{
        name: "dummy",
        domains: ["*"],
        routes: [{
          name: "traffic-split",
          match: { prefix: "/", headers: [{ name: "method", exact_match: "sayHello" }] },
          route: {
            weighted_clusters: {
              clusters: [
                {
                  name: "outbound|9090|v1|thrift-sample-server.meta-thrift.svc.cluster.local",
                  weight: { value: 20 },
                },
                {
                  name: "outbound|9090|v2|thrift-sample-server.meta-thrift.svc.cluster.local",
                  weight: { value: 80 },
                },
              ],
              total_weight: { value: 100 },
            },
          },
        }],
      }],
    },
    name,
    "7",
  );
  assert.deepEqual(r, {
    ok: true,
    table: {
      name,
      version: "7",
      routes: [{
        name: "traffic-split",
        match: [{ name: "method", match: { kind: "exact", value: "sayHello" } }],
        action: {
          target: {
            kind: "weighted",
            clusters: [
              {
                name: "outbound|9090|v1|thrift-sample-server.meta-thrift.svc.cluster.local",
                weight: 20,
              },
              {
                name: "outbound|9090|v2|thrift-sample-server.meta-thrift.svc.cluster.local",
                weight: 80,
              },
            ],
          },
          hashPolicy: [],
          mirrors: [],
        },
        requestMutation: [],
        responseMutation: [],
      }],
    },
  });
});

Deno.test("convertRouteConfiguration() maps hash policy, mirrors, header mutations, timeout and retries", () => {
  const r = convertRouteConfiguration(
    {
      name: "t",
      virtual_hosts: [{
        routes: [{
          name: "r",
          match: { prefix: "/" },
          route: {
            cluster: "c",
            hash_policy: [{ header: { header_name: "Method" } }],
            request_mirror_policies: [
              { cluster: "always" },
              {
                cluster: "half",
                runtime_fraction: { default_value: { numerator: 500000, denominator: "MILLION" } },
              },
            ],
            timeout: { seconds: 1, nanos: 500_000_000 },
            retry_policy: {
              retry_on: "connect-failure,reset",
              num_retries: { value: 2 },
              per_try_timeout: { nanos: 200_000_000 },
            },
          },
          request_headers_to_add: [{ header: { key: "foo", value: "bar" } }],
          response_headers_to_add: [{ header: { key: "x", value: "y" } }],
        }],
      }, { routes: [{ name: "ignored", route: { cluster: "other" } }] }],
    },
    "t",
    "1",
  );
  assert.ok(r.ok);
  const route = r.table.routes[0];
  assert.equal(r.table.routes.length, 1, "only virtual_hosts[0] is used");
  assert.deepEqual(route.action, {
    target: { kind: "cluster", name: "c" },
    hashPolicy: ["method"],
    // Upstream copies an unset default_value (numerator 0) and never mirrors; we always do.
    mirrors: [{ cluster: "always" }, {
      cluster: "half",
      fraction: { numerator: 500000, denominator: 1_000_000 },
    }],
    timeoutMs: 1500,
    retryPolicy: { numRetries: 2, retryOn: ["connect-failure", "reset"], perTryTimeoutMs: 200 },
  });
  assert.deepEqual(route.requestMutation, [{ key: "foo", value: "bar" }]);
  assert.deepEqual(route.responseMutation, [{ key: "x", value: "y" }]);
});

Deno.test("convertRouteConfiguration() rejects a wrong name, a route without action and unknown retry_on", () => {
  assert.deepEqual(convertRouteConfiguration({ name: "a" }, "b", "1"), {
    ok: false,
    error: 'Cannot use route configuration "a": expected "b"',
  });
  const redirect = convertRouteConfiguration(
    { name: "b", virtual_hosts: [{ routes: [{ name: "x", redirect: {} }] }] },
    "b",
    "1",
  );
  assert.deepEqual(redirect, {
    ok: false,
    error:
      'Cannot use route configuration "b": route 0 ("x"): only route actions are supported (no redirect or direct_response)',
  });
  const retry = convertRouteConfiguration(
    {
      name: "b",
      virtual_hosts: [{
        routes: [{ name: "x", route: { cluster: "c", retry_policy: { retry_on: "5xx" } } }],
      }],
    },
    "b",
    "1",
  );
  assert.equal(retry.ok, false);
  assert.match(!retry.ok ? retry.error : "", /cannot retry on "5xx"/);
  const empty = convertRouteConfiguration({ name: "b" }, "b", "1");
  assert.deepEqual(empty, { ok: true, table: { name: "b", version: "1", routes: [] } });
});
