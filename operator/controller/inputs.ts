/**
 * The kinds the controller watches as generation inputs (spec §2).
 *
 * @module
 */
import {
  AERAKI_KUBE_KINDS,
  CONFIG_MAP,
  DESTINATION_RULE,
  GATEWAY,
  type KubeKind,
  SERVICE,
  SERVICE_ENTRY,
  VIRTUAL_SERVICE,
} from "../kube/mod.ts";

/** Aeraki's five kinds, the Istio inputs, Services and ConfigMaps (the mesh config). */
export const INPUT_KINDS: readonly KubeKind[] = [
  ...AERAKI_KUBE_KINDS,
  SERVICE_ENTRY,
  DESTINATION_RULE,
  VIRTUAL_SERVICE,
  GATEWAY,
  SERVICE,
  CONFIG_MAP,
];

/** Field selectors that narrow a watched kind to what generation reads. */
export const INPUT_FIELD_SELECTORS: ReadonlyMap<KubeKind, string> = new Map([
  // Only the mesh config ConfigMap `istio` is read, not every ConfigMap in the cluster.
  [CONFIG_MAP, "metadata.name=istio"],
]);

/**
 * Label selectors that narrow a watched kind: the gateway VirtualServices the controller
 * writes (labelled `manager: Aeraki`) are its output, never an input.
 */
export const INPUT_LABEL_SELECTORS: ReadonlyMap<KubeKind, string> = new Map([
  [VIRTUAL_SERVICE, "manager!=Aeraki"],
]);
