/**
 * Redis credentials from a RedisService's `settings.auth` or a RedisDestination's
 * `connectionPool.redis.auth`: written in the CR (`plain`) or read from a Secret in the
 * object's namespace (`secret`), whose password key defaults to `password`, then `token`,
 * and whose username key defaults to `username` (upstream had no username default, quirk Q6).
 * Secret values are trimmed; `stringData` wins over base64 `data`, as Kubernetes merges them.
 *
 * @module
 */
import type { RedisAuth } from "../../../api/mod.ts";
import type { ServiceContext } from "../context.ts";
import { type GenerateProblem, objectRef, type SecretObject } from "../snapshot.ts";

/** A Redis username and password (either may be empty). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The object an `auth` block belongs to, and the path of that block. */
export interface AuthOwner {
  readonly object: {
    readonly kind: string;
    readonly metadata: { readonly name?: string; readonly namespace?: string };
  };
  readonly field: string;
}

/** Default Secret keys. */
export const DEFAULT_PASSWORD_KEYS = ["password", "token"] as const;
/** Default Secret key of the username. */
export const DEFAULT_USERNAME_KEY = "username";

function decodeBase64(text: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A Secret value by key: `undefined` when absent, `null` when its base64 is broken. */
function secretValue(secret: SecretObject, key: string): string | undefined | null {
  const plain = secret.stringData?.[key];
  if (plain !== undefined) return plain.trim();
  const encoded = secret.data?.[key];
  if (encoded === undefined) return undefined;
  return decodeBase64(encoded)?.trim() ?? null;
}

/**
 * Resolves `auth` to credentials, or to a problem naming the owner's field when the Secret or
 * its key is missing or unreadable. Never throws.
 */
export function resolveAuth(
  ctx: ServiceContext,
  auth: RedisAuth,
  owner: AuthOwner,
): { credentials?: Credentials; problem?: GenerateProblem } {
  if (auth.plain) {
    return { credentials: { username: auth.plain.username ?? "", password: auth.plain.password } };
  }
  return auth.secret
    ? secretCredentials(ctx, auth.secret, owner)
    : { credentials: { username: "", password: "" } };
}

function secretCredentials(
  ctx: ServiceContext,
  ref: NonNullable<RedisAuth["secret"]>,
  owner: AuthOwner,
): { credentials?: Credentials; problem?: GenerateProblem } {
  const namespace = owner.object.metadata.namespace ?? ctx.namespace;
  const where = `Secret "${namespace}/${ref.name}"`;
  const problem = (field: string, message: string) => ({
    problem: { object: objectRef(owner.object), field: `${owner.field}.secret${field}`, message },
  });
  const secret = ctx.secret(namespace, ref.name);
  if (!secret) {
    return problem(
      ".name",
      `Create the ${where} or fix its name: the Redis password cannot be read`,
    );
  }
  const passwordKey = ref.passwordField ||
    DEFAULT_PASSWORD_KEYS.find((k) => secretValue(secret, k) !== undefined);
  const password = passwordKey === undefined ? undefined : secretValue(secret, passwordKey);
  if (password === undefined || password === null) {
    const keys = passwordKey ?? DEFAULT_PASSWORD_KEYS.join('" or "');
    const what = password === null ? "holds no valid base64" : "is missing";
    return problem(
      ref.passwordField ? ".passwordField" : "",
      `Fix key "${keys}" of ${where}: it ${what}, so the Redis password cannot be read`,
    );
  }
  const usernameKey = ref.usernameField || DEFAULT_USERNAME_KEY;
  const username = secretValue(secret, usernameKey);
  if (username === null || (username === undefined && ref.usernameField)) {
    return problem(
      ".usernameField",
      `Fix key "${usernameKey}" of ${where}: the Redis username cannot be read`,
    );
  }
  return { credentials: { username: username ?? "", password } };
}
