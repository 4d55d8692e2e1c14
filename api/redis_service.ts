/**
 * `RedisService` (`redis.aeraki.io/v1alpha1`, namespaced): Redis proxy routing by key prefix,
 * mirroring, faults and settings for the listed hosts.
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
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
    doc("A percentage, 0 to 100.", { minimum: 0, maximum: 100 }),
  ),
});

/** Password from a Secret in the same namespace. */
export const SecretReference = Schema.Struct({
  name: nonEmptyString("the Secret name").check(
    doc("The name of a Secret in the same namespace that holds the credentials."),
  ),
  passwordField: Schema.optionalKey(
    Schema.String.check(doc('The Secret key of the password; "password" when unset.')),
  ),
  usernameField: Schema.optionalKey(
    Schema.String.check(doc('The Secret key of the user name; "username" when unset.')),
  ),
});

/** A password written in the CR. */
export const PlainAuth = Schema.Struct({
  password: nonEmptyString("the password").check(doc("The password, written in the resource.")),
  username: Schema.optionalKey(
    Schema.String.check(doc("The user name (Redis 6 ACLs); none when unset.")),
  ),
});

/** Redis AUTH: one of a Secret reference or a plain password. */
export const RedisAuth = Schema.Struct({
  secret: Schema.optionalKey(
    SecretReference.check(doc("Credentials read from a Secret in the same namespace.")),
  ),
  plain: Schema.optionalKey(PlainAuth.check(doc("Credentials written in the resource."))),
}).check(
  Schema.makeFilter((a) =>
    a.secret && a.plain ? 'Keep only one of "secret" and "plain": auth has one source' : undefined
  ),
  doc("Redis AUTH credentials: from a Secret or written in place, one of the two."),
);
/** Redis AUTH settings. */
export type RedisAuth = typeof RedisAuth.Type;

const RedisDestination = Schema.Struct({
  host: Fqdn.check(doc("The fully qualified name of the Redis service to send to.")),
  port: Schema.optionalKey(
    Uint32.check(
      doc("Its port; needed only when the service has more than one.", { maximum: 65535 }),
    ),
  ),
});

/** Proxy settings of a RedisService. */
export const RedisSettings = Schema.Struct({
  caseInsensitive: Schema.optionalKey(
    Schema.Boolean.check(doc("Whether key prefixes match regardless of case.")),
  ),
  opTimeout: Schema.optionalKey(
    Duration.check(
      doc(
        "How long a command may take, from when it is written to the server until its reply; " +
          "each reply restarts the timer.",
      ),
    ),
  ),
  enableCommandStats: Schema.optionalKey(
    Schema.Boolean.check(doc("Whether to keep statistics per command and upstream cluster.")),
  ),
  maxBufferSizeBeforeFlush: Schema.optionalKey(
    Uint32.check(
      doc(
        "Batch requests to the server until this many bytes are buffered (1024 is a good size); " +
          "unset sends each request at once.",
      ),
    ),
  ),
  bufferFlushTimeout: Schema.optionalKey(
    Duration.check(
      doc(
        "With maxBufferSizeBeforeFlush, the longest a request waits in the buffer; 3ms when unset.",
      ),
    ),
  ),
  maxUpstreamUnknownConnections: Schema.optionalKey(
    Uint32.check(
      doc(
        "How many connections each worker may open to servers it learnt of from redirections; " +
          "100 when unset.",
      ),
    ),
  ),
  enableHashtagging: Schema.optionalKey(
    Schema.Boolean.check(
      doc(
        "Whether to hash only the {hash tag} part of keys, so that keys with the same tag go " +
          "to the same server, as Redis Cluster does.",
      ),
    ),
  ),
  enableRedirection: Schema.optionalKey(
    Schema.Boolean.check(
      doc("Whether to follow MOVED and ASK redirections from Redis Cluster servers."),
    ),
  ),
  readPolicy: Schema.optionalKey(
    Schema.Literals(["MASTER", "PREFER_MASTER", "REPLICA", "PREFER_REPLICA", "ANY"]).check(
      doc("Which servers read commands go to: primaries, replicas or either.", {
        default: "MASTER",
      }),
    ),
  ),
  auth: Schema.optionalKey(
    RedisAuth.check(doc("The credentials clients must give (downstream AUTH).")),
  ),
}).check(doc("How the proxy handles the Redis traffic of the service."));

/** A Redis route: keys matching `match` go to `route`, optionally mirrored. */
export const RedisRoute = Schema.Struct({
  match: Schema.optionalKey(
    Schema.Struct({
      key: Schema.optionalKey(
        Schema.Struct({
          prefix: Schema.optionalKey(
            Schema.String.check(
              doc("The start of the keys this route takes; the longest matching prefix wins."),
            ),
          ),
          removePrefix: Schema.optionalKey(
            Schema.Boolean.check(doc("Whether to strip the prefix from keys before forwarding.")),
          ),
        }).check(doc("Matches commands by their key.")),
      ),
    }).check(doc("The commands this route takes; every command when unset (a catch-all route).")),
  ),
  route: RedisDestination.check(doc("The Redis service that receives the matching commands.")),
  mirror: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({
        route: RedisDestination.check(doc("The Redis service that receives the copies.")),
        percentage: Schema.optionalKey(
          RedisPercent.check(doc("The share of commands copied; all of them when unset.")),
        ),
        excludeReadCommands: Schema.optionalKey(
          Schema.Boolean.check(doc("Whether to copy only write commands.")),
        ),
      }).check(doc("A Redis service that receives a copy of the commands.")),
    ).check(doc("Redis services that also receive copies of the matching commands.")),
  ),
});
/** A Redis route. */
export type RedisRoute = typeof RedisRoute.Type;

/** A Redis fault: delay or error some commands. */
export const RedisFault = Schema.Struct({
  type: Schema.optionalKey(
    Schema.Literals(["DELAY", "ERROR"]).check(
      doc("DELAY holds commands back; ERROR answers them with an error.", { default: "DELAY" }),
    ),
  ),
  percentage: Schema.optionalKey(
    RedisPercent.check(doc("The share of commands the fault applies to.")),
  ),
  delay: Schema.optionalKey(Duration.check(doc("How long to delay commands; none when unset."))),
  commands: Schema.optionalKey(
    Schema.Array(Schema.String).check(
      doc("The commands the fault applies to; all but AUTH and PING when unset."),
    ),
  ),
});

/** The spec of a RedisService. */
export const RedisServiceSpec = Schema.Struct({
  host: Schema.Array(Fqdn).check(
    Schema.makeFilter((h) => h.length > 0 || "Add at least one host the rules apply to"),
    doc("The fully qualified names of the Redis services these rules apply to.", {
      minItems: 1,
    }),
  ),
  settings: Schema.optionalKey(
    RedisSettings.check(doc("How the proxy handles the Redis traffic of the hosts.")),
  ),
  redis: Schema.Array(RedisRoute.check(doc("A route: which commands, and where they go."))).check(
    Schema.makeFilter((r) =>
      r.length > 0 || "Add at least one route: a route without match catches all keys"
    ),
    doc("Routes by key prefix; a route without match takes every other command.", {
      minItems: 1,
    }),
  ),
  faults: Schema.optionalKey(
    Schema.Array(RedisFault.check(doc("A fault: delay or fail some commands."))).check(
      doc("Faults to inject, for testing how clients cope."),
    ),
  ),
}).check(
  doc("Routing, mirroring, fault injection and proxy settings of Redis services in the mesh."),
);
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
