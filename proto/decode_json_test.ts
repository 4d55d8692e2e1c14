import assert from "node:assert/strict";
import { decodeJson, type DecodeResult, encode, formatProblems, lookupType } from "./mod.ts";

const MPP = "aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy";
const ROUTE = "aeraki.meta_protocol_proxy.config.route.v1alpha";
const ISTIO_STATS =
  "type.googleapis.com/aeraki.meta_protocol_proxy.filters.istio_stats.v1alpha.IstioStats";

/** The decoded message as a plain object with snake_case keys and enum names. */
function plain(r: DecodeResult): Record<string, unknown> {
  if (!r.ok) assert.fail(formatProblems(r.problems));
  return r.type.toObject(r.message, { enums: String, longs: String, bytes: String });
}

function problems(r: DecodeResult): string[] {
  assert.equal(r.ok, false, "expected problems");
  return r.ok ? [] : formatProblems(r.problems).split("\n");
}

Deno.test("decodeJson() accepts lowerCamelCase and snake_case names", () => {
  const camel = plain(decodeJson(MPP, { statPrefix: "a", idleTimeout: "2s" }));
  const snake = plain(decodeJson(MPP, { stat_prefix: "a", idle_timeout: "2s" }));
  assert.deepEqual(camel, snake);
  assert.deepEqual(camel, { stat_prefix: "a", idle_timeout: { seconds: "2" } });
});

Deno.test("decodeJson() reports unknown fields with their JSON path", () => {
  const r = decodeJson(MPP, { routeConfig: { routes: [{ route: { cluster: "c" }, bogus: 1 }] } }, {
    path: "value",
  });
  assert.deepEqual(problems(r), [
    `value.routeConfig.routes[0].bogus: Unknown field "bogus" in ${ROUTE}.Route`,
  ]);
});

Deno.test("decodeJson() reports every problem, not just the first", () => {
  const r = decodeJson(MPP, { statPrefix: 1, codec: [], nope: true });
  assert.deepEqual(problems(r), [
    "statPrefix: Expected a string: got number 1",
    `codec: Expected an object (aeraki.meta_protocol_proxy.v1alpha.Codec): got an array`,
    `nope: Unknown field "nope" in ${MPP}`,
  ]);
});

Deno.test("decodeJson() rejects two members of one oneof and the same field twice", () => {
  const r = decodeJson(`${ROUTE}.RouteAction`, {
    cluster: "a",
    weightedClusters: { clusters: [] },
    hash_policy: [],
    hashPolicy: [],
  });
  assert.deepEqual(problems(r), [
    'weightedClusters: Cannot set "weightedClusters": oneof "cluster_specifier" already has "cluster"',
    'hashPolicy: Duplicate field "hashPolicy": "hash_policy" already sets it',
  ]);
});

Deno.test("decodeJson() decodes enums by name or number and rejects unknown names", () => {
  const src = "envoy.config.core.v3.ApiConfigSource";
  assert.deepEqual(plain(decodeJson(src, { apiType: "GRPC" })), { api_type: "GRPC" });
  assert.deepEqual(plain(decodeJson(src, { apiType: 2 })), { api_type: "GRPC" });
  assert.deepEqual(problems(decodeJson(src, { apiType: "GRPCC" })), [
    'apiType: Unknown value "GRPCC" for enum envoy.config.core.v3.ApiConfigSource.ApiType',
  ]);
});

Deno.test("decodeJson() reads wrappers as bare values and rejects the object form", () => {
  const tracing = "aeraki.meta_protocol_proxy.v1alpha.Tracing";
  assert.deepEqual(plain(decodeJson(tracing, { maxTagLength: 256 })), {
    max_tag_length: { value: 256 },
  });
  assert.deepEqual(problems(decodeJson(tracing, { maxTagLength: { value: 256 } })), [
    "maxTagLength: Expected a bare uint32 (google.protobuf.UInt32Value): got an object",
  ]);
  assert.deepEqual(problems(decodeJson(tracing, { maxTagLength: -1 })), [
    "maxTagLength: Integer number -1 is out of range for uint32",
  ]);
  const cb = "envoy.config.cluster.v3.CircuitBreakers.Thresholds";
  assert.deepEqual(plain(decodeJson(cb, { maxConnections: 4294967295, trackRemaining: true })), {
    max_connections: { value: 4294967295 },
    track_remaining: true,
  });
});

