import assert from "node:assert/strict";
import { toKubeError } from "./errors.ts";

const action = 'Cannot watch MetaRouter from resourceVersion "5"';

Deno.test("toKubeError() turns a watch ERROR event's Status 410 into KubeGoneError", () => {
  const e = toKubeError(
    {
      kind: "Status",
      status: "Failure",
      code: 410,
      reason: "Expired",
      message: "too old resource version: 5 (9)",
    },
    { action },
  );
  assert.equal(e._tag, "KubeGoneError");
  assert.deepEqual([e.status, e.reason], [410, "Expired"]);
  assert.equal(e.message, `${action}: too old resource version: 5 (9)`);
});

Deno.test("toKubeError() reads a watch request's HTTP status when no Status body came", () => {
  const err = Object.assign(new Error("Gone"), { statusCode: 410 });
  assert.equal(toKubeError(err, { action })._tag, "KubeGoneError");
  const forbidden = toKubeError(Object.assign(new Error("Forbidden"), { statusCode: 403 }), {
    action,
  });
  assert.deepEqual([forbidden._tag, forbidden.status, forbidden.message], [
    "KubeApiError",
    403,
    `${action}: Forbidden`,
  ]);
});

Deno.test("toKubeError() reports a connection failure with status 0 and the cause's text", () => {
  const e = toKubeError(new TypeError("fetch failed: connect ECONNREFUSED 127.0.0.1:6443"), {
    action,
  });
  assert.deepEqual([e._tag, e.status, e.reason], ["KubeApiError", 0, "ConnectionFailed"]);
  assert.match(e.message, /ECONNREFUSED 127\.0\.0\.1:6443$/);
});

Deno.test("toKubeError() keeps a non-JSON error page's text and maps 404 and 409", () => {
  const page = toKubeError({ code: 502, body: "<html>Bad Gateway</html>" }, {
    action: "Cannot list MetaRouter",
  });
  assert.deepEqual([page._tag, page.status], ["KubeApiError", 502]);
  assert.match(page.message, /^Cannot list MetaRouter: <html>Bad Gateway<\/html>$/);
  const body = (reason: string) => ({ kind: "Status", reason, message: reason.toLowerCase() });
  assert.equal(
    toKubeError({ code: 404, body: body("NotFound") }, { action })._tag,
    "KubeNotFoundError",
  );
  assert.equal(
    toKubeError({ code: 409, body: body("Conflict") }, { action })._tag,
    "KubeConflictError",
  );
});
