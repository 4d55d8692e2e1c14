/**
 * `AerakiInstall`: everything a cluster needs to run the operator image — the five CRDs,
 * a ServiceAccount with least-privilege RBAC, the Deployment and its Service.
 *
 * What it cannot install is the sidecar: the EnvoyFilters the operator writes need an Envoy
 * built with the MetaProtocol filter in every pod that serves or calls a MetaProtocol service
 * — `ghcr.io/aeraki-mesh/meta-protocol-proxy:1.4.2` for Istio 1.18 (`sidecar.ts`), chosen
 * per pod with the `sidecar.istio.io/proxyImage` annotation (`MetaProtocolService` sets it)
 * or mesh-wide with the Istio install value `values.global.proxy.image`. The install records
 * the image it expects in the operator Deployment's annotation `aeraki.io/sidecar-proxy-image`,
 * so `kubectl describe` shows the pairing.
 *
 * @module
 */
import { ApiObject, type ApiObjectProps, Duration, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { AerakiCrds } from "./crds.ts";
import { META_PROTOCOL_PROXY_IMAGE } from "./sidecar.ts";

/** The operator image `deno task image` builds (its tag is the project's version). */
export const DEFAULT_OPERATOR_IMAGE = "ghcr.io/aeraki-deno/aeraki:0.1.0";

/** Props of {@link AerakiInstall}. */
export interface AerakiInstallProps {
  /** The operator image. @default "ghcr.io/aeraki-deno/aeraki:0.1.0" */
  readonly image?: string;
  /** Namespace of the operator and of the EnvoyFilters it writes (Istio's root namespace). @default "istio-system" */
  readonly namespace?: string;
  /** Operator replicas; all serve RDS, one leads the EnvoyFilter writes. @default 1 */
  readonly replicas?: number;
  /** Istio's DNS domain. @default "cluster.local" */
  readonly domain?: string;
  /** Whether to install the CRDs (turn off when another tool owns them). @default true */
  readonly crds?: boolean;
  /** Container resources. @default requests 100m CPU / 128 MiB, limits 1 CPU / 512 MiB */
  readonly resources?: kplus.ContainerResources;
  /**
   * The MetaProtocol sidecar image the mesh's pods run (recorded on the operator Deployment;
   * select it for pods as the module doc says).
   * @default META_PROTOCOL_PROXY_IMAGE ("ghcr.io/aeraki-mesh/meta-protocol-proxy:1.4.2")
   */
  readonly sidecarProxyImage?: string;
}

/** The operator Deployment's annotation naming the MetaProtocol sidecar image it expects. */
export const SIDECAR_PROXY_IMAGE_ANNOTATION = "aeraki.io/sidecar-proxy-image";

/** Ports the operator listens on. */
export const OPERATOR_PORTS = {
  /** MetaProtocol RDS (xDS) for sidecars, cluster `aeraki-xds`. */
  xds: 15010,
  /** The validating admission webhook (HTTPS). */
  webhook: 15017,
  /** `/ready`, `/healthz` and Prometheus `/metrics`. */
  monitoring: 8080,
} as const;

/**
 * The Secret (in the operator's namespace) where the operator keeps its webhook CA and
 * certificate: created by the first replica, reused by the others and across restarts.
 */
export const WEBHOOK_SECRET_NAME = "aeraki-webhook-certs";

/** The name of the operator's Service, ServiceAccount and Deployment (as upstream). */
export const OPERATOR_NAME = "aeraki";

/** Installs the Aeraki operator. */
export class AerakiInstall extends Construct {
  /** The operator Deployment. */
  readonly deployment: kplus.Deployment;
  /** The Service exposing xDS, the webhook and monitoring. */
  readonly service: kplus.Service;
  /** The operator's ServiceAccount. */
  readonly serviceAccount: kplus.ServiceAccount;
  /** The MetaProtocol sidecar image the mesh's pods need. */
  readonly sidecarProxyImage: string;

  /** Creates the install objects. */
  constructor(scope: Construct, id: string, props: AerakiInstallProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? "istio-system";
    this.sidecarProxyImage = props.sidecarProxyImage ?? META_PROTOCOL_PROXY_IMAGE;
    const metadata = { name: OPERATOR_NAME, namespace, labels: { app: OPERATOR_NAME } };
    if (props.crds ?? true) new AerakiCrds(this, "Crds");

    this.serviceAccount = new kplus.ServiceAccount(this, "ServiceAccount", {
      metadata,
      automountToken: true,
    });
    grantOperatorPermissions(this, this.serviceAccount, namespace);
    this.deployment = operatorDeployment(this, props, namespace, this.serviceAccount);
    this.service = new kplus.Service(this, "Service", {
      metadata,
      selector: this.deployment,
      ports: [
        { name: "grpc-xds", port: OPERATOR_PORTS.xds, targetPort: OPERATOR_PORTS.xds },
        { name: "https-webhook", port: 443, targetPort: OPERATOR_PORTS.webhook },
        {
          name: "http-monitoring",
          port: OPERATOR_PORTS.monitoring,
          targetPort: OPERATOR_PORTS.monitoring,
        },
      ],
    });
  }
}

function operatorDeployment(
  scope: Construct,
  props: AerakiInstallProps,
  namespace: string,
  serviceAccount: kplus.ServiceAccount,
): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, "Deployment", {
    metadata: {
      name: OPERATOR_NAME,
      namespace,
      labels: { app: OPERATOR_NAME },
      annotations: {
        [SIDECAR_PROXY_IMAGE_ANNOTATION]: props.sidecarProxyImage ?? META_PROTOCOL_PROXY_IMAGE,
      },
    },
    replicas: props.replicas ?? 1,
    select: false,
    serviceAccount,
    podMetadata: {
      labels: { app: OPERATOR_NAME },
      annotations: { "sidecar.istio.io/inject": "false" },
    },
    securityContext: { ensureNonRoot: true, user: 65532, group: 65532 },
  });
  deployment.select(kplus.LabelSelector.of({ labels: { app: OPERATOR_NAME } }));
  const rootCert = kplus.Volume.fromConfigMap(
    scope,
    "RootCert",
    kplus.ConfigMap.fromConfigMapName(scope, "IstioRootCert", "istio-ca-root-cert"),
    { name: "istio-ca-root-cert", optional: true },
  );
  deployment.addContainer({
    name: "aeraki",
    image: props.image ?? DEFAULT_OPERATOR_IMAGE,
    args: [
      "operator",
      `--root-namespace=${namespace}`,
      `--domain=${props.domain ?? "cluster.local"}`,
      `--webhook-secret=${WEBHOOK_SECRET_NAME}`,
    ],
    envVariables: {
      POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    },
    ports: [
      { name: "grpc-xds", number: OPERATOR_PORTS.xds },
      { name: "https-webhook", number: OPERATOR_PORTS.webhook },
      { name: "http-monitoring", number: OPERATOR_PORTS.monitoring },
    ],
    readiness: kplus.Probe.fromHttpGet("/ready", {
      port: OPERATOR_PORTS.monitoring,
      periodSeconds: Duration.seconds(5),
    }),
    liveness: kplus.Probe.fromHttpGet("/healthz", {
      port: OPERATOR_PORTS.monitoring,
      initialDelaySeconds: Duration.seconds(10),
    }),
    resources: props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
      memory: { request: sizeMiB(128), limit: sizeMiB(512) },
    },
    securityContext: {
      ensureNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      user: 65532,
      group: 65532,
    },
    volumeMounts: [{ path: "/var/run/secrets/istio", volume: rootCert, readOnly: true }],
  });
  return deployment;
}

