import assert from "node:assert/strict";
import { Chart, Testing } from "cdk8s";
import {
  AerakiInstall,
  DEFAULT_OPERATOR_IMAGE,
  OPERATOR_PORTS,
  WEBHOOK_SECRET_NAME,
} from "../constructs/mod.ts";
import { parseOperatorConfig } from "../operator/config.ts";
import { COMMANDS } from "../operator/cli/main.ts";

function container(props = {}) {
  const chart = new Chart(Testing.app(), "install");
  new AerakiInstall(chart, "aeraki", props);
  const deployment = Testing.synth(chart).find((o) => o.kind === "Deployment");
  return deployment.spec.template.spec.containers[0];
}

Deno.test("AerakiInstall passes only flags aeraki operator accepts, and they mean what the install says", () => {
  const c = container({ namespace: "mesh-root", domain: "corp.local" });
  assert.equal(c.image, DEFAULT_OPERATOR_IMAGE);
  assert.equal(c.args[0], "operator");
  const env: Record<string, string> = { POD_NAME: "aeraki-0", POD_NAMESPACE: "mesh-root" };
  for (const e of c.env) assert.ok(e.valueFrom?.fieldRef, `${e.name} comes from the pod`);
  const parsed = parseOperatorConfig(c.args.slice(1), { env: (n) => env[n] });
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.problems.join("\n"));
  assert.deepEqual(parsed.rest, []);
  assert.equal(parsed.config.rootNamespace, "mesh-root");
  assert.equal(parsed.config.domain, "corp.local");
  // The ports the container declares are the ones the operator listens on by default.
  assert.equal(parsed.config.xdsPort, OPERATOR_PORTS.xds);
  assert.equal(parsed.config.webhookPort, OPERATOR_PORTS.webhook);
  assert.equal(parsed.config.monitoringPort, OPERATOR_PORTS.monitoring);
  // The webhook keeps its certificates in the Secret the install's Role lets it write.
  assert.equal(parsed.config.webhookSecret, WEBHOOK_SECRET_NAME);
  assert.equal(parsed.config.webhookCertDir, undefined);
  assert.deepEqual(c.env.map((e: { name: string }) => e.name).sort(), [
    "POD_NAME",
    "POD_NAMESPACE",
  ]);
});

Deno.test({
  name: "aeraki operator --help runs once the command exists",
  // The operator command is written on another branch; this checks it as soon as it is merged.
  ignore: !("operator" in COMMANDS),
  async fn() {
    const command = await COMMANDS.operator();
    let out = "";
    const code = await command.run(["--help"], {
      out: (t) => void (out += t),
      err: (t) => void (out += t),
      stdin: () => Promise.resolve(new Uint8Array()),
    });
    assert.equal(code, 0);
    assert.match(out, /--root-namespace/);
  },
});
