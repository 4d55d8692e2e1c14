/**
 * The Istio mesh config (ConfigMap `istio`, key `mesh`, in the root namespace): the access-log
 * and tracing settings Aeraki copies into the MetaProtocol proxy. The caller parses the YAML;
 * this schema checks the parsed value. Fields not listed are dropped.
 *
 * @module
 */
import { Schema } from "effect";

/** The parts of Istio's MeshConfig Aeraki reads. Istio's defaults apply when absent. */
export const MeshConfig = Schema.Struct({
  /** Access log path, e.g. `/dev/stdout`; empty or absent disables access logs. */
  accessLogFile: Schema.optionalKey(Schema.String),
  /** `TEXT` (Istio's default) or `JSON`. */
  accessLogEncoding: Schema.optionalKey(Schema.Literals(["TEXT", "JSON"])),
  /** Access log format string; empty means Envoy's default. */
  accessLogFormat: Schema.optionalKey(Schema.String),
  /** Whether tracing is on (Istio's default: true). */
  enableTracing: Schema.optionalKey(Schema.Boolean),
  defaultConfig: Schema.optionalKey(Schema.Struct({
    tracing: Schema.optionalKey(Schema.Struct({
      /** Sampling percentage, 0..100 (Istio's default: 1). */
      sampling: Schema.optionalKey(
        Schema.Finite.check(
          Schema.makeFilter((n: number) =>
            (n >= 0 && n <= 100) || `Use a sampling percentage between 0 and 100: got ${n}`
          ),
        ),
      ),
    })),
  })),
  rootNamespace: Schema.optionalKey(Schema.String),
  trustDomain: Schema.optionalKey(Schema.String),
});
/** The parts of Istio's MeshConfig Aeraki reads. */
export type MeshConfig = typeof MeshConfig.Type;
