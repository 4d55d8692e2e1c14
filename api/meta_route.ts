/**
 * The routes of a MetaRouter: match, weighted destinations, mirroring and header mutation,
 * with every per-route check of Aeraki's webhook.
 *
 * @module
 */
import { Schema } from "effect";
import { Fqdn, nonEmptyString, PortNumber, subsetProblem, Uint32 } from "./names.ts";
import { MetaRouteMatch } from "./string_match.ts";
import { mirrorProblem, weightsProblem } from "./_route_rules.ts";

/** A key/value written into the request or response (both required, non-empty). */
export const KeyValue = Schema.Struct({
  key: nonEmptyString("the mutation key"),
  value: nonEmptyString("the mutation value"),
});
/** A key/value written into the request or response. */
export type KeyValue = typeof KeyValue.Type;

/** Selects a port of the destination host. */
export const PortSelector = Schema.Struct({ number: PortNumber });
/** Selects a port of the destination host. */
export type PortSelector = typeof PortSelector.Type;

/** Where traffic goes: a host (FQDN), optionally a DestinationRule subset and a port. */
export const Destination = Schema.Struct({
  host: Fqdn,
  subset: Schema.optionalKey(
    Schema.String.check(Schema.makeFilter((s: string) => subsetProblem(s))),
  ),
  port: Schema.optionalKey(PortSelector),
});
/** Where traffic goes. */
export type Destination = typeof Destination.Type;

/** One weighted destination of a route; `weight` is 0..100. */
export const MetaRouteDestination = Schema.Struct({
  destination: Destination,
  weight: Schema.optionalKey(
    Uint32.check(
      Schema.makeFilter((w: number) => w <= 100 || `Use a weight of at most 100: got ${w}`),
    ),
  ),
});
/** One weighted destination of a route. */
export type MetaRouteDestination = typeof MetaRouteDestination.Type;

/** A percentage, 0..100 (fractions allowed). */
export const Percent = Schema.Struct({ value: Schema.Finite });
/** A percentage. */
export type Percent = typeof Percent.Type;

const Destinations = Schema.Array(MetaRouteDestination).check(
  Schema.makeFilter((ds) => weightsProblem(ds)),
);

/** One route: first match wins; traffic goes to `route`, optionally mirrored and mutated. */
export const MetaRoute = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  match: Schema.optionalKey(MetaRouteMatch),
  route: Destinations,
  mirror: Schema.optionalKey(Destination),
  mirrorPercentage: Schema.optionalKey(Percent),
  requestMutation: Schema.optionalKey(Schema.Array(KeyValue)),
  responseMutation: Schema.optionalKey(Schema.Array(KeyValue)),
}).check(
  Schema.makeFilter((r) => mirrorProblem(r)),
);
/** One route of a MetaRouter. */
export type MetaRoute = typeof MetaRoute.Type;

/** Whether a route matches every request (no match, or no attributes). */
export function isCatchAll(route: MetaRoute): boolean {
  return route.match === undefined || Object.keys(route.match.attributes ?? {}).length === 0;
}
