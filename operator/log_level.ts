/**
 * `--log-level` (Istio's `scope:level,...`, default `all:info`) as Effect's minimum log level.
 * The operator logs through one scope, so the level of `all` (or `default`, or a bare level)
 * applies; levels given for other scopes are accepted for compatibility with upstream's
 * manifests and have no effect.
 *
 * @module
 */
import type { LogLevel } from "effect";

const LEVELS: Readonly<Record<string, LogLevel.LogLevel>> = {
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  warning: "Warn",
  error: "Error",
  fatal: "Fatal",
  none: "None",
};

/** The level, or the problem with the text. */
export type LogLevelResult =
  | { readonly ok: true; readonly level: LogLevel.LogLevel }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads a `--log-level` value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLogLevel } from "./log_level.ts";
 * assert.deepEqual(parseLogLevel("all:warn"), { ok: true, level: "Warn" });
 * assert.deepEqual(parseLogLevel("debug"), { ok: true, level: "Debug" });
 * assert.deepEqual(parseLogLevel("ads:debug"), { ok: true, level: "Info" });
 * assert.equal(parseLogLevel("all:loud").ok, false);
 * ```
 */
export function parseLogLevel(text: string): LogLevelResult {
  let level: LogLevel.LogLevel = "Info";
  for (const entry of text.split(",").map((e) => e.trim()).filter((e) => e !== "")) {
    const at = entry.lastIndexOf(":");
    const scope = at < 0 ? "all" : entry.slice(0, at);
    const name = entry.slice(at + 1).toLowerCase();
    const value = LEVELS[name];
    if (value === undefined || scope === "") {
      return {
        ok: false,
        problem: `Set "--log-level" to scope:level pairs with a level of ${
          Object.keys(LEVELS).join(", ")
        } (like "all:info"): got "${text}"`,
      };
    }
    if (scope === "all" || scope === "default") level = value;
  }
  return { ok: true, level };
}
