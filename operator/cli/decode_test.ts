import assert from "node:assert/strict";
import thrift from "thrift";
import { memoryIo } from "./command.ts";
import { decodeCommand } from "./decode.ts";
import { main } from "./main.ts";
import {
  dubboFrame,
  hessianBody,
  requestFrame as dubboRequest,
} from "../../codecs/dubbo/_testing.ts";
import { ACK, ethernet, SYN } from "./_capture_testing.ts";
import { kvFrame } from "../../examples/codecs/kv_codec.ts";
import {
  bytes,
  requestFrame,
  responseFrame,
  streamFrame,
  streamInitFrame,
  transInfo,
} from "../../codecs/trpc/_testing.ts";

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

async function decode(args: string[], stdin: Uint8Array = new Uint8Array()) {
  const io = memoryIo(stdin);
  const code = await decodeCommand.run(args, io);
  const lines = io.stdout().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  return { code, lines, stderr: io.stderr() };
}

const HELLO = requestFrame({
  request_id: 1,
  caller: bytes("trpc.app.client.Caller"),
  callee: bytes("trpc.test.helloworld.Greeter"),
  func: bytes("/trpc.test.helloworld.Greeter/SayHello"),
  trans_info: transInfo({ "Trpc-Env": "test" }),
}, bytes("body"));

Deno.test("decodeCommand prints one JSON line per tRPC message from standard input", async () => {
  const second = requestFrame({ request_id: 2, call_type: 1, func: bytes("/a/B") });
  const { code, lines, stderr } = await decode(["--protocol", "trpc", "-"], concat(HELLO, second));
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.deepEqual(lines, [
    {
      type: "request",
      requestId: "1",
      status: "ok",
      metadata: {
        "trpc-env": "test",
        caller: "trpc.app.client.Caller",
        callee: "trpc.test.helloworld.Greeter",
        func: "/trpc.test.helloworld.Greeter/SayHello",
      },
      size: HELLO.length,
    },
    {
      type: "oneway",
      requestId: "2",
      status: "ok",
      metadata: { caller: "", callee: "", func: "/a/B" },
      size: second.length,
    },
  ]);
});

