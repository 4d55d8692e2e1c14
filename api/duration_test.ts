import assert from "node:assert/strict";
import { Schema } from "effect";
import { Duration, parseDuration, PositiveDuration, toProtoDuration } from "./duration.ts";

Deno.test("parseDuration() reads Go-style durations", () => {
  const table: Array<[string, number]> = [
    ["100ms", 100],
    ["60s", 60_000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["1h30m", 5_400_000],
    ["250us", 0.25],
    ["0", 0],
    [".5s", 500],
  ];
  for (const [text, ms] of table) assert.equal(parseDuration(text), ms, text);
});

Deno.test("parseDuration() rejects what is not a duration", () => {
  for (const bad of ["", "10", "s", "1.5", "-1s", "1d", "1 s", "fast", "."]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

Deno.test("toProtoDuration() writes protobuf JSON durations", () => {
  assert.equal(toProtoDuration(100), "0.100s");
  assert.equal(toProtoDuration(60_000), "60s");
  assert.equal(toProtoDuration(1500), "1.500s");
  assert.equal(toProtoDuration(0.001), "0.000001s");
});

Deno.test("Duration and PositiveDuration check the text", () => {
  assert.equal(Schema.is(Duration)("0s"), true);
  assert.equal(Schema.is(PositiveDuration)("0s"), false);
  assert.equal(Schema.is(Duration)("soon"), false);
});
