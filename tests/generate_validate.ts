/**
 * Checks every generated object against the real schemas: EnvoyFilters and VirtualServices
 * with `@kubernetes-models/istio`, every patch value and every route configuration decoded
 * into its Envoy / MetaProtocol proto with unknown fields rejected.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  EnvoyFilter,
  VirtualServiceV1alpha3 as VirtualService,
} from "../constructs/_istio_models.ts";
import type { MeshOutput } from "../operator/generate/mod.ts";
import { assertEnvoyConfig, assertEnvoyFilter } from "./envoy_proto.ts";

/** Asserts every object of `output` is valid (see the module doc). */
export function assertValidOutput(output: MeshOutput): void {
  for (const ef of output.envoyFilters) {
    const json = JSON.parse(JSON.stringify(ef));
    assert.doesNotThrow(() => new EnvoyFilter(json).validate(), `EnvoyFilter ${ef.metadata.name}`);
    assertEnvoyFilter(json);
  }
  for (const vs of output.virtualServices) {
    const json = JSON.parse(JSON.stringify(vs));
    assert.doesNotThrow(() => new VirtualService(json).validate(), `VS ${vs.metadata.name}`);
  }
  for (const rc of output.routeConfigurations) {
    assertEnvoyConfig("envoy.config.route.v3.RouteConfiguration", rc);
  }
}
