/**
 * Where the sidecar comes from. The EnvoyFilters Aeraki writes name the MetaProtocol network
 * filter (`envoy.filters.network.meta_protocol_proxy`), which stock Istio proxies lack: a
 * pod whose sidecar is plain `istio/proxyv2` rejects those listeners. Pods that serve or call
 * MetaProtocol services need the MetaProtocol proxy image, built for the Istio release the
 * mesh runs, selected either per pod with Istio's {@link PROXY_IMAGE_ANNOTATION} (what
 * `MetaProtocolService` does) or mesh-wide with the Istio install value
 * `values.global.proxy.image`.
 *
 * @module
 */

/**
 * The MetaProtocol proxy image upstream Aeraki 1.4.x deploys beside its sidecars (its demos
 * and e2e tests), built for {@link META_PROTOCOL_PROXY_ISTIO}.
 */
export const META_PROTOCOL_PROXY_IMAGE = "ghcr.io/aeraki-mesh/meta-protocol-proxy:1.4.2";

/** The Istio release {@link META_PROTOCOL_PROXY_IMAGE} pairs with (upstream's e2e Istio). */
export const META_PROTOCOL_PROXY_ISTIO = "1.18.1";

/** Istio's pod annotation that replaces the injected sidecar's image. */
export const PROXY_IMAGE_ANNOTATION = "sidecar.istio.io/proxyImage";
