import assert from "node:assert/strict";
import { assertGolden } from "../../../tests/golden.ts";
import { contextOf, filterValue, redisService, render, serviceEntry } from "./_helpers_test.ts";
import { redisGenerator } from "./redis.ts";
import { outboundRedisProxy } from "./redis_proxy.ts";

const NS = "redis";
const MAIN = "main.redis.svc.cluster.local";
const main = serviceEntry("main", NS, {
  hosts: [MAIN],
  addresses: ["10.96.1.1"],
  ports: [{ number: 6379, name: "tcp-redis" }],
});
// A mirror target whose only port differs from both the listener and the main route's port.
const shadow = serviceEntry("shadow", NS, {
  hosts: ["shadow.redis.svc.cluster.local"],
  ports: [{ number: 7000, name: "tcp-redis-shadow" }],
});
const multi = serviceEntry("multi", NS, {
  hosts: ["multi.redis.svc.cluster.local"],
  ports: [{ number: 9000, name: "http" }, { number: 6400, name: "tcp-redis" }],
});

Deno.test("outboundRedisProxy() maps settings, mirrors and faults (Q6)", async () => {
  const rs = redisService("main", {
    host: [MAIN],
    settings: {
      opTimeout: "1.5s",
      caseInsensitive: true,
      enableCommandStats: true,
      enableHashtagging: true,
      enableRedirection: true,
      maxBufferSizeBeforeFlush: 1024,
      bufferFlushTimeout: "3ms",
      maxUpstreamUnknownConnections: 50,
      readPolicy: "PREFER_REPLICA",
      auth: { plain: { password: "secret", username: "app" } },
    },
    redis: [{
      match: { key: { prefix: "user:", removePrefix: true } },
      route: { host: MAIN, port: 6380 },
      mirror: [
        { route: { host: "shadow.redis.svc.cluster.local" }, percentage: { value: 12.5 } },
        { route: { host: "multi.redis.svc.cluster.local" }, excludeReadCommands: true },
        {
          route: { host: "unknown.redis.svc.cluster.local", port: 6390 },
          percentage: { value: 100 },
        },
      ],
    }],
    faults: [
      { type: "DELAY", delay: "2s", percentage: { value: 50 }, commands: ["GET"] },
      { type: "ERROR", percentage: { value: 0.1 } },
    ],
  });
  const ctx = contextOf({ serviceEntries: [main, shadow, multi], redisServices: [rs] }, MAIN);
  const out = render(redisGenerator, ctx, 6379);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(filterValue(out.envoyFilters[0]), {
    statPrefix: `outbound|6379||${MAIN}`,
    settings: {
      opTimeout: "1.500s",
      enableHashtagging: true,
      enableRedirection: true,
      maxBufferSizeBeforeFlush: 1024,
      bufferFlushTimeout: "0.003s",
      maxUpstreamUnknownConnections: 50,
      enableCommandStats: true,
      readPolicy: "PREFER_REPLICA",
    },
    prefixRoutes: {
      routes: [{
        prefix: "user:",
        removePrefix: true,
        cluster: `outbound|6380||${MAIN}`,
        requestMirrorPolicy: [
          {
            // The mirror's own only port, not the main route's 6380.
            cluster: "outbound|7000||shadow.redis.svc.cluster.local",
            runtimeFraction: { defaultValue: { numerator: 125000, denominator: "MILLION" } },
          },
          // Same port number as the listener; no percentage mirrors everything.
          { cluster: "outbound|6400||multi.redis.svc.cluster.local", excludeReadCommands: true },
          {
            cluster: "outbound|6390||unknown.redis.svc.cluster.local",
            runtimeFraction: { defaultValue: { numerator: 1000000, denominator: "MILLION" } },
          },
        ],
      }],
      caseInsensitive: true,
    },
    downstreamAuthPassword: { inlineString: "secret" },
    faults: [
      {
        faultEnabled: { defaultValue: { numerator: 500000, denominator: "MILLION" } },
        delay: "2s",
        commands: ["GET"],
      },
      {
        faultType: "ERROR",
        faultEnabled: { defaultValue: { numerator: 1000, denominator: "MILLION" } },
      },
    ],
    downstreamAuthUsername: { inlineString: "app" },
  });
  await assertGolden("generate/native/redis_settings.yaml", out.yaml);
});

Deno.test("outboundRedisProxy() keeps MASTER, the zero read policy, out of the JSON", () => {
  const rs = redisService("main", {
    host: [MAIN],
    settings: { readPolicy: "MASTER" },
    redis: [{ route: { host: MAIN } }],
  });
  const { value } = outboundRedisProxy(
    contextOf({ serviceEntries: [main], redisServices: [rs] }, MAIN),
    { number: 6379, name: "tcp-redis" },
  );
  assert.deepEqual(value?.settings, { opTimeout: "60s" });
});

