/**
 * The answers the fault proxy gives instead of the API server's: `Status` objects as the
 * kube-apiserver writes them, and a 410 Gone watch as one `ERROR` event.
 *
 * @module
 */

/** An answer the proxy gives instead of the API server's. */
export type Fault =
  | { readonly status: 409 | 429 | 500; readonly retryAfterSeconds?: number }
  | { readonly gone: true };

const REASONS: Record<number, string> = {
  409: "Conflict",
  429: "TooManyRequests",
  500: "InternalError",
};

function statusObject(code: number, reason: string, message: string) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
}

/** A `Status` answer with HTTP status `code`. */
export function statusResponse(
  code: number,
  reason: string,
  message: string,
  extra: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(statusObject(code, reason, message)), {
    status: code,
    headers: { "content-type": "application/json", ...extra },
  });
}

/** The answer for `fault`, shaped for a watch request when `watch` is set. */
export function answerFault(fault: Fault, watch: boolean): Response {
  if ("gone" in fault) {
    const message = "too old resource version (injected)";
    if (!watch) return statusResponse(410, "Expired", message);
    // The API server answers a too-old watch with 200 and one ERROR event.
    const event = { type: "ERROR", object: statusObject(410, "Expired", message) };
    return new Response(JSON.stringify(event) + "\n", {
      headers: { "content-type": "application/json" },
    });
  }
  const extra: Record<string, string> = fault.retryAfterSeconds === undefined
    ? {}
    : { "retry-after": String(fault.retryAfterSeconds) };
  return statusResponse(fault.status, REASONS[fault.status], `injected ${fault.status}`, extra);
}
