/**
 * `MetaRouter` (`metaprotocol.aeraki.io/v1alpha1`, namespaced, effect mesh-wide): routing,
 * rate limits and export of one MetaProtocol host, with every check of Aeraki's webhook.
 *
 * @module
 */
import { Schema } from "effect";
import { doc } from "./_doc.ts";
import { exportToProblems, exportToWarnings } from "./export_to.ts";
import { GlobalRateLimit, LocalRateLimit } from "./meta_rate_limit.ts";
import { isCatchAll, MetaRoute } from "./meta_route.ts";
import { fqdnProblem } from "./names.ts";
import { ObjectMeta, Status } from "./object_meta.ts";
import { formatPath, type Problem } from "./problem.ts";

/** The API group/version of MetaRouter and ApplicationProtocol. */
export const METAPROTOCOL_API_VERSION = "metaprotocol.aeraki.io/v1alpha1";

const Hosts = Schema.Array(Schema.String).check(
  Schema.makeFilter((hosts) => {
    if (hosts.length === 0) return "Add the host to route: a MetaRouter needs exactly one host";
    if (hosts.length > 1) {
      return `Keep exactly one host: a MetaRouter routes one host, got ${hosts.length}`;
    }
    const problem = fqdnProblem(hosts[0]);
    return problem ? { path: [0], issue: problem } : undefined;
  }),
);

const GatewayRef = Schema.String.check(
  Schema.makeFilter((g: string) => {
    const parts = g.split("/");
    return parts.length <= 2 && parts.every((p) => p !== "") ||
      `Name the gateway as "name" or "namespace/name": got ${JSON.stringify(g)}`;
  }),
);

/** The spec of a MetaRouter. */
export const MetaRouterSpec = Schema.Struct({
  hosts: Hosts.check(
    doc(
      "The MetaProtocol service these rules apply to, as one fully qualified name, e.g. " +
        '"thrift-sample-server.meta-thrift.svc.cluster.local". Exactly one host.',
      { minItems: 1, maxItems: 1 },
    ),
  ),
  gateways: Schema.optionalKey(
    Schema.Array(GatewayRef).check(
      doc(
        'Istio Gateways ("namespace/name", or "name" in this namespace) whose MetaProtocol ' +
          "servers also apply these routes, as in a VirtualService.",
      ),
    ),
  ),
  routes: Schema.optionalKey(
    Schema.Array(MetaRoute).check(
      doc(
        'Routing rules for the host\'s "tcp-metaprotocol-<protocol>-…" ports, in order: the ' +
          "first rule that matches a request decides where it goes.",
      ),
    ),
  ),
  localRateLimit: Schema.optionalKey(
    LocalRateLimit.check(doc("Rate limits each proxy of the service applies by itself.")),
  ),
  globalRateLimit: Schema.optionalKey(
    GlobalRateLimit.check(doc("Rate limits decided by an external rate-limit service.")),
  ),
  exportTo: Schema.optionalKey(
    Schema.Array(Schema.String).check(
      Schema.makeFilter((entries) =>
        exportToProblems(entries, undefined).map((p) => ({ path: [p.index], issue: p.message }))
      ),
      doc(
        'The namespaces whose proxies get these rules: "." for this namespace, "*" for all, ' +
          '"~" for none, or namespace names. All namespaces when unset.',
      ),
    ),
  ),
}).check(
  Schema.makeFilter((s) =>
    (s.routes?.length ?? 0) > 0 || s.localRateLimit !== undefined ||
    s.globalRateLimit !== undefined ||
    "Add routes, a localRateLimit or a globalRateLimit: the MetaRouter does nothing"
  ),
  doc(
    "Routing, mirroring, header changes and rate limits of one MetaProtocol service; it takes " +
      "effect mesh-wide, whatever namespace it is in.",
  ),
);
/** The spec of a MetaRouter. */
export type MetaRouterSpec = typeof MetaRouterSpec.Type;

/** A MetaRouter object. */
export const MetaRouter = Schema.Struct({
  apiVersion: Schema.Literal(METAPROTOCOL_API_VERSION),
  kind: Schema.Literal("MetaRouter"),
  metadata: ObjectMeta,
  spec: MetaRouterSpec,
  status: Status,
}).check(
  // Only "." next to the own namespace needs the namespace; the field checks the rest.
  Schema.makeFilter((o) => {
    const without = exportToProblems(o.spec.exportTo ?? [], undefined).map((p) => p.index);
    return exportToProblems(o.spec.exportTo ?? [], o.metadata.namespace)
      .filter((p) => !without.includes(p.index))
      .map((p) => ({ path: ["spec", "exportTo", p.index], issue: p.message }));
  }),
);
/** A MetaRouter object (decoded). */
export type MetaRouter = typeof MetaRouter.Type;
/** A MetaRouter object as written in YAML. */
export type MetaRouterEncoded = typeof MetaRouter.Encoded;

/**
 * Warnings (valid but probably wrong) for a decoded MetaRouter: routes after a catch-all route
 * can never match (the webhook's `MetaRouterUnreachableRule`, widened to any later route), and
 * `exportTo: ["~"]` generates nothing.
 */
export function metaRouterWarnings(router: MetaRouter): Problem[] {
  const out: Problem[] = [];
  const routes = router.spec.routes ?? [];
  const catchAll = routes.findIndex(isCatchAll);
  for (let i = catchAll + 1; catchAll >= 0 && i < routes.length; i++) {
    const name = routes[i].name ? ` "${routes[i].name}"` : "";
    out.push({
      path: formatPath(["spec", "routes", i]),
      message: `Move or remove route${name}: it follows the catch-all route at ${
        formatPath(["spec", "routes", catchAll])
      } and can never match`,
    });
  }
  for (const message of exportToWarnings(router.spec.exportTo)) {
    out.push({ path: "spec.exportTo", message });
  }
  return out;
}
