import assert from "node:assert/strict";
import {
  applicationProtocolFromPortName,
  portNameProblem,
  protocolFromPortName,
} from "./port_protocol.ts";

Deno.test("protocolFromPortName() passes Aeraki's port-name table", () => {
  const table: Array<[string, string | undefined]> = [
    ["tcp-dubbo", "dubbo"],
    ["tcp-Dubbo", "dubbo"],
    ["tcp-Dubbo-28001", "dubbo"],
    ["grpc-dubbo", "dubbo"],
    ["Dubbo", undefined],
    ["tcp-unknown", undefined],
    ["tcp-metaprotocol", "metaprotocol"],
    ["tcp", undefined],
    ["http", undefined],
    ["tcp-thrift", "thrift"],
    ["tcp-redis-6379", "redis"],
    ["tcp-kafka", "kafka"],
    ["tcp-zookeeper", "zookeeper"],
    ["tcp-mongo", "mongo"],
    ["tcp-mysql", "mysql"],
    ["tcp-metaprotocol-thrift-hello-server", "metaprotocol"],
  ];
  for (const [name, expected] of table) {
    assert.equal(protocolFromPortName(name), expected, name);
  }
});

Deno.test("protocolFromPortName() recognises registered custom protocols only", () => {
  assert.equal(protocolFromPortName("tcp-custom"), undefined);
  assert.equal(protocolFromPortName("tcp-custom", { registered: ["custom"] }), "custom");
  assert.equal(protocolFromPortName("tcp-CUSTOM-1", { registered: ["Custom"] }), "custom");
});

Deno.test("applicationProtocolFromPortName() returns the third segment", () => {
  assert.deepEqual(applicationProtocolFromPortName("tcp-metaprotocol-thrift-hello-server"), {
    ok: true,
    value: "thrift",
  });
  assert.deepEqual(applicationProtocolFromPortName("tcp-metaprotocol-dubbo"), {
    ok: true,
    value: "dubbo",
  });
});

Deno.test("applicationProtocolFromPortName() explains a missing application protocol (Q1)", () => {
  assert.deepEqual(applicationProtocolFromPortName("tcp-metaprotocol"), {
    ok: false,
    message:
      'Add the application protocol to the port name, e.g. "tcp-metaprotocol-thrift": "tcp-metaprotocol" names none',
  });
  assert.equal(applicationProtocolFromPortName("tcp-metaprotocol-").ok, false);
});

Deno.test("applicationProtocolFromPortName() rejects non-MetaProtocol names", () => {
  assert.deepEqual(applicationProtocolFromPortName("tcp-dubbo"), {
    ok: false,
    message:
      'Name the port "tcp-metaprotocol-<protocol>[-suffix]" to use MetaProtocol: got "tcp-dubbo"',
  });
});

Deno.test("portNameProblem() only objects to MetaProtocol names without a protocol", () => {
  assert.equal(portNameProblem("http-web"), undefined);
  assert.equal(portNameProblem("tcp-metaprotocol-trpc"), undefined);
  assert.match(portNameProblem("tcp-MetaProtocol") ?? "", /^Add the application protocol/);
});
