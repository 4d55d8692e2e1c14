import assert from "node:assert/strict";
import {
  decodeApplicationProtocol,
  decodeDubboAuthorizationPolicy,
  decodeRedisDestination,
  decodeRedisService,
} from "./decode.ts";
import { type Decoded, formatProblem } from "./problem.ts";

function obj(apiVersion: string, kind: string, spec: unknown, namespace?: string) {
  return { apiVersion, kind, metadata: { name: "x", ...(namespace ? { namespace } : {}) }, spec };
}
function value<T>(result: Decoded<T>): T {
  if (!result.ok) assert.fail(result.problems.map(formatProblem).join("\n"));
  return result.value;
}
function problems(result: Decoded<unknown>): string[] {
  return result.ok ? [] : result.problems.map(formatProblem);
}

const AP = "metaprotocol.aeraki.io/v1alpha1";
const REDIS = "redis.aeraki.io/v1alpha1";
const DUBBO = "dubbo.aeraki.io/v1alpha1";

Deno.test("decodeApplicationProtocol() decodes a cluster-scoped protocol", () => {
  const spec = { protocol: "trpc", codec: "aeraki.meta_protocol.codec.trpc" };
  assert.deepEqual(
    value(decodeApplicationProtocol(obj(AP, "ApplicationProtocol", spec))).spec,
    spec,
  );
});

Deno.test("decodeApplicationProtocol() requires protocol and codec", () => {
  assert.deepEqual(
    problems(decodeApplicationProtocol(obj(AP, "ApplicationProtocol", { codec: "" }))),
    [
      'spec.protocol: Add the required field "protocol"',
      'spec.codec: Set the codec name, e.g. "aeraki.meta_protocol.codec.thrift": it is empty',
    ],
  );
});

const REDIS_SERVICE = {
  host: ["redis.redis.svc.cluster.local"],
  settings: {
    caseInsensitive: true,
    opTimeout: "1s",
    enableCommandStats: true,
    maxBufferSizeBeforeFlush: 1024,
    bufferFlushTimeout: "3ms",
    maxUpstreamUnknownConnections: 10,
    enableHashtagging: true,
    enableRedirection: true,
    readPolicy: "PREFER_REPLICA",
    auth: { secret: { name: "s", passwordField: "pw", usernameField: "user" } },
  },
  redis: [
    {
      match: { key: { prefix: "cluster", removePrefix: true } },
      route: { host: "c.redis", port: 6379 },
    },
    {
      route: { host: "single.redis" },
      mirror: [{
        route: { host: "m.redis", port: 6380 },
        percentage: { value: 10 },
        excludeReadCommands: true,
      }],
    },
  ],
  faults: [
    { type: "DELAY", percentage: { value: 50 }, delay: "2s", commands: ["GET"] },
    { type: "ERROR", percentage: { value: 5 } },
  ],
};

Deno.test("decodeRedisService() decodes every field", () => {
  assert.deepEqual(
    value(decodeRedisService(obj(REDIS, "RedisService", REDIS_SERVICE, "redis"))).spec,
    REDIS_SERVICE,
  );
});

Deno.test("decodeRedisService() names each bad field", () => {
  const bad = {
    ...REDIS_SERVICE,
    host: [],
    settings: {
      readPolicy: "NEAREST",
      opTimeout: "1",
      auth: { plain: { password: "p" }, secret: { name: "s" } },
    },
    redis: [{ route: { host: "" } }],
    faults: [{ percentage: { value: 101 } }],
  };
  assert.deepEqual(problems(decodeRedisService(obj(REDIS, "RedisService", bad, "redis"))), [
    "spec.host: Add at least one host the rules apply to",
    'spec.settings.opTimeout: Write the duration as a number with a unit (ns, us, ms, s, m, h), e.g. "100ms" or "1.5s": got "1"',
    'spec.settings.readPolicy: Use one of "MASTER", "PREFER_MASTER", "REPLICA", "PREFER_REPLICA", "ANY": got "NEAREST"',
    'spec.settings.auth: Keep only one of "secret" and "plain": auth has one source',
    "spec.redis[0].route.host: Set a host: the name is empty",
    "spec.faults[0].percentage.value: Use a percentage between 0 and 100: got 101",
  ]);
  assert.deepEqual(
    problems(decodeRedisService(obj(REDIS, "RedisService", { host: ["a.b"], redis: [] }))),
    [
      "spec.redis: Add at least one route: a route without match catches all keys",
    ],
  );
});

