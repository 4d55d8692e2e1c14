/**
 * The routes of a MetaRouter: match, weighted destinations, mirroring and header mutation,
 * with every per-route check of Aeraki's webhook.
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
import {
  Fqdn,
  nonEmptyString,
  PortNumber,
  SUBSET_PATTERN,
  subsetProblem,
  Uint32,
} from "./names.ts";
import { MetaRouteMatch } from "./string_match.ts";
import { mirrorProblem, weightsProblem } from "./_route_rules.ts";

/** A key/value written into the request or response (both required, non-empty). */
export const KeyValue = Schema.Struct({
  key: nonEmptyString("the mutation key").check(
    doc("The key to set, such as a header or attachment name; the codec decides where it goes."),
  ),
  value: nonEmptyString("the mutation value").check(doc("The value to set the key to.")),
});
/** A key/value written into the request or response. */
export type KeyValue = typeof KeyValue.Type;

/** Selects a port of the destination host. */
export const PortSelector = Schema.Struct({
  number: PortNumber.check(doc("The port number, 1 to 65535.")),
});
/** Selects a port of the destination host. */
export type PortSelector = typeof PortSelector.Type;

/** Where traffic goes: a host (FQDN), optionally a DestinationRule subset and a port. */
export const Destination = Schema.Struct({
  host: Fqdn.check(
    doc(
      "The service to send to, from the service registry (Kubernetes Services, ServiceEntries). " +
        'Use the fully qualified name, e.g. "reviews.default.svc.cluster.local".',
    ),
  ),
  subset: Schema.optionalKey(
    Schema.String.check(
      Schema.makeFilter((s: string) => subsetProblem(s), {
        toJsonSchema: () => ({ pattern: SUBSET_PATTERN, maxLength: 63 }),
      }),
      doc("A subset of the service, defined in its DestinationRule (a version, for instance)."),
    ),
  ),
  port: Schema.optionalKey(
    PortSelector.check(doc("The port of the host; needed only when it has more than one.")),
  ),
});
/** Where traffic goes. */
export type Destination = typeof Destination.Type;

/** One weighted destination of a route; `weight` is 0..100. */
export const MetaRouteDestination = Schema.Struct({
  destination: Destination.check(doc("Where to forward the requests.")),
  weight: Schema.optionalKey(
    Uint32.check(
      Schema.makeFilter((w: number) => w <= 100 || `Use a weight of at most 100: got ${w}`),
      doc(
        "The share of requests, 0 to 100, this destination receives. The weights of a route " +
          "add up to 100; a single destination receives everything.",
        { maximum: 100 },
      ),
    ),
  ),
});
/** One weighted destination of a route. */
export type MetaRouteDestination = typeof MetaRouteDestination.Type;

/** A percentage, 0..100 (fractions allowed). */
export const Percent = Schema.Struct({
  value: Schema.Finite.check(doc("A percentage, above 0 and at most 100.", { maximum: 100 })),
});
/** A percentage. */
export type Percent = typeof Percent.Type;

const Destinations = Schema.Array(MetaRouteDestination).check(
  Schema.makeFilter((ds) => weightsProblem(ds)),
);

/** One route: first match wins; traffic goes to `route`, optionally mirrored and mutated. */
export const MetaRoute = Schema.Struct({
  name: Schema.optionalKey(
    Schema.String.check(doc("A name for the route, shown in logs and stats.")),
  ),
  match: Schema.optionalKey(
    MetaRouteMatch.check(
      doc("The requests this route takes; without a match, every request (a catch-all route)."),
    ),
  ),
  route: Destinations.check(
    doc(
      "Where matching requests go: one destination, or several sharing the traffic by weight " +
        "(for example two versions of a service).",
    ),
  ),
  mirror: Schema.optionalKey(
    Destination.check(
      doc("A destination that also receives a copy of each request; its responses are dropped."),
    ),
  ),
  mirrorPercentage: Schema.optionalKey(
    Percent.check(doc("The share of requests copied to the mirror; all of them when unset.")),
  ),
  requestMutation: Schema.optionalKey(
    Schema.Array(KeyValue.check(doc("A key to set and its value."))).check(
      doc("Keys to set on each request before it is forwarded, as the codec interprets them."),
    ),
  ),
  responseMutation: Schema.optionalKey(
    Schema.Array(KeyValue.check(doc("A key to set and its value."))).check(
      doc("Keys to set on each response before it is returned, as the codec interprets them."),
    ),
  ),
}).check(
  Schema.makeFilter((r) => mirrorProblem(r)),
  doc("A routing rule: which requests it takes and where they go."),
);
/** One route of a MetaRouter. */
export type MetaRoute = typeof MetaRoute.Type;

/** Whether a route matches every request (no match, or no attributes). */
export function isCatchAll(route: MetaRoute): boolean {
  return route.match === undefined || Object.keys(route.match.attributes ?? {}).length === 0;
}