Deno.test("decodeCommand reads a file and decodes the response side", async () => {
  const file = await Deno.makeTempFile({ suffix: ".bin" });
  try {
    await Deno.writeFile(file, responseFrame({ request_id: 7, ret: 21, error_msg: bytes("late") }));
    const { code, lines } = await decode(["--side=response", "--protocol=trpc", file]);
    assert.equal(code, 0);
    assert.deepEqual(lines.map((l) => [l.type, l.requestId, l.status, l.metadata]), [
      ["response", "7", "error", { error_msg: "late" }],
    ]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("decodeCommand shows the stream id of stream frames", async () => {
  const init = streamInitFrame(5, { request_meta: { func: bytes("/a/B") } });
  const { lines } = await decode(
    ["--protocol", "trpc", "-"],
    concat(init, streamFrame(2, 5, bytes("x"))),
  );
  assert.deepEqual(lines.map((l) => [l.type, l.streamId]), [["stream_init", 5], [
    "stream_data",
    5,
  ]]);
});

Deno.test("decodeCommand reports invalid bytes with their absolute offset", async () => {
  const garbage = new Uint8Array([0x12, 0x34, 0, 0]);
  const { code, lines, stderr } = await decode(["--protocol", "trpc", "-"], concat(HELLO, garbage));
  assert.equal(code, 1);
  assert.equal(lines.length, 1);
  assert.equal(
    stderr,
    `<stdin>: byte ${HELLO.length}: Cannot decode tRPC frame: magic is 0x1234, expected 0x0930\n`,
  );
});

Deno.test("decodeCommand decodes what is complete and warns about a frame cut off at the end", async () => {
  const cut = concat(HELLO, HELLO.subarray(0, 10));
  const { code, lines, stderr } = await decode(["--protocol", "trpc", "-"], cut);
  assert.equal(code, 0);
  assert.equal(lines.length, 1);
  assert.equal(
    stderr,
    `<stdin>: byte ${HELLO.length}: warning: Cannot decode the last trpc message: the input ends ` +
      `inside it (10 of its ${HELLO.length} bytes are here)\n`,
  );
});

Deno.test("decodeCommand decodes Dubbo requests written by hessian.js", async () => {
  const frame = dubboRequest({ method: "sayHello", attachments: { group: "blue" } }, 99n);
  const { code, lines } = await decode(["--protocol", "dubbo", "-"], frame);
  assert.equal(code, 0);
  assert.equal(lines.length, 1);
  assert.deepEqual([lines[0].type, lines[0].requestId, lines[0].size], [
    "request",
    "99",
    frame.length,
  ]);
  assert.equal(lines[0].metadata.method, "sayHello");
  assert.equal(lines[0].metadata.group, "blue");
});

Deno.test("decodeCommand decodes framed binary Thrift written by the thrift package", async () => {
  // deno-lint-ignore no-explicit-any
  const t = thrift as any;
  const chunks: Uint8Array[] = [];
  const transport = new t.TFramedTransport(
    undefined,
    (b: Uint8Array) => chunks.push(new Uint8Array(b)),
  );
  const protocol = new t.TBinaryProtocol(transport);
  for (const seq of [17, 18]) {
    protocol.writeMessageBegin("sayHello", t.Thrift.MessageType.CALL, seq);
    protocol.writeStructBegin("args");
    protocol.writeFieldBegin("name", t.Thrift.Type.STRING, 1);
    protocol.writeString("world");
    protocol.writeFieldEnd();
    protocol.writeFieldStop();
    protocol.writeStructEnd();
    protocol.writeMessageEnd();
    transport.flush();
  }
  const { code, lines } = await decode(["--protocol", "thrift", "-"], concat(...chunks));
  assert.equal(code, 0);
  assert.deepEqual(lines.map((l) => [l.type, l.requestId, l.metadata.method]), [
    ["request", "17", "sayHello"],
    ["request", "18", "sayHello"],
  ]);
});

Deno.test("decodeCommand lists the known protocols for an unknown one", async () => {
  const { code, stderr } = await decode(["--protocol", "kafka", "-"]);
  assert.equal(code, 2);
  assert.equal(
    stderr,
    `Cannot decode: unknown protocol "kafka" (known: brpc, dubbo, thrift, trpc)\n`,
  );
});

Deno.test("decodeCommand rejects bad arguments with exit status 2", async () => {
  for (
    const args of [
      ["-"],
      ["--protocol", "trpc"],
      ["--protocol", "trpc", "--side", "both", "-"],
      ["--protocol", "trpc", "--bogus", "-"],
      ["--protocol"],
    ]
  ) {
    const { code, stderr } = await decode(args);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, /^Cannot decode: .*\n\nUsage:/, args.join(" "));
  }
  const missing = await decode(["--protocol", "trpc", "/no/such/file.bin"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Cannot read "\/no\/such\/file.bin": /);
});

Deno.test("main() loads decode lazily and prints its usage", async () => {
  const io = memoryIo();
  assert.equal(await main(["help", "decode"], io), 0);
  assert.match(io.stdout(), /^Usage: deno task aeraki decode --protocol/);
});

Deno.test("decodeCommand decodes with a codec module of the user's own (--codec)", async () => {
  const module = new URL("../../examples/codecs/kv_codec.ts", import.meta.url).pathname;
  const stream = concat(
    kvFrame(1, 7, [["Service", "Greeter"], ["method", "Hello"]], bytes("{}")),
    kvFrame(3, 8, []),
  );
  const { code, lines, stderr } = await decode(["--codec", module, "-"], stream);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.deepEqual(lines, [
    {
      type: "request",
      requestId: "7",
      status: "ok",
      metadata: { service: "Greeter", method: "Hello" },
      size: 47,
    },
    { type: "heartbeat", requestId: "8", status: "ok", metadata: {}, size: 14 },
  ]);
  // Named by its protocol beside the built-in ones, and the built-ins still answer.
  assert.equal((await decode(["--codec", module, "--protocol", "kv", "-"], stream)).code, 0);
  const dubbo = await decode(["--codec", module, "--protocol", "dubbo", "-"], dubboRequest({}));
  assert.equal(dubbo.lines[0].metadata.method, "sayHello");
});

Deno.test("decodeCommand says what is wrong with a codec module", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/none.ts`, "export const x = 1;\n");
    await Deno.writeTextFile(
      `${dir}/half.ts`,
      'export default { name: "n", protocol: "p", decode() {} };\n',
    );
    const cases: [string, RegExp][] = [
      [`${dir}/missing.ts`, /cannot load codec module ".*missing\.ts"/],
      [`${dir}/none.ts`, /exports no codec \(export it as default, or as "codec"\)/],
      [`${dir}/half.ts`, /lacks encode, errorReply, heartbeatReply/],
    ];
    for (const [path, expected] of cases) {
      const { code, stderr } = await decode(["--codec", path, "-"]);
      assert.equal(code, 2, path);
      assert.match(stderr, expected);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeCommand reads a capture: connections, capture order, and what it misses", async () => {
  const client = "10.1.0.5:43210";
  const server = "10.1.0.9:20880";
  const request = (id: bigint) => [...dubboRequest({ attachments: { n: String(id) } }, id)];
  const response = (
    id: bigint,
  ) => [...dubboFrame(0x02, 20, id, hessianBody(4, "ok", { n: String(id) }))];
  const capture = ethernet([
    { src: client, dst: server, seq: 1000, flags: SYN, time: 1 },
    { src: server, dst: client, seq: 5000, flags: SYN | ACK, time: 1.1 },
    { src: client, dst: server, seq: 1001, data: request(1n), time: 2 },
    { src: server, dst: client, seq: 5001, data: response(1n), time: 3 },
    { src: client, dst: server, seq: 1001 + request(1n).length, data: request(2n), time: 4 },
  ]);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/calls.pcap`, capture);
    const { code, lines, stderr } = await decode(["--protocol", "dubbo", `${dir}/calls.pcap`]);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.deepEqual(
      lines.map((l) => [l.time, l.side, l.type, l.requestId, l.metadata.n, l.connection]),
      [
        [2, "request", "request", "1", "1", `${client} > ${server}`],
        [3, "response", "response", "1", "1", `${client} > ${server}`],
        [4, "request", "request", "2", "2", `${client} > ${server}`],
      ],
    );
    // A response whose first packet the capture lost: the rest cannot be framed.
    const lossy = ethernet([
      { src: server, dst: client, seq: 7000, data: response(3n).slice(0, 10), time: 1 },
      { src: server, dst: client, seq: 7020, data: response(3n).slice(20), time: 2 },
    ]);
    await Deno.writeFile(`${dir}/lossy.pcap`, lossy);
    const broken = await decode(["--protocol", "dubbo", "--port", "20880", `${dir}/lossy.pcap`]);
    assert.equal(broken.code, 1);
    assert.match(
      broken.stderr,
      /lossy\.pcap: 10\.1\.0\.5:43210 > 10\.1\.0\.9:20880 \(responses\): the capture misses 10 bytes after byte 10/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeCommand decodes a capture cut mid-packet, warns, and selects connections by --port", async () => {
  const a = "10.1.0.5:43210";
  const b = "10.1.0.6:43211";
  const server = "10.1.0.9:20880";
  const other = "10.1.0.9:9090";
  const req = (id: bigint) => [...dubboRequest({ attachments: { n: String(id) } }, id)];
  const capture = ethernet([
    { src: a, dst: server, seq: 1000, flags: SYN, time: 1 },
    { src: server, dst: a, seq: 5000, flags: SYN | ACK, time: 1 },
    { src: a, dst: server, seq: 1001, data: req(1n), time: 2 },
    { src: b, dst: other, seq: 1, data: req(7n), time: 2.5 },
    { src: a, dst: server, seq: 1001 + req(1n).length, data: req(2n), time: 3 },
  ]);
  // tcpdump stopped while writing packet 5: 30 of its bytes reached the file.
  const cut = capture.subarray(0, capture.length - (req(2n).length + 54) + 30);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/cut.pcap`, cut);
    const all = await decode(["--protocol", "dubbo", `${dir}/cut.pcap`]);
    assert.equal(all.code, 0);
    assert.deepEqual(all.lines.map((l) => [l.requestId, l.connection]), [
      ["1", `${a} > ${server}`],
      ["7", `${b} > ${other}`],
    ]);
    assert.equal(
      all.stderr,
      `${dir}/cut.pcap: warning: packet 5 is cut off: the file ends 30 of its ${
        req(2n).length + 54
      } bytes in; the packets before it are decoded\n`,
    );
    const one = await decode(["--protocol", "dubbo", "--port", "9090", `${dir}/cut.pcap`]);
    assert.equal(one.code, 0);
    assert.deepEqual(one.lines.map((l) => l.requestId), ["7"]);
    const none = await decode(["--protocol", "dubbo", "--port", "1234", `${dir}/cut.pcap`]);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /warning: the capture holds no TCP data to or from port 1234\n$/);
    // A stream that ends inside a message: a warning naming the packet, exit status 0.
    const midFrame = ethernet([
      { src: a, dst: server, seq: 1001, data: req(1n), time: 1 },
      { src: a, dst: server, seq: 1001 + req(1n).length, data: req(2n).slice(0, 20), time: 2 },
    ]);
    await Deno.writeFile(`${dir}/mid.pcap`, midFrame);
    const mid = await decode(["--protocol", "dubbo", "--port", "20880", `${dir}/mid.pcap`]);
    assert.equal(mid.code, 0);
    assert.equal(mid.lines.length, 1);
    assert.equal(
      mid.stderr,
      `${dir}/mid.pcap: ${a} > ${server} (requests): packet 2, byte ${req(1n).length}: warning: ` +
        `Cannot decode the last dubbo message: the input ends inside it (20 of its ${
          req(2n).length
        } bytes are here)\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
