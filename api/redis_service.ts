/**
 * `RedisService` (`redis.aeraki.io/v1alpha1`, namespaced): Redis proxy routing by key prefix,
 * mirroring, faults and settings for the listed hosts.
 *
 * @module
 */
import { Schema } from "effect";
import { Duration } from "./duration.ts";
import { Fqdn, nonEmptyString, Uint32 } from "./names.ts";
import { ObjectMeta, Status } from "./object_meta.ts";

/** API group/version of RedisService and RedisDestination. */
export const REDIS_API_VERSION = "redis.aeraki.io/v1alpha1";

/** Percentage (0..100). */
export const RedisPercent = Schema.Struct({
  value: Schema.Finite.check(
    Schema.makeFilter((v: number) =>
      (v >= 0 && v <= 100) || `Use a percentage between 0 and 100: got ${v}`
    ),
  ),
});

/** Password from a Secret in the same namespace. */
export const SecretReference = Schema.Struct({
  name: nonEmptyString("the Secret name"),
  passwordField: Schema.optionalKey(Schema.String),
  usernameField: Schema.optionalKey(Schema.String),
});

/** A password written in the CR. */
export const PlainAuth = Schema.Struct({
  password: nonEmptyString("the password"),
  username: Schema.optionalKey(Schema.String),
});

/** Redis AUTH: one of a Secret reference or a plain password. */
export const RedisAuth = Schema.Struct({
  secret: Schema.optionalKey(SecretReference),
  plain: Schema.optionalKey(PlainAuth),
}).check(
  Schema.makeFilter((a) =>
    a.secret && a.plain ? 'Keep only one of "secret" and "plain": auth has one source' : undefined
  ),
);
/** Redis AUTH settings. */
export type RedisAuth = typeof RedisAuth.Type;

const RedisDestination = Schema.Struct({
  host: Fqdn,
  port: Schema.optionalKey(Uint32),
});

/** Proxy settings of a RedisService. */
export const RedisSettings = Schema.Struct({
  caseInsensitive: Schema.optionalKey(Schema.Boolean),
  opTimeout: Schema.optionalKey(Duration),
  enableCommandStats: Schema.optionalKey(Schema.Boolean),
  maxBufferSizeBeforeFlush: Schema.optionalKey(Uint32),
  bufferFlushTimeout: Schema.optionalKey(Duration),
  maxUpstreamUnknownConnections: Schema.optionalKey(Uint32),
  enableHashtagging: Schema.optionalKey(Schema.Boolean),
  enableRedirection: Schema.optionalKey(Schema.Boolean),
  readPolicy: Schema.optionalKey(
    Schema.Literals(["MASTER", "PREFER_MASTER", "REPLICA", "PREFER_REPLICA", "ANY"]),
  ),
  auth: Schema.optionalKey(RedisAuth),
});

/** A Redis route: keys matching `match` go to `route`, optionally mirrored. */
export const RedisRoute = Schema.Struct({
  match: Schema.optionalKey(Schema.Struct({
    key: Schema.optionalKey(Schema.Struct({
      prefix: Schema.optionalKey(Schema.String),
      removePrefix: Schema.optionalKey(Schema.Boolean),
    })),
  })),
  route: RedisDestination,
  mirror: Schema.optionalKey(Schema.Array(Schema.Struct({
    route: RedisDestination,
    percentage: Schema.optionalKey(RedisPercent),
    excludeReadCommands: Schema.optionalKey(Schema.Boolean),
  }))),
});
/** A Redis route. */
export type RedisRoute = typeof RedisRoute.Type;

/** A Redis fault: delay or error some commands. */
export const RedisFault = Schema.Struct({
  type: Schema.optionalKey(Schema.Literals(["DELAY", "ERROR"])),
  percentage: Schema.optionalKey(RedisPercent),
  delay: Schema.optionalKey(Duration),
  commands: Schema.optionalKey(Schema.Array(Schema.String)),
});

/** The spec of a RedisService. */
export const RedisServiceSpec = Schema.Struct({
  host: Schema.Array(Fqdn).check(
    Schema.makeFilter((h) => h.length > 0 || "Add at least one host the rules apply to"),
  ),
  settings: Schema.optionalKey(RedisSettings),
  redis: Schema.Array(RedisRoute).check(
    Schema.makeFilter((r) =>
      r.length > 0 || "Add at least one route: a route without match catches all keys"
    ),
  ),
  faults: Schema.optionalKey(Schema.Array(RedisFault)),
});
/** The spec of a RedisService. */
export type RedisServiceSpec = typeof RedisServiceSpec.Type;

/** A RedisService object. */
export const RedisService = Schema.Struct({
  apiVersion: Schema.Literal(REDIS_API_VERSION),
  kind: Schema.Literal("RedisService"),
  metadata: ObjectMeta,
  spec: RedisServiceSpec,
  status: Status,
});
/** A RedisService object. */
export type RedisService = typeof RedisService.Type;
