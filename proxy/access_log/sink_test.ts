import assert from "node:assert/strict";
import type { AccessLogEntry, ListenerModel } from "../config/model.ts";
import { BufferedWriter, createAccessLogs, type LogWriter } from "./sink.ts";

function target() {
  const chunks: string[] = [];
  return {
    chunks,
    writeSync(p: Uint8Array) {
      // Write at most 5 bytes per call, as a pipe may: the writer must loop.
      chunks.push(new TextDecoder().decode(p.subarray(0, 5)));
      return Math.min(5, p.length);
    },
  };
}

Deno.test("BufferedWriter batches lines until flush or the size limit, and loops on short writes", () => {
  const t = target();
  const w = new BufferedWriter(t, { maxBufferBytes: 12 });
  w.write("abc\n");
  w.write("def\n");
  assert.deepEqual(t.chunks, []);
  w.write("ghij\n");
  assert.equal(t.chunks.join(""), "abc\ndef\nghij\n");
  w.write("k\n");
  w.close();
  assert.equal(t.chunks.join(""), "abc\ndef\nghij\nk\n");
});

Deno.test("BufferedWriter reports a failing target once and keeps serving", () => {
  const errors: string[] = [];
  const w = new BufferedWriter({
    writeSync: () => {
      throw new Error("disk full");
    },
  }, { onError: (e) => errors.push(e.message) });
  w.write("a\n");
  w.flush();
  w.write("b\n");
  w.flush();
  assert.deepEqual(errors, ["disk full"]);
});

Deno.test("createAccessLogs() formats each listener's sinks and shares one writer per path", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/access.log`;
  const sink = (template: string) => ({
    name: "envoy.access_loggers.file",
    config: { path, format: { kind: "text", template }, omitEmptyValues: false },
  });
  const listener = {
    name: "l",
    accessLogs: [sink("A %ROUTE_NAME%\n"), sink("B %BYTES_SENT%\n")],
  } as unknown as ListenerModel;
  const logs = createAccessLogs([listener]);
  const e = { routeName: "r1", bytesSent: 7 } as AccessLogEntry;
  logs.callback(listener, 0, e);
  logs.callback(listener, 1, e);
  assert.equal(await Deno.readTextFile(path), "");
  logs.close();
  assert.equal(await Deno.readTextFile(path), "A r1\nB 7\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("createAccessLogs() refuses a bad format before any traffic", () => {
  const listener = {
    name: "l",
    accessLogs: [{
      name: "x",
      config: {
        path: "/dev/null",
        format: { kind: "text", template: "%BAD%" },
        omitEmptyValues: false,
      },
    }],
  } as unknown as ListenerModel;
  const opened: string[] = [];
  const open = (p: string): LogWriter => (opened.push(p), { write() {}, flush() {}, close() {} });
  assert.throws(
    () => createAccessLogs([listener], { open }),
    /Cannot use access log "x" of listener "l": Cannot format "%BAD%"/,
  );
});
