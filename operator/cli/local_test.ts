import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
import { runLocal } from "./local.ts";
import { main } from "./main.ts";

Deno.test("aeraki local refuses bad arguments with the usage and exit 2", async () => {
  for (
    const [args, message] of [
      [[], /give the folder to run/],
      [["a", "b"], /give one folder, not "a" and "b"/],
      [
        ["a", "--xds-port", "70000"],
        /Cannot use --xds-port "70000": give a whole number from 0 to 65535/,
      ],
      [["a", "--bogus"], /unknown option "--bogus"/],
    ] as const
  ) {
    const io = memoryIo();
    assert.equal(await main(["local", ...args], io), 2);
    assert.match(io.stderr(), message);
    assert.match(io.stderr(), /Usage: deno task aeraki local DIR/);
  }
});

Deno.test("aeraki local fails with exit 1 when the folder does not exist", async () => {
  const io = memoryIo();
  assert.equal(await main(["local", "/nonexistent/aeraki-local", "--quiet"], io), 1);
  assert.match(io.stderr(), /^Cannot read the folder "\/nonexistent\/aeraki-local": /);
});

Deno.test("runLocal() serves the folder until a signal, then closes the xDS server", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aeraki-local-cli-" });
  const io = memoryIo();
  try {
    const done = runLocal({ dir, xdsPort: 0, debounceMs: 20, quiet: true }, {
      io,
      signals: ["SIGUSR2"],
    });
    let port = 0;
    for (let i = 0; i < 2000 && port === 0; i++) {
      port = Number(io.stderr().match(/xDS server on 127\.0\.0\.1:(\d+)/)?.[1] ?? 0);
      if (port === 0) await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(port > 0, io.stderr());
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    Deno.kill(Deno.pid, "SIGUSR2");
    assert.equal(await done, 0);
    assert.match(io.stderr(), /Applied 0 objects[\s\S]*Stopped\n$/);
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
