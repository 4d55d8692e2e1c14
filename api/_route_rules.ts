/**
 * The weight and mirror rules of a MetaRouter route, in one place: the route schema
 * (`meta_route.ts`) checks them, and everything else — the admission webhook, `aeraki
 * validate`, the constructs and `MetaRouterBuilder` at synth — gets them through that schema,
 * so one mistake has one wording.
 *
 * @module
 */

/**
 * A route's destinations: at least one, and weights that add up to exactly 100 when there are
 * several (a weight above 100 on its own is the weight field's own check). Returns the
 * problem, or `undefined` when the rule holds.
 */
export function weightsProblem(
  destinations: ReadonlyArray<{ readonly weight?: number }>,
): string | undefined {
  if (destinations.length === 0) {
    return "Add at least one destination: a route must send traffic somewhere";
  }
  if (destinations.length === 1) return undefined;
  const total = destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0);
  return total === 100
    ? undefined
    : `Make the weights add up to 100: they add up to ${total} (${
      destinations.map((d) => d.weight ?? 0).join(" + ")
    })`;
}

/**
 * A route's mirror: a mirror percentage needs a mirror destination and lies in (0, 100].
 * Returns the problem at its field, or `undefined` when the rule holds.
 */
export function mirrorProblem(
  route: { readonly mirror?: unknown; readonly mirrorPercentage?: { readonly value: number } },
): { readonly path: readonly string[]; readonly issue: string } | undefined {
  if (route.mirrorPercentage === undefined) return undefined;
  if (route.mirror === undefined) {
    return {
      path: ["mirrorPercentage"],
      issue: "Add a mirror destination or remove mirrorPercentage: it needs a mirror",
    };
  }
  const v = route.mirrorPercentage.value;
  return v > 0 && v <= 100 ? undefined : {
    path: ["mirrorPercentage", "value"],
    issue: `Use a mirror percentage above 0 and at most 100: got ${v}`,
  };
}
