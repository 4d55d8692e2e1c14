/**
 * The sidecar bootstrap ConfigMap the namespace controller writes (control-plane spec §5, §6):
 * `aeraki-bootstrap-config` with key `custom_bootstrap.json`, a static cluster `aeraki-xds`
 * through which sidecars annotated `sidecar.istio.io/bootstrapOverride: aeraki-bootstrap-config`
 * reach the operator's MetaProtocol RDS server over Istio mTLS (certificates from SDS).
 *
 * @module
 */

/** The ConfigMap's name, which pods name in their bootstrap-override annotation. */
export const BOOTSTRAP_CONFIG_MAP = "aeraki-bootstrap-config";
/** The ConfigMap key Istio's injector reads. */
export const BOOTSTRAP_KEY = "custom_bootstrap.json";
/** The static cluster sidecars use for MetaProtocol RDS. */
export const XDS_CLUSTER = "aeraki-xds";

/** Options of {@link buildSidecarBootstrap}. */
export interface SidecarBootstrapOptions {
  /** Host of the RDS server. @default "aeraki.istio-system" */
  readonly xdsAddress?: string;
  /** Port of the RDS server. @default 15010 */
  readonly xdsPort?: number;
}

/** A ConfigMap as the API server takes it. */
export interface BootstrapConfigMap {
  readonly apiVersion: "v1";
  readonly kind: "ConfigMap";
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly data: Readonly<Record<string, string>>;
}

function sdsSecret(name: string) {
  return {
    name,
    sds_config: {
      api_config_source: {
        api_type: "GRPC",
        grpc_services: [{ envoy_grpc: { cluster_name: "sds-grpc" } }],
        set_node_on_first_message_only: true,
        transport_api_version: "V3",
      },
      initial_fetch_timeout: "0s",
      resource_api_version: "V3",
    },
  };
}

/** The Envoy bootstrap fragment: upstream's template, as a value. */
export function sidecarBootstrap(options: SidecarBootstrapOptions = {}): unknown {
  const thresholds = {
    max_connections: 100000,
    max_pending_requests: 100000,
    max_requests: 100000,
  };
  return {
    static_resources: {
      clusters: [{
        name: XDS_CLUSTER,
        type: "STRICT_DNS",
        connect_timeout: "1s",
        max_requests_per_connection: 1,
        circuit_breakers: { thresholds: [thresholds, { priority: "HIGH", ...thresholds }] },
        http2_protocol_options: {},
        upstream_connection_options: { tcp_keepalive: { keepalive_time: 300 } },
        load_assignment: {
          cluster_name: XDS_CLUSTER,
          endpoints: [{
            lb_endpoints: [{
              endpoint: {
                address: {
                  socket_address: {
                    address: options.xdsAddress ?? "aeraki.istio-system",
                    port_value: options.xdsPort ?? 15010,
                  },
                },
              },
            }],
          }],
        },
        transport_socket: {
          name: "envoy.transport_sockets.tls",
          typed_config: {
            "@type":
              "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
            common_tls_context: {
              validation_context_sds_secret_config: sdsSecret("ROOTCA"),
              tls_certificate_sds_secret_configs: [sdsSecret("default")],
            },
          },
        },
      }],
    },
  };
}

/**
 * Builds the bootstrap ConfigMap for `namespace`, labelled `manager: Aeraki`. The namespace
 * controller keeps a labelled one as built and leaves an unlabelled one (someone else's) alone;
 * upstream only ever creates it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildSidecarBootstrap } from "./sidecar_bootstrap.ts";
 * const cm = buildSidecarBootstrap("demo", { xdsPort: 15010 });
 * const json = JSON.parse(cm.data["custom_bootstrap.json"]);
 * assert.equal(json.static_resources.clusters[0].name, "aeraki-xds");
 * ```
 */
export function buildSidecarBootstrap(
  namespace: string,
  options: SidecarBootstrapOptions = {},
): BootstrapConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: BOOTSTRAP_CONFIG_MAP, namespace, labels: { manager: "Aeraki" } },
    data: { [BOOTSTRAP_KEY]: JSON.stringify(sidecarBootstrap(options), null, 2) },
  };
}

/**
 * Whether a namespace gets the ConfigMap: its sidecars are injected (label
 * `istio-injection=enabled` or a non-empty `istio.io/rev`).
 */
export function wantsSidecarBootstrap(labels: Readonly<Record<string, string>> = {}): boolean {
  return labels["istio-injection"] === "enabled" || (labels["istio.io/rev"] ?? "") !== "";
}
