import assert from "node:assert/strict";
import { decodeMetaRouter } from "./decode.ts";
import { formatProblem } from "./problem.ts";

const HOST = "a.demo";
const ROUTE = { route: [{ destination: { host: HOST } }] };

function problems(spec: Record<string, unknown>, namespace = "demo"): string[] {
  const result = decodeMetaRouter({
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name: "r", namespace },
    spec: { hosts: [HOST], ...spec },
  });
  return result.ok ? [] : result.problems.map(formatProblem);
}

const LABEL_RULE =
  'letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';

/** Every rejection of Aeraki's MetaRouter webhook (spec §6): spec fields → expected problems. */
const CASES: ReadonlyArray<[string, Record<string, unknown>, string[]]> = [
  ["no host", { hosts: [], routes: [ROUTE] }, [
    "spec.hosts: Add the host to route: a MetaRouter needs exactly one host",
  ]],
  ["two hosts", { hosts: ["a.demo", "b.demo"], routes: [ROUTE] }, [
    "spec.hosts: Keep exactly one host: a MetaRouter routes one host, got 2",
  ]],
  ["host not an FQDN", { hosts: ["a_b.demo"], routes: [ROUTE] }, [
    `spec.hosts[0]: Fix the host "a_b.demo": label "a_b" must be a DNS-1123 label (${LABEL_RULE})`,
  ]],
  ["numeric top-level label", { hosts: ["10.0.0.1"], routes: [ROUTE] }, [
    'spec.hosts[0]: Fix the host "10.0.0.1": its top-level label "1" cannot be all digits',
  ]],
  ["host too long", { hosts: [`${"a".repeat(60)}.`.repeat(5) + "x"], routes: [ROUTE] }, [
    'spec.hosts[0]: Shorten the host to at most 255 characters: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." has 306',
  ]],
  ["nothing to do", {}, [
    "spec: Add routes, a localRateLimit or a globalRateLimit: the MetaRouter does nothing",
  ]],
  ["null route", { routes: [null] }, ["spec.routes[0]: Use an object: got null"]],
  ["empty attribute name", {
    routes: [{ ...ROUTE, match: { attributes: { "": { exact: "x" } } } }],
  }, [
    "spec.routes[0].match.attributes: Name every attribute: an attribute name is empty",
  ]],
  ["null attribute value", { routes: [{ ...ROUTE, match: { attributes: { method: null } } }] }, [
    "spec.routes[0].match.attributes.method: Use an object: got null",
  ]],
  ["empty regex", { routes: [{ ...ROUTE, match: { attributes: { method: { regex: "" } } } }] }, [
    "spec.routes[0].match.attributes.method.regex: Set a non-empty regex, or use an empty match {} to test presence",
  ]],
  ["regex not RE2", {
    routes: [{ ...ROUTE, match: { attributes: { method: { regex: "(?<=a)b" } } } }],
  }, [
    'spec.routes[0].match.attributes.method.regex: Rewrite the regex "(?<=a)b" in RE2 syntax: error parsing regexp: invalid named capture: `(?<=a)b`',
  ]],
  ["two kinds in one string match", {
    routes: [{ ...ROUTE, match: { attributes: { method: { exact: "a", regex: "b" } } } }],
  }, [
    'spec.routes[0].match.attributes.method: Keep only one of "exact", "regex": a string match has one kind',
  ]],
  ["empty mutation key and value", {
    routes: [{
      ...ROUTE,
      requestMutation: [{ key: "", value: "v" }],
      responseMutation: [{ key: "k", value: "" }],
    }],
  }, [
    "spec.routes[0].requestMutation[0].key: Set the mutation key: it is empty",
    "spec.routes[0].responseMutation[0].value: Set the mutation value: it is empty",
  ]],
  ["mutation without value", { routes: [{ ...ROUTE, requestMutation: [{ key: "k" }] }] }, [
    'spec.routes[0].requestMutation[0].value: Add the required field "value"',
  ]],
  ["mirrorPercentage without mirror", { routes: [{ ...ROUTE, mirrorPercentage: { value: 10 } }] }, [
    "spec.routes[0].mirrorPercentage: Add a mirror destination or remove mirrorPercentage: it needs a mirror",
  ]],
  ["mirrorPercentage 0", {
    routes: [{ ...ROUTE, mirror: { host: HOST }, mirrorPercentage: { value: 0 } }],
  }, [
    "spec.routes[0].mirrorPercentage.value: Use a mirror percentage above 0 and at most 100: got 0",
  ]],
  ["mirrorPercentage over 100", {
    routes: [{ ...ROUTE, mirror: { host: HOST }, mirrorPercentage: { value: 100.5 } }],
  }, [
    "spec.routes[0].mirrorPercentage.value: Use a mirror percentage above 0 and at most 100: got 100.5",
  ]],
  ["mirror host not an FQDN", { routes: [{ ...ROUTE, mirror: { host: "" } }] }, [
    "spec.routes[0].mirror.host: Set a host: the name is empty",
  ]],
  ["mirror subset not a label", { routes: [{ ...ROUTE, mirror: { host: HOST, subset: "-v2" } }] }, [
    `spec.routes[0].mirror.subset: Rename the subset "-v2": it must be a DNS-1123 label (${LABEL_RULE})`,
  ]],
  ["destination host not an FQDN", { routes: [{ route: [{ destination: { host: "a..b" } }] }] }, [
    `spec.routes[0].route[0].destination.host: Fix the host "a..b": label "" must be a DNS-1123 label (${LABEL_RULE})`,
  ]],
  ["destination subset not a label", {
    routes: [{ route: [{ destination: { host: HOST, subset: "v1.0" } }] }],
  }, [
    `spec.routes[0].route[0].destination.subset: Rename the subset "v1.0": it must be a DNS-1123 label (${LABEL_RULE})`,
  ]],
  ["port out of range", {
    routes: [{ route: [{ destination: { host: HOST, port: { number: 65536 } } }] }],
  }, [
    "spec.routes[0].route[0].destination.port.number: Use a port number between 1 and 65535: got 65536",
  ]],
  ["port without number", { routes: [{ route: [{ destination: { host: HOST, port: {} } }] }] }, [
    'spec.routes[0].route[0].destination.port.number: Add the required field "number"',
  ]],
  ["no destination", { routes: [{ route: [] }] }, [
    "spec.routes[0].route: Add at least one destination: a route must send traffic somewhere",
  ]],
  ["route list missing", { routes: [{ name: "x" }] }, [
    'spec.routes[0].route: Add the required field "route"',
  ]],
  ["weight over 100", { routes: [{ route: [{ destination: { host: HOST }, weight: 120 }] }] }, [
    "spec.routes[0].route[0].weight: Use a weight of at most 100: got 120",
  ]],
  ["weights not adding up to 100", {
    routes: [{
      route: [
        { destination: { host: HOST, subset: "v1" }, weight: 20 },
        { destination: { host: HOST, subset: "v2" }, weight: 70 },
      ],
    }],
  }, ["spec.routes[0].route: Make the weights add up to 100: they add up to 90 (20 + 70)"]],
  ["exportTo . and own namespace", { routes: [ROUTE], exportTo: [".", "demo"] }, [
    'spec.exportTo[1]: Remove the duplicate entry "demo": entry 0 (".") already exports to "demo"',
  ]],
  ["exportTo duplicate", { routes: [ROUTE], exportTo: ["x", "x"] }, [
    'spec.exportTo[1]: Remove the duplicate entry "x": entry 0 ("x") already exports to "x"',
  ]],
  ["exportTo * not alone", { routes: [ROUTE], exportTo: ["*", "x"] }, [
    'spec.exportTo[0]: Remove the other entries or "*": "*" means every namespace and must stand alone',
  ]],
  ["exportTo ~ not alone", { routes: [ROUTE], exportTo: ["x", "~"] }, [
    'spec.exportTo[1]: Remove the other entries or "~": "~" means no namespace and must stand alone',
  ]],
  ["exportTo not a namespace", { routes: [ROUTE], exportTo: ["Bad_NS"] }, [
    'spec.exportTo[0]: Use ".", "*", "~" or a namespace name: got "Bad_NS"',
  ]],
  ["globalRateLimit without domain, service, descriptors", {
    globalRateLimit: { domain: "", rateLimitService: "", descriptors: [] },
  }, [
    "spec.globalRateLimit.domain: Set the rate-limit domain: it is empty",
    "spec.globalRateLimit.rateLimitService: Set the rate-limit service cluster: it is empty",
    "spec.globalRateLimit.descriptors: Add at least one descriptor: the rate-limit service needs a key",
  ]],
  ["globalRateLimit descriptor fields and match regex", {
    globalRateLimit: {
      domain: "d",
      rateLimitService: "rls",
      match: { attributes: { method: { regex: "a{1001}" } } },
      descriptors: [{ property: "", descriptorKey: "" }],
    },
  }, [
    'spec.globalRateLimit.match.attributes.method.regex: Rewrite the regex "a{1001}" in RE2 syntax: error parsing regexp: invalid repeat count: `{1001}`',
    "spec.globalRateLimit.descriptors[0].property: Set the descriptor property: it is empty",
    "spec.globalRateLimit.descriptors[0].descriptorKey: Set the descriptor key: it is empty",
  ]],
  ["localRateLimit without bucket or conditions", { localRateLimit: { conditions: [] } }, [
    "spec.localRateLimit: Add a tokenBucket or at least one condition: the local rate limit limits nothing",
  ]],
  ["token bucket zeros and no fillInterval", {
    localRateLimit: { tokenBucket: { maxTokens: 0, tokensPerFill: 0 } },
  }, [
    "spec.localRateLimit.tokenBucket.maxTokens: Set maxTokens to at least 1: got 0",
    "spec.localRateLimit.tokenBucket.tokensPerFill: Set tokensPerFill to at least 1: got 0",
    'spec.localRateLimit.tokenBucket.fillInterval: Add the required field "fillInterval"',
  ]],
  ["token bucket without tokensPerFill (Q7)", {
    localRateLimit: { tokenBucket: { maxTokens: 1, fillInterval: "1s" } },
  }, ['spec.localRateLimit.tokenBucket.tokensPerFill: Add the required field "tokensPerFill"']],
  ["condition without match or bucket", {
    localRateLimit: {
      conditions: [{ tokenBucket: { maxTokens: 1, tokensPerFill: 1, fillInterval: "1s" } }, {
        match: {},
      }],
    },
  }, [
    'spec.localRateLimit.conditions[0].match: Add the required field "match"',
    'spec.localRateLimit.conditions[1].tokenBucket: Add the required field "tokenBucket"',
  ]],
  ["unknown field", { routes: [ROUTE], exportto: ["x"] }, [
    'spec.exportto: Remove the unknown field "exportto" or fix its spelling',
  ]],
];

for (const [name, spec, expected] of CASES) {
  Deno.test(`decodeMetaRouter() rejects ${name}`, () => {
    assert.deepEqual(problems(spec), expected);
  });
}

Deno.test("decodeMetaRouter() rejects unknown top-level fields like the webhook", () => {
  const result = decodeMetaRouter({
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { name: "r" },
    spec: { hosts: [HOST], routes: [ROUTE] },
    extra: true,
  });
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    'extra: Remove the unknown field "extra" or fix its spelling',
  ]);
});

Deno.test("decodeMetaRouter() reports every problem of an object at once", () => {
  const found = problems({
    hosts: [],
    routes: [{ route: [{ destination: { host: HOST }, weight: 101 }] }],
    exportTo: ["*", "*"],
  });
  assert.equal(found.length, 4);
});