function sizeMiB(n: number): Size {
  return Size.mebibytes(n);
}

type Rule = readonly [
  group: string,
  resources: readonly string[],
  verbs: readonly string[],
  resourceNames?: readonly string[],
];

const READ = ["get", "list", "watch"] as const;
const WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;

/** Cluster-wide permissions: read what generation needs, write only what the operator owns. */
export const OPERATOR_CLUSTER_RULES: readonly Rule[] = [
  ["metaprotocol.aeraki.io", ["applicationprotocols", "metarouters"], READ],
  ["redis.aeraki.io", ["redisservices", "redisdestinations"], READ],
  ["dubbo.aeraki.io", ["dubboauthorizationpolicies"], READ],
  ["metaprotocol.aeraki.io", ["applicationprotocols/status", "metarouters/status"], [
    "get",
    "update",
    "patch",
  ]],
  ["redis.aeraki.io", ["redisservices/status", "redisdestinations/status"], [
    "get",
    "update",
    "patch",
  ]],
  ["dubbo.aeraki.io", ["dubboauthorizationpolicies/status"], ["get", "update", "patch"]],
  ["networking.istio.io", ["destinationrules", "gateways"], READ],
  ["networking.istio.io", ["serviceentries"], ["get", "list", "watch", "update", "patch"]],
  ["networking.istio.io", ["envoyfilters", "virtualservices"], WRITE],
  ["", ["services", "namespaces"], READ],
  ["", ["configmaps"], ["get", "list", "watch", "create", "patch", "delete"]],
  // Redis auth secrets are read by name; no wildcard verbs and no writes on Secrets.
  ["", ["secrets"], READ],
  ["", ["events"], ["create", "patch"]],
  ["admissionregistration.k8s.io", ["validatingwebhookconfigurations"], [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
  ]],
];

