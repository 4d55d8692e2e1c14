/**
 * The install chart: the operator, its CRDs and RBAC, plus the two ApplicationProtocols
 * upstream's install creates (`dubbo` and `thrift`).
 *
 * @module
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { AerakiInstall, type AerakiInstallProps, ApplicationProtocol } from "../constructs/mod.ts";

/** Builds the install chart. */
export function installChart(scope: Construct, props: AerakiInstallProps = {}): Chart {
  const chart = new Chart(scope, "aeraki-install", { disableResourceNameHashes: true });
  new AerakiInstall(chart, "aeraki", props);
  for (const protocol of ["dubbo", "thrift"]) {
    new ApplicationProtocol(chart, `protocol-${protocol}`, {
      metadata: { name: protocol },
      spec: { protocol, codec: `aeraki.meta_protocol.codec.${protocol}` },
    });
  }
  return chart;
}
