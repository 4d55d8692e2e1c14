/**
 * Golden files: `assertGolden(name, actual)` compares `actual` with `tests/golden/<name>`.
 * Refresh them only on purpose, with `REFRESH_GOLDEN=1 deno task test`, and review the diff.
 *
 * @module
 */
import assert from "node:assert/strict";

const GOLDEN_DIR = new URL("./golden/", import.meta.url);

/** Asserts that `actual` equals the golden file `name` (or rewrites it under REFRESH_GOLDEN=1). */
export async function assertGolden(name: string, actual: string): Promise<void> {
  const url = new URL(name, GOLDEN_DIR);
  if (Deno.env.get("REFRESH_GOLDEN") === "1") {
    await Deno.mkdir(new URL(".", url), { recursive: true });
    await Deno.writeTextFile(url, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(url);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      assert.fail(
        `Missing golden file "tests/golden/${name}": run with REFRESH_GOLDEN=1 to create it`,
      );
    }
    throw e;
  }
  assert.equal(actual, expected, `Output differs from golden file "tests/golden/${name}"`);
}
