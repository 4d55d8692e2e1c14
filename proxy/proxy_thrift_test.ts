import assert from "node:assert/strict";
import { connectClient, STACKS, startServer } from "../codecs/thrift/_test_peer.ts";
import { Req } from "../codecs/thrift/_test_service.ts";
import { startProxy } from "./proxy.ts";
import { testCluster, testModel, testRoute } from "./_testing.ts";

const THRIFT = "aeraki.meta_protocol.codec.thrift";

for (const s of STACKS) {
  for (const multiplexing of [false, true]) {
    Deno.test(`startProxy() forwards ${s.name} calls of the thrift library (multiplexing ${multiplexing})`, async () => {
      const server = await startServer(s, {
        sayHello: (req, result) => result(null, `hello ${req?.name}`),
        ping: () => {},
      });
      const proxy = await startProxy(
        testModel(THRIFT, "thrift", [testRoute("hello", { method: "sayHello" })], [
          testCluster("hello", [server.port]),
        ], { multiplexing }),
      );
      const port = proxy.ports.get("test")!;
      const clients = await Promise.all([1, 2, 3].map(() => connectClient(s, port)));
      try {
        const replies = await Promise.all(
          clients.flatMap(({ client }, c) =>
            [0, 1, 2, 3, 4].map((i) => client.sayHello(new Req({ name: `c${c}-${i}` })))
          ),
        );
        assert.deepEqual(
          replies,
          [0, 1, 2].flatMap((c) => [0, 1, 2, 3, 4].map((i) => `hello c${c}-${i}`)),
        );
        const counters = proxy.stats.snapshot().counters;
        assert.equal(counters.get("meta_protocol.thrift.test.response_success"), 15);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await proxy.close();
        await server.close();
      }
    });
  }
}
