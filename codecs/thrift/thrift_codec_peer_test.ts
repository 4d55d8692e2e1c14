import assert from "node:assert/strict";
import type { CodecError } from "../codec.ts";
import { thriftCodec, type ThriftDetail } from "./mod.ts";
import { connectClient, type Stack, STACKS, startServer } from "./_test_peer.ts";
import { startRelay } from "./_test_relay.ts";
import { NotFound, Req, Thrift } from "./_test_service.ts";
import type { Handler } from "./_test_service_rpc.ts";

const REJECTED: CodecError = {
  type: "RouteNotFound",
  message: "meta protocol router: no matched route for request '3'",
};

interface Seen {
  calls: { method: string; headers: Record<string, string> }[];
  pinged: Promise<string>;
}

function helloHandler(): Handler & Seen {
  let pinged: (name: string) => void = () => {};
  const seen: Seen = {
    calls: [],
    pinged: new Promise((resolve) => pinged = resolve),
  };
  return {
    ...seen,
    // The reply is written synchronously: the library's THeader server only answers with
    // a THeader while the request's headers are still the last thing it read.
    sayHello(req, result) {
      if (req?.name === "missing") result(new NotFound({ what: "no such person" }));
      else result(null, `Hello, ${req?.name} x${req?.count}`);
    },
    ping(req) {
      pinged(req?.name ?? "");
    },
    onHeaders(method, headers) {
      seen.calls.push({ method, headers });
    },
  };
}

async function exchange(s: Stack) {
  const handler = helloHandler();
  const server = await startServer(s, handler);
  const isHeader = s.expect.transport === "header";
  const relay = startRelay(server.port, {
    mutation: isHeader ? new Map([["x-route", "canary"], ["x-user", "bob"]]) : undefined,
    answer: (m) => m.requestId === 3n ? thriftCodec.errorReply(m, REJECTED) : undefined,
  });
  const { client, close } = await connectClient(
    s,
    relay.port,
    isHeader ? { "X-User": "alice" } : {},
  );
  try {
    const req = new Req({ name: "deno", count: 2, tags: ["a", "b"], scores: new Map([["x", 7]]) });
    const hello = await client.sayHello(req);
    const missing = await client.sayHello(new Req({ name: "missing" })).catch((e) => e);
    const rejected = await client.sayHello(new Req({ name: "anyone" })).catch((e) => e);
    client.ping(new Req({ name: "pinger" }));
    const pinged = await handler.pinged;
    return { handler, relay, hello, missing, rejected, pinged };
  } finally {
    await close();
    await relay.close();
    await server.close();
  }
}

for (const s of STACKS) {
  Deno.test(`thriftCodec.decode() relays a real thrift client and server (${s.name})`, async () => {
    const { relay, hello, missing, pinged } = await exchange(s);
    assert.deepEqual(relay.problems, []);
    assert.equal(hello, "Hello, deno x2");
    assert.ok(missing instanceof NotFound, `expected NotFound, got ${missing}`);
    assert.equal(missing.what, "no such person");
    assert.equal(pinged, "pinger");

    const requests = relay.requests.map((m) => [m.type, m.requestId, m.metadata.get("method")]);
    assert.deepEqual(requests, [
      ["request", 1n, "sayHello"],
      ["request", 2n, "sayHello"],
      ["request", 3n, "sayHello"],
      ["oneway", 4n, "ping"],
    ]);
    const responses = relay.responses.map((m) => [m.type, m.requestId, m.status]);
    assert.deepEqual(responses, [["response", 1n, "ok"], ["response", 2n, "error"]]);
    for (const m of [...relay.requests, ...relay.responses]) {
      const detail = m.detail as ThriftDetail;
      assert.deepEqual(
        { transport: detail.transport, protocol: detail.protocol, strict: detail.strict },
        s.expect,
      );
      assert.equal(m.headerSize + m.bodySize, m.frame.length);
    }
  });

  Deno.test(`thriftCodec.errorReply() reaches a real thrift client as a TApplicationException (${s.name})`, async () => {
    const { rejected, handler } = await exchange(s);
    assert.ok(rejected instanceof Thrift.TApplicationException, `got ${rejected}`);
    assert.equal(rejected.message, REJECTED.message);
    assert.equal(rejected.type, 6);
    // The rejected call never reached the server.
    assert.deepEqual(handler.calls.map((c) => c.method), ["sayHello", "sayHello", "ping"]);
  });
}

for (const s of STACKS.filter((s) => s.expect.transport === "header")) {
  Deno.test(`thriftCodec.encode() writes a mutation a real thrift server reads as THeader headers (${s.name})`, async () => {
    const { handler, relay } = await exchange(s);
    assert.equal(relay.requests[0].metadata.get("x-user"), "alice");
    for (const call of handler.calls) {
      assert.equal(call.headers["x-route"], "canary");
      // The mutation replaced the client's own header of the same name.
      assert.equal(call.headers["x-user"], "bob");
      assert.equal(call.headers["X-User"], undefined);
    }
  });
}