Deno.test("outboundRedisProxy() reports duplicate prefixes and catch-alls and keeps the first", () => {
  const rs = redisService("main", {
    host: [MAIN],
    settings: { caseInsensitive: true },
    redis: [
      { match: { key: { prefix: "a" } }, route: { host: MAIN } },
      { match: { key: { prefix: "A" } }, route: { host: "shadow.redis.svc.cluster.local" } },
      { route: { host: MAIN } },
      { route: { host: "shadow.redis.svc.cluster.local" } },
    ],
  });
  const ctx = contextOf({ serviceEntries: [main, shadow], redisServices: [rs] }, MAIN);
  const out = render(redisGenerator, ctx, 6379);
  assert.deepEqual(filterValue(out.envoyFilters[0]).prefixRoutes, {
    routes: [{ prefix: "a", cluster: `outbound|6379||${MAIN}` }],
    caseInsensitive: true,
    catchAllRoute: { cluster: `outbound|6379||${MAIN}` },
  });
  assert.deepEqual(out.problems.map((p) => [p.object, p.field, p.message]), [
    [
      "RedisService/redis/main",
      "spec.redis[1]",
      'Remove or merge route 1: it has prefix "A" again, so it is never used',
    ],
    [
      "RedisService/redis/main",
      "spec.redis[3]",
      "Remove or merge route 3: it has a second route without match, so it is never used",
    ],
  ]);
});

Deno.test("outboundRedisProxy() leaves out a fault without percentage and says so", () => {
  const rs = redisService("main", {
    host: [MAIN],
    redis: [{ route: { host: MAIN } }],
    faults: [{ type: "ERROR", commands: ["SET"] }],
  });
  const { value, problems } = outboundRedisProxy(
    contextOf({ serviceEntries: [main], redisServices: [rs] }, MAIN),
    { number: 6379, name: "tcp-redis" },
  );
  assert.equal(value?.faults, undefined);
  assert.deepEqual(problems, [{
    object: "RedisService/redis/main",
    field: "spec.faults[0].percentage",
    message: "Set the percentage of requests fault 0 applies to: it is left out until then",
  }]);
});

Deno.test("outboundRedisProxy() picks the RedisService of the service's earliest host, first by name", () => {
  const two = serviceEntry("two", NS, {
    hosts: ["b.redis.svc.cluster.local", "a.redis.svc.cluster.local"],
    addresses: ["10.96.1.2"],
    ports: [{ number: 6379, name: "tcp-redis" }],
  });
  const forA = redisService("aa", {
    host: ["a.redis.svc.cluster.local"],
    redis: [{ route: { host: MAIN } }],
  });
  const forB1 = redisService("zz", {
    host: ["b.redis.svc.cluster.local"],
    redis: [{ route: { host: MAIN } }],
  });
  const forB2 = redisService("mm", {
    host: ["b.redis.svc.cluster.local"],
    redis: [{ route: { host: "x.redis" } }],
  });
  const ctx = contextOf(
    { serviceEntries: [two, main], redisServices: [forB1, forA, forB2] },
    two.spec.hosts[0],
  );
  const { value } = outboundRedisProxy(ctx, { number: 6379, name: "tcp-redis" });
  assert.equal(value?.statPrefix, "outbound|6379||b.redis.svc.cluster.local");
  assert.deepEqual(value?.prefixRoutes, { catchAllRoute: { cluster: "outbound|6379||x.redis" } });
});

Deno.test("outboundRedisProxy() tells a catch-all route from any prefix", () => {
  const rs = redisService("main", {
    host: [MAIN],
    redis: [
      { route: { host: MAIN } },
      { match: { key: { prefix: "catch-all" } }, route: { host: MAIN } },
      { match: { key: {} }, route: { host: MAIN } },
    ],
  });
  const { value, problems } = outboundRedisProxy(
    contextOf({ serviceEntries: [main], redisServices: [rs] }, MAIN),
    { number: 6379, name: "tcp-redis" },
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(value?.prefixRoutes, {
    routes: [
      { prefix: "catch-all", cluster: `outbound|6379||${MAIN}` },
      // A key match with no prefix is a prefix route for "" (upstream does the same).
      { cluster: `outbound|6379||${MAIN}` },
    ],
    catchAllRoute: { cluster: `outbound|6379||${MAIN}` },
  });
});
