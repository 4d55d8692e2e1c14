import assert from "node:assert/strict";
import type { ClusterModel } from "../config/model.ts";
import { createRateLimitClient } from "./client.ts";
import { startRateLimitServer } from "./_test_server.ts";

function cluster(name: string, ports: number[]): ClusterModel {
  return {
    name,
    type: "STATIC",
    endpoints: ports.map((port) => ({
      address: "127.0.0.1",
      port,
      weight: 1,
      health: "unknown" as const,
    })),
    connectTimeoutMs: 1000,
    lbPolicy: "ROUND_ROBIN",
  };
}

const request = (value: string, cluster = "rl") => ({
  cluster,
  domain: "production",
  descriptors: [{ entries: [{ key: "method", value }] }, {
    entries: [{ key: "foo", value: "bar" }],
  }],
  timeoutMs: 2000,
});

Deno.test("createRateLimitClient() asks ShouldRateLimit with one descriptor per entry and maps the code", async () => {
  const server = await startRateLimitServer((r) => {
    const d = r.descriptors as { entries: { value: string }[] }[];
    return d[0].entries[0].value === "limited" ? "OVER_LIMIT" : "OK";
  });
  const client = createRateLimitClient([cluster("rl", [server.port])]);
  try {
    assert.equal(await client(request("sayHello")), "ok");
    assert.equal(await client(request("limited")), "over_limit");
    assert.deepEqual(server.requests[0], {
      domain: "production",
      descriptors: [
        { entries: [{ key: "method", value: "sayHello" }] },
        { entries: [{ key: "foo", value: "bar" }] },
      ],
    });
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("createRateLimitClient() rejects on the deadline, an unknown cluster and a refused connection", async () => {
  const server = await startRateLimitServer(() => "hang");
  const closed = await startRateLimitServer(() => "OK");
  await closed.close();
  const client = createRateLimitClient([
    cluster("rl", [server.port]),
    cluster("down", [closed.port]),
    cluster("empty", []),
  ]);
  try {
    await assert.rejects(
      client({ ...request("x"), timeoutMs: 50 }),
      /Cannot check the rate limit: .*Deadline exceeded/i,
    );
    await assert.rejects(client(request("x", "nowhere")), /cluster "nowhere" has no endpoints/);
    await assert.rejects(client(request("x", "empty")), /cluster "empty" has no endpoints/);
    await assert.rejects(
      client(request("x", "down")),
      /Cannot check the rate limit: .*(UNAVAILABLE|No connection)/i,
    );
  } finally {
    client.close();
    await server.close();
  }
});
