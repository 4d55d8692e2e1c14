/**
 * `aeraki decode` on real captures: Dubbo calls over loopback captured by tcpdump (pcap) and
 * by dumpcap, Wireshark's capture engine (pcapng), then decoded into the calls in capture
 * order. CI installs both (`_tools/install_peers.sh`); without them, or without the right to
 * capture, these tests are reported as ignored, never passed.
 */
import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
import { decodeCommand } from "./decode.ts";
import { dubboFrame, hessianBody, typicalRequest } from "../../codecs/dubbo/_testing.ts";

/**
 * A capture tool, how to start it on loopback (the calls' port and a probe port), and what it
 * says once it captures: tcpdump once it listens; dumpcap, which announces itself before it
 * captures, once it has counted a probe connection's packets.
 */
const TOOLS = {
  tcpdump: {
    args: (file: string, filter: string) => ["-i", "lo", "-U", "-w", file, filter],
    ready: /listening on/,
  },
  dumpcap: {
    args: (file: string, filter: string) => ["-i", "lo", "-f", filter, "-w", file],
    ready: /Packets: [1-9]/,
  },
} as const;

function missing(tool: string): string | undefined {
  if (Deno.build.os !== "linux") return "captures on loopback are tested on Linux";
  try {
    new Deno.Command(tool, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
  } catch {
    return `${tool} is not installed`;
  }
  return Deno.uid?.() === 0 ? undefined : "capturing needs root";
}

/** Three Dubbo calls, answered, over one loopback connection. */
async function dubboCalls(listener: Deno.TcpListener): Promise<void> {
  const port = listener.addr.port;
  const served = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(65536);
    for (let i = 1; i <= 3; i++) {
      let got = 0;
      while (got < 577) got += (await conn.read(buf.subarray(got))) ?? 577;
      const reply = dubboFrame(0x02, 20, BigInt(i), hessianBody(4, `ok ${i}`, { zone: `z${i}` }));
      await conn.write(reply);
    }
    conn.close();
  })();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buf = new Uint8Array(65536);
  for (let i = 1; i <= 3; i++) {
    await conn.write(typicalRequest(BigInt(i)));
    let got = 0;
    while (got < 32) got += (await conn.read(buf.subarray(got))) ?? 32;
  }
  conn.close();
  await served;
}

async function decodeFile(file: string) {
  const io = memoryIo(new Uint8Array());
  const code = await decodeCommand.run(["--protocol", "dubbo", file], io);
  const lines = io.stdout().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  return { code, lines, stderr: io.stderr() };
}

/** Everything a capture tool has written to its standard error so far. */
function collect(stream: ReadableStream<Uint8Array>): { text: string; done: Promise<void> } {
  const log = { text: "", done: Promise.resolve() };
  log.done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (log.text += chunk) }),
  );
  return log;
}

/**
 * Opens connections to the probe listener until the tool's log shows `pattern`, so the capture
 * is known to run before the calls begin (at most 20 seconds).
 */
async function waitFor(log: { text: string }, pattern: RegExp, probe: Deno.TcpListener) {
  for (let i = 0; i < 400 && !pattern.test(log.text); i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: probe.addr.port });
    (await probe.accept()).close();
    conn.close();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(log.text, pattern, "the capture tool did not start");
}

for (const [tool, how] of Object.entries(TOOLS)) {
  const why = missing(tool);
  Deno.test({
    name: `decodeCommand decodes a ${tool} capture of Dubbo calls in capture order`,
    ignore: why !== undefined,
    async fn() {
      const dir = await Deno.makeTempDir();
      await Deno.chmod(dir, 0o777); // tcpdump writes as its own user
      const file = `${dir}/calls.${tool === "tcpdump" ? "pcap" : "pcapng"}`;
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const filter = `tcp port ${listener.addr.port} or tcp port ${probe.addr.port}`;
      const capture = new Deno.Command(tool, {
        args: how.args(file, filter),
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const log = collect(capture.stderr);
      try {
        await waitFor(log, how.ready, probe);
        await dubboCalls(listener);
        // The capture writes as packets arrive: wait until all six messages are in the file
        // and it does not end inside a packet.
        let result = await decodeFile(file).catch(() => undefined);
        for (
          let i = 0;
          i < 200 && ((result?.lines.length ?? 0) < 6 || result?.stderr !== "");
          i++
        ) {
          await new Promise((r) => setTimeout(r, 50));
          result = await decodeFile(file).catch(() => undefined);
        }
        assert.ok(result !== undefined);
        assert.equal(result.stderr, "");
        assert.equal(result.code, 0);
        const port = listener.addr.port;
        assert.deepEqual(
          result.lines.map((
            l,
          ) => [l.side, l.type, l.requestId, l.metadata.zone ?? l.metadata.method]),
          [
            ["request", "request", "1", "greet"],
            ["response", "response", "1", "z1"],
            ["request", "request", "2", "greet"],
            ["response", "response", "2", "z2"],
            ["request", "request", "3", "greet"],
            ["response", "response", "3", "z3"],
          ],
        );
        for (const line of result.lines) {
          assert.match(
            line.connection,
            new RegExp(`^127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:${port}$`),
          );
          assert.equal(typeof line.time, "number");
        }
        // The same capture cut inside its last packet, as when the tool is killed mid-write:
        // every complete message still decodes (the last one too, unless the cut packet held
        // its end), and the cut is a warning.
        const bytes = await Deno.readFile(file);
        await Deno.writeFile(`${file}.cut`, bytes.subarray(0, bytes.length - 10));
        const cut = await decodeFile(`${file}.cut`);
        assert.equal(cut.code, 0, cut.stderr);
        assert.ok(cut.lines.length >= 5, cut.stderr);
        assert.deepEqual(cut.lines, result.lines.slice(0, cut.lines.length));
        assert.match(
          cut.stderr,
          /\.cut: warning: (packet \d+|the block after packet \d+ \(at byte \d+\)) is cut off: the file ends \d+ of its \d+ bytes in; the packets before it are decoded\n$/,
        );
      } finally {
        capture.kill("SIGINT");
        await capture.status;
        await log.done;
        listener.close();
        probe.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
