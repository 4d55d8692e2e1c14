/**
 * The `@kubernetes-models/istio` classes this project validates with, loaded in one place so
 * the deprecation warning of their dependencies is muted (see `_deprecations_off.ts`). Import
 * Istio models from here, never from the package directly.
 *
 * @module
 */
import "./_deprecations_off.ts";
export {
  DestinationRule,
  type IDestinationRule,
} from "@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule";
export {
  Gateway,
  type IGateway,
} from "@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway";
export {
  type IServiceEntry,
  ServiceEntry,
} from "@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry";
export {
  type IVirtualService,
  VirtualService,
} from "@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService";
export {
  EnvoyFilter,
  type IEnvoyFilter,
} from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";
export {
  VirtualService as VirtualServiceV1alpha3,
} from "@kubernetes-models/istio/networking.istio.io/v1alpha3/VirtualService";
import "./_deprecations_restore.ts";
