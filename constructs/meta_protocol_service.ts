/**
 * `MetaProtocolService`: a MetaProtocol service the way Aeraki expects it, without the
 * foot-guns — a Kubernetes Service whose port is named `tcp-metaprotocol-<protocol>-<name>`,
 * one Deployment per version labelled `app` and `version` whose pods run the MetaProtocol
 * sidecar (see `sidecar.ts`), and the DestinationRule whose subsets select those versions.
 *
 * @module
 */
import { Size } from "cdk8s";
import * as kplus from "cdk8s-plus-33";
import { Construct } from "constructs";
import { DestinationRule, type DestinationRuleSpec } from "./istio.ts";
import { META_PROTOCOL_PROXY_IMAGE, PROXY_IMAGE_ANNOTATION } from "./sidecar.ts";

/** One version of the service's workload. */
export interface ServiceVersion {
  /** The version label and DestinationRule subset name, e.g. `v1`. */
  readonly name: string;
  /** The container image. */
  readonly image: string;
  /** Pod replicas. @default 1 */
  readonly replicas?: number;
  /** Extra environment variables. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra pod labels (beside `app` and `version`). @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Props of {@link MetaProtocolService}. */
export interface MetaProtocolServiceProps {
  /** The application protocol (`dubbo`, `thrift`, or one an ApplicationProtocol registers). */
  readonly protocol: string;
  /** The service port. */
  readonly port: number;
  /** The port the containers listen on. @default the service port */
  readonly containerPort?: number;
  /** The Service name, also the `app` label. @default the construct id */
  readonly name?: string;
  /** Namespace of every object. @default the chart's namespace */
  readonly namespace?: string;
  /** The suffix of the port name `tcp-metaprotocol-<protocol>-<suffix>`. @default the name */
  readonly portNameSuffix?: string;
  /** The versions to deploy; each becomes a Deployment and a DestinationRule subset. */
  readonly versions: readonly ServiceVersion[];
  /** A traffic policy for the whole DestinationRule, e.g. consistent hash. @default none */
  readonly trafficPolicy?: DestinationRuleSpec["trafficPolicy"];
  /** The mesh DNS domain. @default "cluster.local" */
  readonly domain?: string;
  /**
   * A fixed ClusterIP. Only needed when EnvoyFilters are generated at synth time
   * (`StaticMeshFilters`): Istio names the outbound listener `<clusterIP>_<port>`.
   * @default assigned by Kubernetes
   */
  readonly clusterIP?: string;
  /** Container resources. @default requests 100m CPU / 128 MiB, limits 1 CPU / 512 MiB */
  readonly resources?: kplus.ContainerResources;
  /**
   * The sidecar image of every pod, set with Istio's `sidecar.istio.io/proxyImage`
   * annotation: an Envoy built with the MetaProtocol filter, for the mesh's Istio release.
   * `false` sets no annotation, for meshes whose proxies all run such an image
   * (`values.global.proxy.image`).
   * @default META_PROTOCOL_PROXY_IMAGE ("ghcr.io/aeraki-mesh/meta-protocol-proxy:1.4.2", Istio 1.18)
   */
  readonly proxyImage?: string | false;
}

const LABEL_VALUE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A MetaProtocol service: Service + one Deployment per version + DestinationRule. */
export class MetaProtocolService extends Construct {
  /** The Kubernetes Service. */
  readonly service: kplus.Service;
  /** The Deployments, by version name. */
  readonly deployments: ReadonlyMap<string, kplus.Deployment>;
  /** The DestinationRule with one subset per version. */
  readonly destinationRule: DestinationRule;
  /** The service's fully qualified host, e.g. `thrift-sample-server.meta-thrift.svc.cluster.local`. */
  readonly host: string;
  /** The service port. */
  readonly port: number;
  /** The application protocol. */
  readonly protocol: string;
  /** The port name Aeraki reads the protocol from. */
  readonly portName: string;

