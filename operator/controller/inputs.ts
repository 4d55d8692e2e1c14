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
