import assert from "node:assert/strict";
import { assertEnvoyConfig } from "../../../tests/envoy_proto.ts";
import type { MetaRouter } from "../../../api/mod.ts";
import { buildHeaderMatchers } from "./header_match.ts";
import { buildAccessLog, buildTracing, DEFAULT_JSON_FORMAT } from "./observability.ts";
import { buildGlobalRateLimit, buildLocalRateLimit, protoDuration } from "./rate_limit.ts";

const router = (spec: Partial<MetaRouter["spec"]>): MetaRouter => ({
  apiVersion: "metaprotocol.aeraki.io/v1alpha1",
  kind: "MetaRouter",
  metadata: { name: "r", namespace: "demo" },
  spec: { hosts: ["svc.demo.svc.cluster.local"], ...spec },
});

Deno.test("buildHeaderMatchers() sorts attributes and treats {} and regex * as presence", () => {
  assert.deepEqual(
    buildHeaderMatchers({
      attributes: {
        version: { regex: "*" },
        method: { prefix: "say" },
        app: {},
        id: { regex: "a+" },
      },
    }),
    [
      { name: "app", presentMatch: true },
      { name: "id", safeRegexMatch: { googleRe2: {}, regex: "a+" } },
      { name: "method", prefixMatch: "say" },
      { name: "version", presentMatch: true },
    ],
  );
  assert.deepEqual(buildHeaderMatchers(undefined), []);
});

Deno.test("protoDuration() writes 0, 3, 6 or 9 fractional digits like protojson", () => {
  assert.equal(protoDuration("100ms"), "0.100s");
  assert.equal(protoDuration("60s"), "60s");
  assert.equal(protoDuration("1m30s"), "90s");
  assert.equal(protoDuration("1.5us"), "0.000001500s");
  assert.equal(protoDuration("250us"), "0.000250s");
  assert.equal(protoDuration("soon"), undefined);
});

Deno.test("buildLocalRateLimit() drops conditions without a bucket and decodes as the proto", () => {
  const { filter, problems } = buildLocalRateLimit(router({
    localRateLimit: {
      conditions: [{
        match: { attributes: { method: { exact: "sayHello" } } },
        tokenBucket: { maxTokens: 2, tokensPerFill: 2, fillInterval: "30s" },
      }],
    },
  }));
  assert.deepEqual(problems, []);
  assert.equal(filter?.name, "aeraki.meta_protocol.filters.local_ratelimit");
  const { "@type": type, ...config } = filter?.config ?? {};
  assert.equal(config.tokenBucket, undefined);
  assertEnvoyConfig(String(type), config);
});

Deno.test("buildLocalRateLimit() reports a limit without bucket or conditions", () => {
  const { filter, problems } = buildLocalRateLimit(router({ localRateLimit: {} }));
  assert.equal(filter, undefined);
  assert.equal(problems[0].field, "spec.localRateLimit");
});

Deno.test("buildGlobalRateLimit() defaults the timeout to 20ms and matches everything without match", () => {
  const { filter } = buildGlobalRateLimit(router({
    globalRateLimit: {
      domain: "production",
      requestTimeout: "",
      rateLimitService: "outbound|8081||rls.demo.svc.cluster.local",
      descriptors: [{ property: "method", descriptorKey: "method" }],
    },
  }));
  const { "@type": type, ...config } = filter?.config ?? {};
  assert.equal(config.timeout, "0.020s");
  assert.deepEqual(config.match, {});
  assert.equal(config.failureModeDeny, undefined);
  assertEnvoyConfig(String(type), config);
});

Deno.test("buildTracing() follows the mesh config with Istio's defaults", () => {
  assert.equal(buildTracing({ enableTracing: false }), undefined);
  assert.deepEqual(buildTracing(undefined)?.randomSampling, { value: 1 });
  assert.deepEqual(
    buildTracing({ defaultConfig: { tracing: { sampling: 0 } } })?.randomSampling,
    {},
  );
});

Deno.test("buildAccessLog() writes JSON logs with Aeraki's keys or the user's format", () => {
  const json = buildAccessLog(
    { accessLogFile: "/dev/stdout", accessLogEncoding: "JSON" },
    "istio-system",
  );
  const log = json.accessLog[0] as { typedConfig: { logFormat: { jsonFormat: object } } };
  assert.deepEqual(
    Object.keys(log.typedConfig.logFormat.jsonFormat),
    Object.keys(DEFAULT_JSON_FORMAT),
  );
  const custom = buildAccessLog({
    accessLogFile: "/dev/stdout",
    accessLogEncoding: "JSON",
    accessLogFormat: '{"m": "%REQ(METHOD)%"}',
  }, "istio-system");
  assert.deepEqual(
    (custom.accessLog[0] as typeof log).typedConfig.logFormat.jsonFormat,
    { m: "%REQ(METHOD)%" },
  );
  const bad = buildAccessLog({
    accessLogFile: "/dev/stdout",
    accessLogEncoding: "JSON",
    accessLogFormat: "[%START_TIME%]",
  }, "istio-system");
  assert.equal(bad.problems[0].object, "ConfigMap/istio-system/istio");
  assert.equal(buildAccessLog({}, "istio-system").accessLog.length, 0);
});