  /** Creates the service, its Deployments and its DestinationRule. */
  constructor(scope: Construct, id: string, props: MetaProtocolServiceProps) {
    super(scope, id);
    const name = props.name ?? id;
    const namespace = props.namespace ?? chartNamespace(scope) ?? "default";
    this.protocol = props.protocol;
    this.port = props.port;
    this.portName = `tcp-metaprotocol-${props.protocol}-${props.portNameSuffix ?? name}`;
    this.host = `${name}.${namespace}.svc.${props.domain ?? "cluster.local"}`;
    this.node.addValidation({ validate: () => validateProps(props, this.portName) });

    this.service = new kplus.Service(this, "Service", {
      metadata: { name, namespace, labels: { app: name } },
      ...(props.clusterIP ? { clusterIP: props.clusterIP } : {}),
      ports: [{
        name: this.portName,
        port: props.port,
        targetPort: props.containerPort ?? props.port,
        protocol: kplus.Protocol.TCP,
      }],
    });
    this.service.selectLabel("app", name);

    const deployments = new Map<string, kplus.Deployment>();
    for (const version of props.versions) {
      if (deployments.has(version.name)) continue; // reported by validateProps
      deployments.set(version.name, versionDeployment(this, name, namespace, props, version));
    }
    this.deployments = deployments;

    this.destinationRule = new DestinationRule(this, "DestinationRule", {
      metadata: { name, namespace },
      spec: {
        host: this.host,
        ...(props.trafficPolicy ? { trafficPolicy: props.trafficPolicy } : {}),
        subsets: props.versions.map((v) => ({ name: v.name, labels: { version: v.name } })),
      },
    });
  }

  /** The names of the version subsets. */
  get subsets(): string[] {
    return [...this.deployments.keys()];
  }
}

function versionDeployment(
  scope: Construct,
  name: string,
  namespace: string,
  props: MetaProtocolServiceProps,
  version: ServiceVersion,
): kplus.Deployment {
  const labels = { ...version.labels, app: name, version: version.name };
  const proxyImage = props.proxyImage ?? META_PROTOCOL_PROXY_IMAGE;
  const deployment = new kplus.Deployment(scope, `Deployment-${version.name}`, {
    metadata: { name: `${name}-${version.name}`, namespace, labels },
    replicas: version.replicas ?? 1,
    select: false,
    podMetadata: {
      labels,
      ...(proxyImage === false ? {} : { annotations: { [PROXY_IMAGE_ANNOTATION]: proxyImage } }),
    },
    securityContext: { ensureNonRoot: false },
  });
  deployment.select(kplus.LabelSelector.of({ labels: { app: name, version: version.name } }));
  deployment.addContainer({
    name,
    image: version.image,
    portNumber: props.containerPort ?? props.port,
    resources: props.resources ?? {
      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
      memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
    },
    securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
    envVariables: Object.fromEntries(
      Object.entries(version.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
    ),
  });
  return deployment;
}

function validateProps(props: MetaProtocolServiceProps, portName: string): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9]+$/.test(props.protocol)) {
    problems.push(
      `Cannot name the port for protocol "${props.protocol}": protocol must be lower-case letters and digits only, since Aeraki splits port names on "-"`,
    );
  }
  if (portName.length > 63 || !LABEL_VALUE.test(portName)) {
    problems.push(
      `Cannot name the service port "${portName}": a port name must be a lower-case DNS-1123 label of at most 63 characters`,
    );
  }
  if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) {
    problems.push(`Cannot expose port ${props.port}: port must be between 1 and 65535`);
  }
  if (props.proxyImage === "") {
    problems.push(
      "Name the sidecar image in proxyImage: it is empty (false sets no sidecar.istio.io/proxyImage annotation)",
    );
  }
  if (props.versions.length === 0) {
    problems.push("Cannot deploy a service without versions: give at least one version");
  }
  const seen = new Set<string>();
  for (const v of props.versions) {
    if (!LABEL_VALUE.test(v.name)) {
      problems.push(
        `Cannot use version "${v.name}": a version must be a DNS-1123 label (lower-case letters, digits, "-")`,
      );
    }
    if (seen.has(v.name)) {
      problems.push(`Cannot deploy version "${v.name}" twice: names must be unique`);
    }
    seen.add(v.name);
  }
  return problems;
}

function chartNamespace(scope: Construct): string | undefined {
  for (let s: Construct | undefined = scope; s; s = s.node.scope) {
    const ns = (s as { namespace?: unknown }).namespace;
    if (typeof ns === "string") return ns;
  }
  return undefined;
}
