import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
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
    assert.match(io.stderr(), /Usage: deno task local DIR/);
  }
});

Deno.test("aeraki local fails with exit 1 when the folder does not exist", async () => {
  const io = memoryIo();
  assert.equal(await main(["local", "/nonexistent/aeraki-local", "--quiet"], io), 1);
  assert.match(io.stderr(), /^Cannot read the folder "\/nonexistent\/aeraki-local": /);
});
