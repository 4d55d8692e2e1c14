/**
 * Runs a compiled Envoy bootstrap: the data plane with its access logs, admin server, RDS/EDS
 * subscriptions and global rate-limit client, and the drain that ends them.
 *
 * Part of `proxy/`: may import `api/`, `proto/` and `codecs/` only.
 *
 * @module
 */
export {
  ProxyRunError,
  runBootstrap,
  runBootstrapScoped,
  type RunningProxy,
  type RunOptions,
} from "./run.ts";
