/**
 * The admission decision: an `AdmissionReview` (v1, or v1beta1 as upstream also accepts) in,
 * the review with its `response` out. The same `api/` decoders as `aeraki validate` decide:
 * problems deny the object with every problem in the message, warnings go to
 * `response.warnings`. Pure and exception-free: a malformed review gets a 400 answer that
 * says what is wrong, never a throw.
 *
 * @module
 */
import { decodeObject, formatProblem } from "../../api/mod.ts";

/** What the HTTP layer sends back: a status and a JSON body. */
export interface AdmissionAnswer {
  /** HTTP status: 200 for every decided review, 400 for a body that is not a review. */
  readonly status: number;
  /** The JSON body: the review with `response`, or `{ message }` for a 400. */
  readonly body: unknown;
  /** Whether the object was allowed (undefined when no review was decided). */
  readonly allowed?: boolean;
}

interface ReviewRequest {
  readonly uid: string;
  readonly operation?: string;
  readonly object?: unknown;
}

/**
 * Decides one AdmissionReview.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reviewAdmission } from "./admission.ts";
 * const answer = reviewAdmission({
 *   apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview",
 *   request: { uid: "u1", operation: "CREATE", object: {
 *     apiVersion: "metaprotocol.aeraki.io/v1alpha1", kind: "MetaRouter",
 *     metadata: { name: "r", namespace: "demo" }, spec: { hosts: ["a.demo"] },
 *   } },
 * });
 * assert.equal(answer.allowed, false);
 * ```
 */
export function reviewAdmission(review: unknown): AdmissionAnswer {
  const r = review as { apiVersion?: unknown; kind?: unknown; request?: unknown } | null;
  const apiVersion = r?.apiVersion;
  if (
    typeof r !== "object" || r === null || r.kind !== "AdmissionReview" ||
    (apiVersion !== "admission.k8s.io/v1" && apiVersion !== "admission.k8s.io/v1beta1")
  ) {
    return badRequest(
      `Send an AdmissionReview of "admission.k8s.io/v1": got kind ${JSON.stringify(r?.kind)} of ${
        JSON.stringify(apiVersion)
      }`,
    );
  }
  const request = r.request as ReviewRequest | undefined;
  if (typeof request !== "object" || request === null || typeof request.uid !== "string") {
    return badRequest("Send the AdmissionReview with a request that has a uid");
  }
  const response = decide(request);
  return {
    status: 200,
    allowed: response.allowed,
    body: { apiVersion, kind: "AdmissionReview", response: { uid: request.uid, ...response } },
  };
}

function decide(request: ReviewRequest): {
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
} {
  // Deletes (and connects) carry no new object to check.
  if (request.operation === "DELETE" || request.operation === "CONNECT") return { allowed: true };
  const result = decodeObject(request.object);
  // kubectl prints each as "Warning: ...", so no prefix of our own.
  const warnings = result.warnings.map(formatProblem);
  const withWarnings = warnings.length > 0 ? { warnings } : {};
  if (result.ok) return { allowed: true, ...withWarnings };
  return {
    allowed: false,
    status: {
      code: 422,
      reason: "Invalid",
      message: result.problems.map(formatProblem).join("; "),
    },
    ...withWarnings,
  };
}

function badRequest(message: string): AdmissionAnswer {
  return { status: 400, body: { message } };
}

/**
 * Answers one HTTP request to the webhook: `POST /validate` (or `/validate/`) with a JSON
 * AdmissionReview. Other paths get 404, other methods 405, other content types 415 and
 * unreadable bodies 400, each with a JSON `{ message }`.
 */
export async function handleAdmissionRequest(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path !== "/validate" && path !== "/validate/") {
    return json(404, { message: `Send reviews to "/validate": got path "${path}"` });
  }
  if (request.method !== "POST") {
    return json(405, { message: `Send reviews with POST: got ${request.method}` }, {
      allow: "POST",
    });
  }
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return json(415, { message: `Send reviews as "application/json": got "${type}"` });
  }
  let review: unknown;
  try {
    review = JSON.parse(await request.text());
  } catch (e) {
    return json(400, {
      message: `Send a JSON AdmissionReview: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
  const answer = reviewAdmission(review);
  return json(answer.status, answer.body);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
