import assert from "node:assert/strict";
import { memoryIo } from "../cli/command.ts";
import { type ValidateTally, validateText } from "../cli/validate.ts";
import { handleAdmissionRequest, reviewAdmission } from "./admission.ts";
import { fixtureMetaRouters, reviewOf } from "./_fixtures_testing.ts";

type Body = {
  apiVersion: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
  };
};

/** The problem lines `aeraki validate` prints for one document, without the location prefix. */
function validateLines(text: string): string[] {
  const io = memoryIo();
  const tally: ValidateTally = { files: 0, objects: 0, problems: 0, warnings: 0, skipped: 0 };
  validateText("f", text, io, tally);
  return io.stdout().trimEnd().split("\n").filter(Boolean).map((l) =>
    l.replace(/^f:\d+(?::\d+)?: MetaRouter\/[^:]+: /, "")
  );
}

Deno.test("reviewAdmission() denies every invalid MetaRouter with the problems aeraki validate prints", () => {
  const routers = fixtureMetaRouters("invalid/metarouter_webhook.yaml");
  assert.ok(routers.length >= 30);
  for (const { object, text } of routers) {
    const answer = reviewAdmission(reviewOf(object));
    const body = answer.body as Body;
    assert.equal(answer.status, 200);
    assert.equal(body.response.allowed, false, text);
    assert.equal(body.response.uid, "uid-1");
    assert.equal(body.response.status?.code, 422);
    const expected = validateLines(text).filter((l) => !l.includes("warning: "));
    assert.ok(expected.length > 0, text);
    assert.deepEqual(body.response.status?.message.split("; ").sort(), expected.sort(), text);
  }
});

Deno.test("reviewAdmission() allows valid MetaRouters and passes warnings on", () => {
  const routers = [
    ...fixtureMetaRouters("valid/metarouters.yaml"),
    ...fixtureMetaRouters("valid/quirks.yaml"),
  ];
  let warned = 0;
  for (const { object, text } of routers) {
    const body = reviewAdmission(reviewOf(object)).body as Body;
    assert.equal(body.response.allowed, true, text);
    assert.equal(body.response.status, undefined);
    const warnings = validateLines(text);
    if (warnings.length > 0) {
      warned++;
      assert.deepEqual(
        body.response.warnings?.toSorted(),
        warnings.map((w) => w.replace("warning: ", "")).sort(),
      );
    } else assert.equal(body.response.warnings, undefined);
  }
  assert.ok(warned > 0, "the quirks fixture carries warnings");
});

Deno.test("reviewAdmission() allows deletes, answers v1beta1 in kind and refuses non-reviews", () => {
  const bad = fixtureMetaRouters("invalid/metarouter_webhook.yaml")[0].object;
  assert.equal(reviewAdmission(reviewOf(bad, "DELETE")).allowed, true);
  const beta = reviewAdmission({
    ...(reviewOf(bad) as object),
    apiVersion: "admission.k8s.io/v1beta1",
  });
  assert.equal((beta.body as Body).apiVersion, "admission.k8s.io/v1beta1");
  assert.deepEqual(reviewAdmission({ kind: "Pod" }), {
    status: 400,
    body: {
      message: `Send an AdmissionReview of "admission.k8s.io/v1": got kind "Pod" of undefined`,
    },
  });
  assert.equal(
    reviewAdmission({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }).status,
    400,
  );
  const notAnObject = reviewAdmission(reviewOf("text"));
  assert.equal(notAnObject.allowed, false);
});

Deno.test("handleAdmissionRequest() answers wrong paths, methods, types and bodies with JSON", async () => {
  const call = (path: string, init: RequestInit = {}) =>
    handleAdmissionRequest(new Request(`https://webhook${path}`, init));
  const json = { "content-type": "application/json" };
  const cases: Array<[Promise<Response>, number, RegExp]> = [
    [call("/mutate", { method: "POST", headers: json, body: "{}" }), 404, /"\/validate"/],
    [call("/validate"), 405, /POST/],
    [
      call("/validate", { method: "POST", headers: { "content-type": "text/yaml" }, body: "a" }),
      415,
      /application\/json/,
    ],
    [
      call("/validate/", { method: "POST", headers: json, body: "{" }),
      400,
      /Send a JSON AdmissionReview/,
    ],
  ];
  for (const [pending, status, message] of cases) {
    const response = await pending;
    assert.equal(response.status, status);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.match((await response.json()).message, message);
  }
  const ok = await call("/validate", {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(reviewOf(fixtureMetaRouters("valid/metarouters.yaml")[0].object)),
  });
  assert.equal((await ok.json()).response.allowed, true);
});
