import assert from "node:assert/strict";
import { isRe2, re2Problem } from "./regex.ts";

Deno.test("re2Problem() accepts RE2 syntax", () => {
  for (const ok of ["say.*", "^a|b$", "[[:alpha:]]+", "(?i)hello", "\\d{1,3}", "(?P<n>x)"]) {
    assert.equal(re2Problem(ok), undefined, ok);
  }
});

Deno.test("re2Problem() rejects what JavaScript RegExp accepts but RE2 does not", () => {
  for (const bad of ["(?=a)", "(?!a)", "(a)\\1", "a{1001}"]) {
    new RegExp(bad); // valid in JavaScript
    assert.match(re2Problem(bad) ?? "", /^Rewrite the regex .* in RE2 syntax: /, bad);
  }
});

Deno.test("re2Problem() points an empty regex to the presence match", () => {
  assert.equal(re2Problem(""), "Set a non-empty regex, or use an empty match {} to test presence");
  assert.equal(isRe2("*"), false);
  assert.equal(isRe2(".*"), true);
});
