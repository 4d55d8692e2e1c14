import assert from "node:assert/strict";
import { EMPTY_SNAPSHOT } from "../generate/mod.ts";
import { objectSources, problemSources } from "./sources.ts";

function se(ns: string, name: string, host: string, port: string) {
  return {
    kind: "ServiceEntry",
    metadata: { namespace: ns, name },
    spec: { hosts: [host], ports: [{ number: 9000, name: port }] },
  };
}

const snapshot = {
  ...EMPTY_SNAPSHOT,
  serviceEntries: [
    se("a", "redis", "redis.a.svc.cluster.local", "tcp-redis"),
    se("a", "dubbo", "dubbo.a.svc.cluster.local", "tcp-dubbo"),
    se("b", "dubbo", "dubbo.b.svc.cluster.local", "tcp-dubbo"),
    se("a", "trpc", "trpc.a.svc.cluster.local", "tcp-metaprotocol-trpc-echo"),
    se("b", "thrift", "thrift.b.svc.cluster.local", "tcp-metaprotocol-thrift-x"),
  ],
} as never;

const raw = new Map<string, { kind: string; spec: unknown }>([
  ["RedisService/a/rs", { kind: "RedisService", spec: { host: ["redis.a.svc.cluster.local"] } }],
  ["RedisDestination/a/rd", {
    kind: "RedisDestination",
    spec: { host: "redis.a.svc.cluster.local" },
  }],
  ["DubboAuthorizationPolicy/a/p", { kind: "DubboAuthorizationPolicy", spec: {} }],
  ["ApplicationProtocol/trpc", { kind: "ApplicationProtocol", spec: { protocol: "trpc" } }],
  ["MetaRouter/b/r", { kind: "MetaRouter", spec: { hosts: ["nothing.b.svc.cluster.local"] } }],
]);

Deno.test("objectSources() maps each Aeraki kind to the services it feeds", () => {
  const sourcesOf = objectSources(snapshot, {
    raw,
    origins: new Map([["ServiceEntry/b/thrift", "Service/b/thrift"]]),
  });
  assert.deepEqual(sourcesOf("RedisService/a/rs"), ["ServiceEntry/a/redis"]);
  assert.deepEqual(sourcesOf("RedisDestination/a/rd"), ["ServiceEntry/a/redis"]);
  assert.deepEqual(sourcesOf("DubboAuthorizationPolicy/a/p"), ["ServiceEntry/a/dubbo"]);
  assert.deepEqual(sourcesOf("ApplicationProtocol/trpc"), ["ServiceEntry/a/trpc"]);
  assert.deepEqual(sourcesOf("MetaRouter/b/r"), []);
  assert.deepEqual(sourcesOf("Service/b/thrift"), ["ServiceEntry/b/thrift"]);
  assert.deepEqual(sourcesOf("ServiceEntry/a/x"), ["ServiceEntry/a/x"]);
});

Deno.test("problemSources() keeps a bad RedisService's service on its last good", () => {
  const sourcesOf = problemSources(snapshot, { raw, origins: new Map() });
  assert.deepEqual(
    sourcesOf({ object: "RedisService/a/rs", field: "spec.redis", message: "x" }),
    ["ServiceEntry/a/redis"],
  );
});