Deno.test("decodeJson() reads durations, timestamps, int64 strings and base64 bytes", () => {
  const d = (json: unknown) => decodeJson("google.protobuf.Duration", json);
  assert.deepEqual(plain(d("0.100s")), { nanos: 100_000_000 });
  assert.deepEqual(plain(d("-1.5s")), { seconds: "-1", nanos: -500_000_000 });
  assert.deepEqual(problems(d("60m")), [
    'Invalid duration "60m": expected seconds like "1.5s"',
  ]);
  const ts = plain(decodeJson("google.protobuf.Timestamp", "1970-01-02T00:00:01.5+01:00"));
  assert.deepEqual(ts, { seconds: String(86401 - 3600), nanos: 500_000_000 });
  assert.equal(decodeJson("google.protobuf.Timestamp", "2024-02-30T00:00:00Z").ok, false);
  const range = "envoy.type.v3.Int64Range";
  assert.deepEqual(plain(decodeJson(range, { start: "-9000000000", end: 5 })), {
    start: "-9000000000",
    end: "5",
  });
  assert.equal(decodeJson(range, { start: "1.5" }).ok, false);
  const bytes = plain(decodeJson("google.protobuf.BytesValue", "aGk_-w"));
  assert.deepEqual(bytes, { value: btoa("hi\u{3f}\u{fb}") });
  assert.equal(decodeJson("google.protobuf.BytesValue", "not base64!").ok, false);
});

Deno.test("decodeJson() reads Struct, Value, ListValue, FieldMask and Empty", () => {
  // protobufjs' bundled struct.proto names Value's fields in lowerCamelCase.
  const s = plain(decodeJson("google.protobuf.Struct", { a: [1, "x", null, { b: true }] }));
  assert.deepEqual(s, {
    fields: {
      a: {
        listValue: {
          values: [
            { numberValue: 1 },
            { stringValue: "x" },
            { nullValue: "NULL_VALUE" },
            { structValue: { fields: { b: { boolValue: true } } } },
          ],
        },
      },
    },
  });
  assert.deepEqual(plain(decodeJson("google.protobuf.FieldMask", "a.fooBar,c")), {
    paths: ["a.foo_bar", "c"],
  });
  assert.deepEqual(plain(decodeJson("google.protobuf.Empty", {})), {});
  assert.deepEqual(problems(decodeJson("google.protobuf.Empty", { x: 1 })), [
    'x: Unknown field "x" in google.protobuf.Empty',
  ]);
});

Deno.test("decodeJson() decodes maps and checks their key type", () => {
  const md = "envoy.config.core.v3.Metadata";
  assert.deepEqual(plain(decodeJson(md, { filterMetadata: { istio: { a: "b" } } })), {
    filter_metadata: { istio: { fields: { a: { stringValue: "b" } } } },
  });
  assert.deepEqual(problems(decodeJson(md, { filterMetadata: { istio: 3 } })), [
    "filterMetadata.istio: Expected an object (google.protobuf.Struct): got number 3",
  ]);
});

