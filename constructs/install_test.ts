import assert from "node:assert/strict";
import { Chart, Testing } from "cdk8s";
import {
  AerakiInstall,
  OPERATOR_CLUSTER_RULES,
  OPERATOR_PORTS,
  SIDECAR_PROXY_IMAGE_ANNOTATION,
  WEBHOOK_SECRET_NAME,
} from "./install.ts";

function synth() {
  const chart = new Chart(Testing.app(), "install");
  new AerakiInstall(chart, "aeraki", { image: "example/aeraki:1", replicas: 2 });
  return Testing.synth(chart);
}

Deno.test("AerakiInstall installs the five CRDs with status, categories and short names", () => {
  const crds = synth().filter((o) => o.kind === "CustomResourceDefinition");
  assert.deepEqual(crds.map((c) => c.metadata.name).sort(), [
    "applicationprotocols.metaprotocol.aeraki.io",
    "dubboauthorizationpolicies.dubbo.aeraki.io",
    "metarouters.metaprotocol.aeraki.io",
    "redisdestinations.redis.aeraki.io",
    "redisservices.redis.aeraki.io",
  ]);
  for (const crd of crds) {
    assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
    assert.equal(crd.metadata.namespace, undefined, "CRDs are cluster-scoped");
  }
  const byKind = Object.fromEntries(crds.map((c) => [c.spec.names.kind, c]));
  assert.equal(byKind.ApplicationProtocol.spec.scope, "Cluster");
  assert.deepEqual(byKind.RedisService.spec.names.shortNames, ["rsvc"]);
  assert.deepEqual(byKind.DubboAuthorizationPolicy.spec.names.shortNames, ["dap"]);
  assert.equal(
    byKind.RedisService.spec.versions[0].additionalPrinterColumns[0].jsonPath,
    ".spec.host",
    "upstream's .spec.hosts typo is fixed",
  );
});

Deno.test("AerakiInstall grants no wildcard and writes only its webhook Secret", () => {
  const objs = synth();
  const rules = objs.filter((o) => o.kind === "ClusterRole" || o.kind === "Role").flatMap((r) =>
    r.rules
  );
  for (const rule of rules) {
    for (const field of ["apiGroups", "resources", "verbs"]) {
      assert.ok(!rule[field].includes("*"), JSON.stringify(rule));
    }
  }
  const cluster = objs.find((o) => o.kind === "ClusterRole").rules;
  const secretVerbs = cluster.filter((r: { resources: string[] }) =>
    r.resources.includes("secrets")
  )
    .flatMap((r: { verbs: string[] }) => r.verbs);
  assert.deepEqual(secretVerbs.sort(), ["get", "list", "watch"], "cluster-wide: read only");
  const role = objs.find((o) => o.kind === "Role");
  assert.equal(role.metadata.namespace, "istio-system");
  assert.deepEqual(
    role.rules.filter((r: { resources: string[] }) => r.resources.includes("secrets")),
    [
      { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
      {
        apiGroups: [""],
        resources: ["secrets"],
        resourceNames: [WEBHOOK_SECRET_NAME],
        verbs: ["get", "update", "patch"],
      },
    ],
  );
  assert.ok(
    OPERATOR_CLUSTER_RULES.some(([g, r, v]) =>
      g === "networking.istio.io" && r.includes("envoyfilters") && v.includes("delete")
    ),
  );
  const binding = objs.find((o) => o.kind === "ClusterRoleBinding");
  assert.deepEqual(binding.subjects, [{
    kind: "ServiceAccount",
    name: "aeraki",
    namespace: "istio-system",
  }]);
});

Deno.test("AerakiInstall runs the operator image with xDS, webhook and monitoring ports", () => {
  const objs = synth();
  const deployment = objs.find((o) => o.kind === "Deployment");
  assert.equal(deployment.spec.replicas, 2);
  const pod = deployment.spec.template;
  assert.equal(pod.metadata.annotations["sidecar.istio.io/inject"], "false");
  const [container] = pod.spec.containers;
  assert.equal(container.image, "example/aeraki:1");
  assert.deepEqual(container.ports.map((p: { containerPort: number }) => p.containerPort), [
    OPERATOR_PORTS.xds,
    OPERATOR_PORTS.webhook,
    OPERATOR_PORTS.monitoring,
  ]);
  assert.equal(container.readinessProbe.httpGet.path, "/ready");
  assert.equal(pod.spec.serviceAccountName, "aeraki");
  const service = objs.find((o) => o.kind === "Service");
  assert.equal(service.metadata.name, "aeraki");
  assert.deepEqual(
    service.spec.ports.map((
      p: { name: string; port: number; targetPort: number },
    ) => [p.name, p.port, p.targetPort]),
    [
      ["grpc-xds", 15010, 15010],
      ["https-webhook", 443, 15017],
      ["http-monitoring", 8080, 8080],
    ],
  );
});

Deno.test("AerakiInstall records the MetaProtocol sidecar image its EnvoyFilters need", () => {
  const image = (props: { sidecarProxyImage?: string }) => {
    const chart = new Chart(Testing.app(), "install");
    const install = new AerakiInstall(chart, "aeraki", props);
    const deployment = Testing.synth(chart).find((o) => o.kind === "Deployment")!;
    assert.equal(
      install.sidecarProxyImage,
      deployment.metadata.annotations[SIDECAR_PROXY_IMAGE_ANNOTATION],
    );
    return install.sidecarProxyImage;
  };
  assert.equal(image({}), "ghcr.io/aeraki-mesh/meta-protocol-proxy:1.4.2");
  assert.equal(image({ sidecarProxyImage: "registry.local/mpp:1.22" }), "registry.local/mpp:1.22");
});