/**
 * Root-namespace permissions: leader election leases, the webhook certificates' Secret
 * (server-side apply is a patch, creating it a create) and Events.
 */
export const OPERATOR_NAMESPACE_RULES: readonly Rule[] = [
  ["coordination.k8s.io", ["leases"], ["get", "list", "watch", "create", "update", "patch"]],
  // A create cannot name its object; everything else only on the webhook's own Secret.
  ["", ["secrets"], ["create"]],
  ["", ["secrets"], ["get", "update", "patch"], [WEBHOOK_SECRET_NAME]],
  ["", ["events"], ["create", "patch"]],
];

function grantOperatorPermissions(
  scope: Construct,
  account: kplus.ServiceAccount,
  namespace: string,
): void {
  const toRules = (rules: readonly Rule[]) =>
    rules.map(([group, resources, verbs, names]) => ({
      apiGroups: [group],
      resources: [...resources],
      ...(names === undefined ? {} : { resourceNames: [...names] }),
      verbs: [...verbs],
    }));
  const subjects = [{ kind: "ServiceAccount", name: account.name, namespace }];
  const rbac = "rbac.authorization.k8s.io";
  new ApiObject(scope, "ClusterRole", {
    apiVersion: `${rbac}/v1`,
    kind: "ClusterRole",
    metadata: { name: OPERATOR_NAME },
    rules: toRules(OPERATOR_CLUSTER_RULES),
  } as ApiObjectProps);
  new ApiObject(scope, "ClusterRoleBinding", {
    apiVersion: `${rbac}/v1`,
    kind: "ClusterRoleBinding",
    metadata: { name: OPERATOR_NAME },
    roleRef: { apiGroup: rbac, kind: "ClusterRole", name: OPERATOR_NAME },
    subjects,
  } as ApiObjectProps);
  new ApiObject(scope, "Role", {
    apiVersion: `${rbac}/v1`,
    kind: "Role",
    metadata: { name: OPERATOR_NAME, namespace },
    rules: toRules(OPERATOR_NAMESPACE_RULES),
  } as ApiObjectProps);
  new ApiObject(scope, "RoleBinding", {
    apiVersion: `${rbac}/v1`,
    kind: "RoleBinding",
    metadata: { name: OPERATOR_NAME, namespace },
    roleRef: { apiGroup: rbac, kind: "Role", name: OPERATOR_NAME },
    subjects,
  } as ApiObjectProps);
}