const REDIS_DESTINATION = {
  host: "redis.redis.svc.cluster.local",
  trafficPolicy: {
    connectionPool: {
      tcp: {
        maxConnections: 100,
        connectTimeout: "2s",
        tcpKeepalive: { probes: 3, time: "10s", interval: "5s" },
      },
      redis: {
        mode: "CLUSTER",
        auth: { plain: { password: "p", username: "u" } },
        discoveryEndpoints: ["redis-0:6379", "redis-1"],
      },
    },
  },
};

Deno.test("decodeRedisDestination() decodes every field", () => {
  assert.deepEqual(
    value(decodeRedisDestination(obj(REDIS, "RedisDestination", REDIS_DESTINATION, "redis"))).spec,
    REDIS_DESTINATION,
  );
});

Deno.test("decodeRedisDestination() names each bad field", () => {
  const bad = {
    host: "bad_host",
    trafficPolicy: {
      connectionPool: {
        tcp: { maxConnections: -1 },
        redis: {
          mode: "SENTINEL",
          discoveryEndpoints: ["a:b:c"],
          auth: { plain: { password: "" } },
        },
      },
    },
  };
  assert.deepEqual(problems(decodeRedisDestination(obj(REDIS, "RedisDestination", bad))), [
    'spec.host: Fix the host "bad_host": label "bad_host" must be a DNS-1123 label (letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)',
    "spec.trafficPolicy.connectionPool.tcp.maxConnections: Use a number between 0 and 4294967295: got -1",
    'spec.trafficPolicy.connectionPool.redis.mode: Use one of "PROXY", "CLUSTER": got "SENTINEL"',
    "spec.trafficPolicy.connectionPool.redis.auth.plain.password: Set the password: it is empty",
    'spec.trafficPolicy.connectionPool.redis.discoveryEndpoints[0]: Write the discovery endpoint as "host" or "host:port": got "a:b:c"',
  ]);
});

const DAP = {
  action: "DENY",
  rules: [{
    from: [{
      source: {
        principals: ["cluster.local/ns/dubbo/sa/dubbo-consumer"],
        notPrincipals: ["*-admin"],
        namespaces: ["dubbo"],
        notNamespaces: ["kube*"],
      },
    }],
    to: [{
      operation: {
        interfaces: ["org.apache.dubbo.samples.basic.api.DemoService"],
        notInterfaces: ["*"],
        methods: ["sayHello"],
        notMethods: ["say*"],
      },
    }],
  }],
};

Deno.test("decodeDubboAuthorizationPolicy() decodes every field", () => {
  assert.deepEqual(
    value(decodeDubboAuthorizationPolicy(obj(DUBBO, "DubboAuthorizationPolicy", DAP, "dubbo")))
      .spec,
    DAP,
  );
  assert.deepEqual(
    value(decodeDubboAuthorizationPolicy(obj(DUBBO, "DubboAuthorizationPolicy", {}))).spec,
    {},
  );
});

Deno.test("decodeDubboAuthorizationPolicy() rejects an unknown action and inner wildcards", () => {
  const bad = { action: "AUDIT", rules: [{ to: [{ operation: { methods: ["say*Hello", ""] } }] }] };
  assert.deepEqual(
    problems(decodeDubboAuthorizationPolicy(obj(DUBBO, "DubboAuthorizationPolicy", bad))),
    [
      'spec.rules[0].to[0].operation.methods[0]: Put "*" only at the start or end of "say*Hello": values are exact, "abc*", "*abc" or "*"',
      'spec.rules[0].to[0].operation.methods[1]: Set a value: use "*" to match any',
      'spec.action: Use one of "ALLOW", "DENY": got "AUDIT"',
    ],
  );
});
