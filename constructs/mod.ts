/**
 * cdk8s constructs for writing mesh config as TypeScript: Aeraki's five kinds, the Istio
 * objects beside them, L2 helpers (`MetaProtocolService`, `MetaRouterBuilder`) and the
 * operator install (`AerakiInstall`). May import `api/` and `operator/generate/`.
 *
 * @module
 */
export * from "./aeraki.ts";
export * from "./crds.ts";
export * from "./install.ts";
export * from "./istio.ts";
export * from "./meta_protocol_service.ts";
export * from "./meta_router_builder.ts";
export * from "./sidecar.ts";
export * from "./static_mesh.ts";
