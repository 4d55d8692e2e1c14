import assert from "node:assert/strict";
import { OPERATOR_FLAGS, operatorFlagsUsage, parseOperatorConfig } from "./config.ts";

const noEnv = { randomId: () => "r1" };

Deno.test("parseOperatorConfig() gives upstream's defaults with no flags and no environment", () => {
  const r = parseOperatorConfig([], noEnv);
  assert.ok(r.ok);
  assert.deepEqual(r.config, {
    rootNamespace: "istio-system",
    master: true,
    namespaceScope: false,
    xdsAddress: "aeraki.istio-system",
    xdsPort: 15010,
    istiodAddress: "istiod.istio-system:15010",
    istiodConfigMapName: "istio",
    clusterId: "",
    logLevel: "all:info",
    domain: "cluster.local",
    webhookPort: 15017,
    monitoringPort: 8080,
    debounceMs: 100,
    debounceMaxMs: 1000,
    leaseName: "aeraki-envoyfilter-controller-election",
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    serverId: "aeraki_r1",
    podName: undefined,
    podNamespace: undefined,
  });
});

Deno.test("parseOperatorConfig() reads flags in every form Go's flag package accepts", () => {
  const r = parseOperatorConfig([
    "--root-namespace=mesh",
    "-domain",
    "corp.local",
    "--master=false",
    "--enable-envoy-filter-namespace-scope",
    "--httpsAddr=0.0.0.0:9443",
    "--aeraki-xds-port",
    "15011",
    "--debounce=250ms",
    "--debounce-max=2s",
    "--kubeconfig=/k/config",
    "extra",
  ], noEnv);
  assert.ok(r.ok);
  assert.equal(r.config.rootNamespace, "mesh");
  assert.equal(r.config.domain, "corp.local");
  assert.equal(r.config.master, false);
  assert.equal(r.config.namespaceScope, true);
  assert.equal(r.config.webhookPort, 9443);
  assert.equal(r.config.xdsPort, 15011);
  assert.equal(r.config.debounceMs, 250);
  assert.equal(r.config.debounceMaxMs, 2000);
  assert.equal(r.config.kubeconfig, "/k/config");
  assert.deepEqual(r.rest, ["extra"]);
});

Deno.test("parseOperatorConfig() lets a flag win over its variable and a variable over the default", () => {
  const env: Record<string, string> = {
    AERAKI_NAMESPACE: "from-env",
    AERAKI_XDS_ADDR: "rds.example",
    AERAKI_IS_MASTER: "false",
    AERAKI_SERVER_ID: "",
    POD_NAME: "aeraki-7d9f",
    POD_NAMESPACE: "istio-system",
  };
  const r = parseOperatorConfig(["--root-namespace=from-flag"], {
    ...noEnv,
    env: (n) => env[n],
  });
  assert.ok(r.ok);
  assert.equal(r.config.rootNamespace, "from-flag");
  assert.equal(r.config.xdsAddress, "rds.example");
  assert.equal(r.config.master, false, "AERAKI_IS_MASTER is read (upstream quirk Q13 fixed)");
  assert.equal(
    r.config.serverId,
    "aeraki-7d9f_r1",
    "an empty variable falls back to POD_NAME and a random suffix",
  );
  assert.equal(r.config.podNamespace, "istio-system");
});

Deno.test("parseOperatorConfig() names every bad flag and variable", () => {
  const r = parseOperatorConfig(["--nope", "--master=maybe", "--httpAddr=:99999", "--domain"], {
    env: (n) => n === "AERAKI_DEBOUNCE" ? "soon" : undefined,
  });
  assert.ok(!r.ok);
  assert.deepEqual(r.problems, [
    `Remove the unknown flag "--nope": see "aeraki operator --help"`,
    `Give a value to the flag "--domain"`,
    `Set flag "--master" to "true" or "false": got "maybe"`,
    `Set flag "--httpAddr" to a port between 1 and 65535 (like ":15017"): got ":99999"`,
    `Set variable "AERAKI_DEBOUNCE" to a duration like "100ms", "1s" or "2m": got "soon"`,
  ]);
  const inverted = parseOperatorConfig(["--debounce=2s", "--debounce-max=1s"], noEnv);
  assert.ok(!inverted.ok);
  assert.match(inverted.problems[0], /debounce-max/);
});

Deno.test("parseOperatorConfig() names the host in the default identity and checks the election's timing", () => {
  const r = parseOperatorConfig(["--leader-elect-lease-duration=4s"], {
    ...noEnv,
    hostname: () => "node-1",
    env: (n) => ({ AERAKI_LEADER_ELECT_RENEW_DEADLINE: "3s" })[n],
  });
  assert.ok(r.ok);
  assert.equal(r.config.serverId, "node-1_r1");
  assert.equal(r.config.leaseDurationMs, 4000);
  assert.equal(r.config.renewDeadlineMs, 3000);
  const fractional = parseOperatorConfig(["--leader-elect-lease-duration=4500ms"], noEnv);
  assert.ok(!fractional.ok);
  assert.deepEqual(fractional.problems, [
    `Set "--leader-elect-lease-duration" to whole seconds: got 4500ms`,
  ]);
  const inverted = parseOperatorConfig(["--leader-elect-lease-duration=10s"], noEnv);
  assert.ok(!inverted.ok);
  assert.match(inverted.problems[0], /"--leader-elect-lease-duration" > "--leader-elect-renew/);
});

Deno.test("operatorFlagsUsage() lists every flag with its default and variable", () => {
  const usage = operatorFlagsUsage();
  for (const flag of OPERATOR_FLAGS) assert.ok(usage.includes(`--${flag.name}\n`), flag.name);
  assert.match(usage, /--aeraki-xds-port\n.*\(default ":15010"\) \[env AERAKI_XDS_PORT\]/);
});

Deno.test("parseOperatorConfig() refuses a webhook URL that is not https and a bad namespace selector", () => {
  const r = parseOperatorConfig([
    "--webhook-url=http://127.0.0.1:9443/validate",
    "--webhook-namespace-selector=team",
  ], noEnv);
  assert.ok(!r.ok);
  assert.deepEqual(r.problems, [
    `Set "--webhook-url" to an https URL like "https://127.0.0.1:15017/validate": got "http://127.0.0.1:9443/validate"`,
    `Set "--webhook-namespace-selector" to key=value,...: Write "team" as key=value`,
  ]);
  const good = parseOperatorConfig([
    "--webhook-url=https://127.0.0.1:9443/validate",
    "--webhook-namespace-selector=kubernetes.io/metadata.name=t",
  ], noEnv);
  assert.ok(good.ok);
});
