import assert from "node:assert/strict";
import { memoryIo } from "./command.ts";
import { renderCommand } from "./render.ts";

const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: thrift-sample-server, namespace: meta-thrift }
spec:
  selector: { app: thrift-sample-server }
  ports:
    - { name: tcp-metaprotocol-thrift-hello-server, port: 9090 }
`;

Deno.test("renderCommand notes a Service without clusterIP gets no outbound filter", async () => {
  const io = memoryIo(new TextEncoder().encode(SERVICE));
  assert.equal(await renderCommand.run(["-"], io), 0);
  const note =
    "Service/meta-thrift/thrift-sample-server has no address, so no outbound EnvoyFilter is rendered for port 9090: set spec.clusterIP to render them";
  assert.match(io.stdout(), new RegExp(`# Notes:\\n# - ${note.replaceAll(".", "\\.")}`));
  assert.equal(io.stderr(), `note: ${note}\n`);
  assert.doesNotMatch(io.stdout(), /aeraki-outbound-/);
});

Deno.test("renderCommand has no note once the Service has a clusterIP", async () => {
  const withIp = SERVICE.replace("spec:\n", "spec:\n  clusterIP: 10.96.10.20\n");
  const io = memoryIo(new TextEncoder().encode(withIp));
  assert.equal(await renderCommand.run(["-"], io), 0);
  assert.equal(io.stderr(), "");
  assert.match(
    io.stdout(),
    /aeraki-outbound-thrift-sample-server\.meta-thrift\.svc\.cluster\.local-10\.96\.10\.20-9090/,
  );
});
