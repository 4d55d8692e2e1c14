/**
 * Typed failures of the Kubernetes API: one tagged error per kind of answer a caller reacts to
 * differently (a conflict is retried after re-reading, a 410 on a watch means relist, a 404 on
 * delete is success), and {@linkcode toKubeError} to map what `@kubernetes/client-node` throws.
 *
 * @module
 */
import { Data } from "effect";

/** Fields every API error carries: the HTTP status (0 when none came), reason and message. */
export interface KubeErrorFields {
  /** HTTP status code, or 0 when the request never got an answer. */
  readonly status: number;
  /** The `reason` of the API server's `Status` (`Conflict`, `NotFound`, `Expired`, ...). */
  readonly reason: string;
  /** A sentence naming the request and what the API server said. */
  readonly message: string;
  /** What was thrown, for logs. */
  readonly cause?: unknown;
}

/** 409: the object changed since it was read, or an apply conflicts with another manager. */
export class KubeConflictError extends Data.TaggedError("KubeConflictError")<KubeErrorFields> {}

/** 404: the object (or its kind) does not exist. */
export class KubeNotFoundError extends Data.TaggedError("KubeNotFoundError")<KubeErrorFields> {}

/** 410: the resourceVersion a watch or list asked for is too old (compacted); relist. */
export class KubeGoneError extends Data.TaggedError("KubeGoneError")<KubeErrorFields> {}

/** Any other answer (400, 403, 422, 429, 5xx) or no answer at all (status 0). */
export class KubeApiError extends Data.TaggedError("KubeApiError")<KubeErrorFields> {}

/** Every failure of a {@linkcode KubeClient} call. */
export type KubeError = KubeConflictError | KubeNotFoundError | KubeGoneError | KubeApiError;

/**
 * Maps what a client call threw (or a watch `ERROR` event's `Status`) to a tagged error whose
 * message starts with `action`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toKubeError } from "./errors.ts";
 * const e = toKubeError({ code: 409, body: '{"reason":"Conflict","message":"changed"}' }, {
 *   action: 'Cannot apply MetaRouter "default/a"',
 * });
 * assert.equal(e._tag, "KubeConflictError");
 * assert.equal(e.message, 'Cannot apply MetaRouter "default/a": changed');
 * ```
 */
export function toKubeError(thrown: unknown, options: { readonly action: string }): KubeError {
  const { status, reason, detail } = describe(thrown);
  const fields = { status, reason, message: `${options.action}: ${detail}`, cause: thrown };
  switch (status) {
    case 409:
      return new KubeConflictError(fields);
    case 404:
      return new KubeNotFoundError(fields);
    case 410:
      return new KubeGoneError(fields);
    default:
      return new KubeApiError(fields);
  }
}

/** Status, reason and a human detail from an ApiException, a `Status` object or an Error. */
function describe(thrown: unknown): { status: number; reason: string; detail: string } {
  if (typeof thrown !== "object" || thrown === null) {
    return { status: 0, reason: "Unknown", detail: String(thrown) };
  }
  const t = thrown as Record<string, unknown>;
  if (t.kind === "Status" || (typeof t.code === "number" && "reason" in t && !("body" in t))) {
    return fromStatus(t, Number(t.code ?? 0));
  }
  const code = Number(t.code ?? t.statusCode ?? 0);
  const body = typeof t.body === "string" ? parseJson(t.body) : t.body;
  if (code > 0 && typeof body === "object" && body !== null) {
    return fromStatus(body as Record<string, unknown>, code);
  }
  const text = thrown instanceof Error ? thrown.message : String(t.message ?? thrown);
  const reason = code > 0 ? "Unknown" : "ConnectionFailed";
  return { status: code, reason, detail: text || `HTTP ${code}` };
}

function fromStatus(s: Record<string, unknown>, code: number) {
  const reason = typeof s.reason === "string" && s.reason ? s.reason : "Unknown";
  const detail = typeof s.message === "string" && s.message ? s.message : `HTTP ${code} ${reason}`;
  return { status: code, reason, detail };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