Deno.test("decodeJson() decodes Any into its embedded type and encodes it", () => {
  const filter = `${MPP.replace("MetaProtocolProxy", "MetaProtocolFilter")}`;
  const ok = decodeJson(filter, {
    name: "s",
    config: { "@type": ISTIO_STATS, destinationService: "h" },
  });
  const p = plain(ok);
  assert.deepEqual(p.config, { type_url: ISTIO_STATS, value: btoa("\n\x01h") });
  assert.deepEqual(problems(decodeJson(filter, { config: { "@type": ISTIO_STATS, bogus: 1 } })), [
    `config.bogus: Unknown field "bogus" in ${ISTIO_STATS.slice(20)}`,
  ]);
  assert.deepEqual(
    problems(decodeJson(filter, { config: { "@type": "type.googleapis.com/x.Y" } })),
    [
      'config["@type"]: Unknown message type "x.Y" in "@type"',
    ],
  );
  assert.deepEqual(problems(decodeJson(filter, { config: { destinationService: "h" } })), [
    'config["@type"]: Expected a type URL string in "@type": got undefined',
  ]);
  const wkt = plain(decodeJson("google.protobuf.Any", {
    "@type": "type.googleapis.com/google.protobuf.Duration",
    value: "1s",
  }));
  assert.deepEqual(wkt, {
    type_url: "type.googleapis.com/google.protobuf.Duration",
    value: "CAE=",
  });
});

Deno.test("decodeJson() checks a TypedStruct value against its type_url", () => {
  const ts = (value: unknown, typeUrl = `type.googleapis.com/${MPP}`) =>
    decodeJson("udpa.type.v1.TypedStruct", { type_url: typeUrl, value });
  assert.equal(ts({ statPrefix: "a", protocol: { name: "dubbo" } }).ok, true);
  assert.deepEqual(problems(ts({ protocol: { nam: "dubbo" } })), [
    'value.protocol.nam: Unknown field "nam" in aeraki.meta_protocol_proxy.v1alpha.ApplicationProtocol',
  ]);
  assert.deepEqual(problems(ts({}, "type.googleapis.com/nope.Nope")), [
    'type_url: Unknown message type "nope.Nope" in "type_url"',
  ]);
  const xds = decodeJson("xds.type.v3.TypedStruct", { typeUrl: ISTIO_STATS, value: { x: 1 } });
  assert.equal(problems(xds).length, 1);
});

Deno.test("decodeJson() returns a problem, not an exception, for a cyclic Struct", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const r = decodeJson("google.protobuf.Struct", cyclic);
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.problems.at(-1)!.message, /^Cannot decode google.protobuf.Struct: /);
});

Deno.test("decodeJson() reports an unknown message type at the root", () => {
  assert.deepEqual(decodeJson("type.googleapis.com/nope.Nope", {}), {
    ok: false,
    problems: [{ path: "", message: 'Unknown message type "nope.Nope"' }],
  });
});

Deno.test("encode() round-trips through protobufjs decode", () => {
  const json = { statPrefix: "s", protocol: { name: "thrift", multiplexing: true } };
  const r = encode(MPP, json);
  assert.ok(r.ok);
  const type = lookupType(MPP)!;
  assert.deepEqual(type.toObject(type.decode(r.bytes)), {
    stat_prefix: "s",
    protocol: { name: "thrift", multiplexing: true },
  });
  assert.equal(encode(MPP, { nope: 1 }).ok, false);
});

Deno.test("formatProblems() prints path: message, or the bare message at the root", () => {
  assert.equal(
    formatProblems([{ path: "a.b", message: "M1" }, { path: "", message: "M2" }]),
    "a.b: M1\nM2",
  );
});

Deno.test("decodeJson() accepts a single object for a repeated field only with singleAsList", () => {
  const json = { routes: { name: "default", route: { cluster: "c" } } };
  const type = "aeraki.meta_protocol_proxy.config.route.v1alpha.RouteConfiguration";
  const strict = decodeJson(type, json);
  assert.equal(strict.ok, false);
  if (!strict.ok) assert.match(strict.problems[0].message, /Expected an array/);
  const lenient = decodeJson(type, json, { singleAsList: true });
  assert.ok(lenient.ok);
  const routes = (lenient.message as unknown as { routes: { name: string }[] }).routes;
  assert.deepEqual(routes.map((r) => r.name), ["default"]);
});
