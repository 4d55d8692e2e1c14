/**
 * The Envoy v3 bootstrap loader of the MetaProtocol proxy: reads a bootstrap the way
 * `envoy -c` does (YAML or JSON, proto3 JSON names, `typed_config` by `@type`, strictly
 * checked against the real protos), refuses what the proxy does not implement, lists what
 * has no effect, and compiles the rest to the runtime model of `../config/model.ts`.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export {
  type BootstrapNote,
  type BootstrapReport,
  type BootstrapResult,
  formatNote,
  loadBootstrap,
  loadBootstrapText,
  type LoadOptions,
} from "./load.ts";
export {
  type CompiledBootstrap,
  type CompileOptions,
  type EdsSubscriptionModel,
  type RdsSubscriptionModel,
} from "./compile.ts";
export { type ConfigSourceModel, type GrpcSourceModel, type ListenerInputs } from "./listeners.ts";
export {
  compileClusterResource,
  compileListenerResource,
  type ResourceResult,
} from "./resources.ts";
export { type NodeInfo } from "./filters.ts";
export { type TracingModel, type ZipkinModel } from "./observability.ts";
export { compileMatchers, fraction } from "./routes.ts";
export { compileEndpoints } from "./clusters.ts";
export { CompileContext } from "./_context.ts";
