import assert from "node:assert/strict";
import type { DubboAuthorizationPolicy } from "../../../api/mod.ts";
import { assertEnvoyConfig } from "../../../tests/envoy_proto.ts";
import { assertGolden } from "../../../tests/golden.ts";
import { contextOf, filterValue, render, serviceEntry } from "./_helpers_test.ts";
import { dubboGenerator } from "./dubbo.ts";
import { buildDubboRbacFilters, RBAC_TYPE_URL } from "./dubbo_rbac.ts";

const HOST = "org.apache.dubbo.samples.basic.api.demoservice";
const IFACE = "org.apache.dubbo.samples.basic.api.DemoService";
const provider = serviceEntry("dubbo-demoservice", "dubbo", {
  hosts: [HOST],
  addresses: ["240.240.0.1"],
  ports: [{ number: 20880, name: "tcp-dubbo" }],
  workloadSelector: { labels: { app: "dubbo-sample-provider" } },
}, { interface: IFACE });

function policy(
  name: string,
  spec: DubboAuthorizationPolicy["spec"],
): DubboAuthorizationPolicy {
  return {
    apiVersion: "dubbo.aeraki.io/v1alpha1",
    kind: "DubboAuthorizationPolicy",
    metadata: { name, namespace: "dubbo" },
    spec,
  } as DubboAuthorizationPolicy;
}

const DUBBO_FILTER_TYPE = "envoy.extensions.filters.network.dubbo_proxy.v3.DubboFilter";
const exact = (v: string) => ({ exact: v });
const regex = (r: string) => ({ safeRegex: { googleRe2: {}, regex: r } });
const meta = (key: string, m: unknown) => ({
  metadata: { filter: "envoy.filters.dubbo.rbac", path: [{ key }], value: { stringMatch: m } },
});
const principal = (m: unknown) => ({ authenticated: { principalName: m } });
const or = (rules: unknown[]) => ({ orRules: { rules } });
const orIds = (ids: unknown[]) => ({ orIds: { ids } });

function inboundFilters(policies: DubboAuthorizationPolicy[]) {
  const ctx = contextOf({ serviceEntries: [provider], dubboAuthorizationPolicies: policies }, HOST);
  const out = render(dubboGenerator, ctx, 20880);
  const inbound = out.envoyFilters.find((ef) =>
    (ef.spec as Record<string, unknown>).workloadSelector
  );
  assert.ok(inbound);
  return { out, filters: filterValue(inbound).dubboFilters as Record<string, unknown>[] };
}

const demo = policy("demo", {
  action: "ALLOW",
  rules: [{
    from: [{ source: { principals: ["cluster.local/ns/dubbo/sa/dubbo-consumer"] } }],
    to: [{ operation: { interfaces: [IFACE], methods: ["sayHello"] } }],
  }],
});

Deno.test("buildDubboRbacFilters() turns the spec's ALLOW example into an RBAC filter", async () => {
  const { out, filters } = inboundFilters([demo]);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(filters, [{
    name: "envoy.filters.dubbo.rbac",
    config: {
      "@type": RBAC_TYPE_URL,
      rules: {
        policies: {
          "ns[dubbo]-policy[demo]-rule[0]": {
            permissions: [{
              andRules: {
                rules: [
                  or([meta("method", exact("sayHello"))]),
                  or([meta("service", exact(IFACE))]),
                ],
              },
            }],
            principals: [{
              andIds: {
                ids: [
                  orIds([principal(exact("spiffe://cluster.local/ns/dubbo/sa/dubbo-consumer"))]),
                ],
              },
            }],
          },
        },
      },
      statPrefix: "dubbo.",
    },
  }, { name: "envoy.filters.dubbo.router" }]);
  await assertGolden("generate/native/dubbo_rbac_allow.yaml", out.yaml);
});

Deno.test("buildDubboRbacFilters() puts DENY before ALLOW and writes every value form and not-value", async () => {
  const deny = policy("deny-admin", {
    action: "DENY",
    rules: [{
      from: [
        { source: { namespaces: ["test-*"], notPrincipals: ["*/sa/admin"] } },
        { source: { principals: ["*"] } },
      ],
      to: [{ operation: { notMethods: ["get*", "list"], interfaces: ["*Service"] } }],
    }],
  });
  const { out, filters } = inboundFilters([demo, deny]);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(filters.map((f) => f.name), [
    "envoy.filters.dubbo.rbac",
    "envoy.filters.dubbo.rbac",
    "envoy.filters.dubbo.router",
  ]);
  const rules = (filters[0].config as { rules: Record<string, unknown> }).rules;
  assert.equal(rules.action, "DENY");
  assert.deepEqual(rules.policies, {
    "ns[dubbo]-policy[deny-admin]-rule[0]": {
      permissions: [{
        andRules: {
          rules: [
            { notRule: or([meta("method", { prefix: "get" }), meta("method", exact("list"))]) },
            or([meta("service", { suffix: "Service" })]),
          ],
        },
      }],
      principals: [
        {
          andIds: {
            ids: [
              { notId: orIds([principal(regex("spiffe://.*/sa/admin"))]) },
              orIds([principal(regex(".*/ns/test-.*/.*"))]),
            ],
          },
        },
        { andIds: { ids: [orIds([principal(regex(".+"))])] } },
      ],
    },
  });
  assert.equal((filters[1].config as { rules: Record<string, unknown> }).rules.action, undefined);
  await assertGolden("generate/native/dubbo_rbac_deny.yaml", out.yaml);
});

