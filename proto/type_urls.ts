/**
 * Type URLs of the MetaProtocol data-plane API (data-plane spec §2) and of the Envoy messages
 * Aeraki generates (control-plane spec §9), so callers never spell them by hand.
 *
 * @module
 */

const P = "type.googleapis.com/";

/** `aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy`, the proxy's network filter config. */
export const META_PROTOCOL_PROXY_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.v1alpha.MetaProtocolProxy`;
/** The MetaProtocol static route configuration. */
export const META_ROUTE_CONFIGURATION_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.config.route.v1alpha.RouteConfiguration`;
/** Config of filter `aeraki.meta_protocol.filters.router`. */
export const ROUTER_TYPE_URL = `${P}aeraki.meta_protocol_proxy.filters.router.v1alpha.Router`;
/** Config of filter `aeraki.meta_protocol.filters.local_ratelimit`. */
export const LOCAL_RATE_LIMIT_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.filters.local_ratelimit.v1alpha.LocalRateLimit`;
/** Config of filter `aeraki.meta_protocol.filters.ratelimit` (global rate limit). */
export const RATE_LIMIT_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.filters.ratelimit.v1alpha.RateLimit`;
/** Config of filter `aeraki.meta_protocol.filters.metadata_exchange`. */
export const METADATA_EXCHANGE_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.filters.metadata_exchange.v1alpha.MetadataExchange`;
/** Config of filter `aeraki.meta_protocol.filters.istio_stats`. */
export const ISTIO_STATS_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.filters.istio_stats.v1alpha.IstioStats`;
/** The MetaProtocol RDS admin dump (config_dump key `meta_protocol_routes`). */
export const META_ROUTES_CONFIG_DUMP_TYPE_URL =
  `${P}aeraki.meta_protocol_proxy.admin.v1alpha.RoutesConfigDump`;
/** The wrapper EnvoyFilter patches put around filter configs. */
export const UDPA_TYPED_STRUCT_TYPE_URL = `${P}udpa.type.v1.TypedStruct`;
/** The newer xds spelling of {@linkcode UDPA_TYPED_STRUCT_TYPE_URL}. */
export const XDS_TYPED_STRUCT_TYPE_URL = `${P}xds.type.v3.TypedStruct`;
/** Envoy's Dubbo proxy network filter config. */
export const DUBBO_PROXY_TYPE_URL =
  `${P}envoy.extensions.filters.network.dubbo_proxy.v3.DubboProxy`;
/** Envoy's Thrift proxy network filter config. */
export const THRIFT_PROXY_TYPE_URL =
  `${P}envoy.extensions.filters.network.thrift_proxy.v3.ThriftProxy`;
/** Envoy's Kafka broker network filter config (contrib; our own minimal proto). */
export const KAFKA_BROKER_TYPE_URL =
  `${P}envoy.extensions.filters.network.kafka_broker.v3.KafkaBroker`;
/** Envoy's ZooKeeper proxy network filter config. */
export const ZOOKEEPER_PROXY_TYPE_URL =
  `${P}envoy.extensions.filters.network.zookeeper_proxy.v3.ZooKeeperProxy`;
/** Envoy's Redis proxy network filter config. */
export const REDIS_PROXY_TYPE_URL =
  `${P}envoy.extensions.filters.network.redis_proxy.v3.RedisProxy`;
/** Envoy's Redis upstream protocol options (cluster `typed_extension_protocol_options`). */
export const REDIS_PROTOCOL_OPTIONS_TYPE_URL =
  `${P}envoy.extensions.filters.network.redis_proxy.v3.RedisProtocolOptions`;
/** Envoy's RBAC network filter config (used as a Dubbo filter). */
export const RBAC_TYPE_URL = `${P}envoy.extensions.filters.network.rbac.v3.RBAC`;
/** Envoy's HTTP route configuration, the resource MetaProtocol RDS serves. */
export const ROUTE_CONFIGURATION_TYPE_URL = `${P}envoy.config.route.v3.RouteConfiguration`;
/** Envoy's cluster, the value of CLUSTER patches. */
export const CLUSTER_TYPE_URL = `${P}envoy.config.cluster.v3.Cluster`;
/** Envoy's file access logger config. */
export const FILE_ACCESS_LOG_TYPE_URL = `${P}envoy.extensions.access_loggers.file.v3.FileAccessLog`;
/** Envoy's listener, served to our proxy over LDS. */
export const LISTENER_TYPE_URL = `${P}envoy.config.listener.v3.Listener`;
/** Envoy's cluster load assignment (endpoints), served to our proxy over EDS. */
export const CLUSTER_LOAD_ASSIGNMENT_TYPE_URL =
  `${P}envoy.config.endpoint.v3.ClusterLoadAssignment`;