Deno.test("buildDubboRbacFilters() names policies after their own policy and rule index (Q5)", () => {
  const one = policy("a", { rules: [{}] });
  const three = policy("b", { rules: [{}, {}, { to: [{ operation: { methods: ["x*"] } }] }] });
  const { filters } = buildDubboRbacFilters([one, three]);
  const rules = (filters[0].config as { rules: { policies: Record<string, unknown> } }).rules;
  assert.deepEqual(Object.keys(rules.policies), [
    "ns[dubbo]-policy[a]-rule[0]",
    "ns[dubbo]-policy[b]-rule[0]",
    "ns[dubbo]-policy[b]-rule[1]",
    "ns[dubbo]-policy[b]-rule[2]",
  ]);
  // A rule without from/to matches everyone and everything.
  assert.deepEqual(rules.policies["ns[dubbo]-policy[a]-rule[0]"], {
    permissions: [{ andRules: { rules: [{ any: true }] } }],
    principals: [{ andIds: { ids: [{ any: true }] } }],
  });
  assertEnvoyConfig(DUBBO_FILTER_TYPE, filters[0]);
});

Deno.test("buildDubboRbacFilters() writes an ALLOW policy without rules as allow-nothing", () => {
  const { filters, problems } = buildDubboRbacFilters([policy("empty", {})]);
  assert.deepEqual(problems, []);
  assert.deepEqual(filters, [{
    name: "envoy.filters.dubbo.rbac",
    config: { "@type": RBAC_TYPE_URL, rules: {}, statPrefix: "dubbo." },
  }]);
  assertEnvoyConfig(DUBBO_FILTER_TYPE, filters[0]);
});

Deno.test("buildDubboRbacFilters() leaves an ALLOW rule with a bad value out and reports it", () => {
  const bad = policy("bad", {
    rules: [
      { to: [{ operation: { methods: ["say*Hello"] } }] },
      { to: [{ operation: { methods: ["sayHello"] } }] },
    ],
  });
  const { filters, problems } = buildDubboRbacFilters([bad]);
  const rules = (filters[0].config as { rules: { policies: Record<string, unknown> } }).rules;
  assert.deepEqual(Object.keys(rules.policies), ["ns[dubbo]-policy[bad]-rule[1]"]);
  assert.deepEqual(problems, [{
    object: "DubboAuthorizationPolicy/dubbo/bad",
    field: "spec.rules[0].to[0].operation.methods[0]",
    message: 'Fix the value "say*Hello": write "abc", "abc*", "*abc" or "*"; ' +
      "the rule is left out, so it allows nothing until then",
  }]);
});

Deno.test("buildDubboRbacFilters() never lets a bad value make a DENY rule deny less", () => {
  const bad = policy("bad-deny", {
    action: "DENY",
    rules: [{
      from: [{ source: { principals: ["cluster.local/ns/x/sa/y"] } }],
      // Upstream dropped just "" and kept "sayHello": it then denied only sayHello.
      to: [{ operation: { methods: ["sayHello", ""], interfaces: [IFACE] } }],
    }],
  });
  const { filters, problems } = buildDubboRbacFilters([bad]);
  const rules = (filters[0].config as { rules: { policies: Record<string, unknown> } }).rules;
  // The methods condition is left out: every method of the interface is denied to y.
  assert.deepEqual(rules.policies["ns[dubbo]-policy[bad-deny]-rule[0]"], {
    permissions: [{ andRules: { rules: [or([meta("service", exact(IFACE))])] } }],
    principals: [{
      andIds: { ids: [orIds([principal(exact("spiffe://cluster.local/ns/x/sa/y"))])] },
    }],
  });
  assert.equal(problems.length, 1);
  assert.equal(problems[0].field, "spec.rules[0].to[0].operation.methods[1]");
  assert.match(problems[0].message, /so it denies more requests until then$/);
  assertEnvoyConfig(DUBBO_FILTER_TYPE, filters[0]);
});

Deno.test("buildDubboRbacFilters() escapes regex characters of suffix principals and namespaces", () => {
  const p = policy("esc", {
    rules: [{ from: [{ source: { principals: ["*.local/ns/a/sa/b"], namespaces: ["*"] } }] }],
  });
  const { filters } = buildDubboRbacFilters([p]);
  const policies = (filters[0].config as { rules: { policies: Record<string, unknown> } }).rules
    .policies;
  assert.deepEqual(policies["ns[dubbo]-policy[esc]-rule[0]"], {
    permissions: [{ andRules: { rules: [{ any: true }] } }],
    principals: [{
      andIds: {
        ids: [
          orIds([principal(regex("spiffe://.*\\.local/ns/a/sa/b"))]),
          orIds([principal(regex(".*/ns/.*/.*"))]),
        ],
      },
    }],
  });
});

Deno.test("dubboGenerator() reports policy problems only where an inbound filter applies them", () => {
  const bad = policy("bad", { rules: [{ to: [{ operation: { methods: [""] } }] }] });
  const noSelector = serviceEntry("client", "dubbo", {
    hosts: ["client.dubbo"],
    addresses: ["240.240.0.9"],
    ports: [{ number: 20880, name: "tcp-dubbo" }],
  }, { interface: IFACE });
  const ctx = contextOf(
    { serviceEntries: [noSelector], dubboAuthorizationPolicies: [bad] },
    "client.dubbo",
  );
  assert.deepEqual(render(dubboGenerator, ctx, 20880).problems, []);
  assert.equal(inboundFilters([bad]).out.problems.length, 1);
});
