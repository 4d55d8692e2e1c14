/**
 * Leader handover between `aeraki operator` processes on the real kube-apiserver
 * (`_tools/kube_env.sh`), with a 4 s lease: exactly one process writes EnvoyFilters; a leader
 * stopped with SIGTERM releases the Lease and its successor takes over at its next try; a
 * leader killed with SIGKILL is replaced once its lease runs out, and the successor writes the
 * EnvoyFilter of a MetaRouter changed meanwhile. No process writes outside its term.
 */
import assert from "node:assert/strict";
import { Effect } from "effect";
import { ENVOY_FILTER, KubeClient, type KubeObject } from "../operator/kube/mod.ts";
import { freshNamespace, installCrds, kubeTest, runKube } from "./kube_env.ts";
import {
  eventually,
  freePort,
  type Line,
  OperatorProcess,
  readLease,
} from "./_operator_process.ts";

const KUBECONFIG = Deno.env.get("AERAKI_KUBECONFIG") ?? "";
const LEASE_S = 4;
const RETRY_S = 0.5;
const DEBOUNCE_MS = 50;
const TIMING = [
  `--leader-elect-lease-duration=${LEASE_S}s`,
  "--leader-elect-renew-deadline=3s",
  `--leader-elect-retry-period=${RETRY_S * 1000}ms`,
  `--debounce=${DEBOUNCE_MS}ms`,
];

/** A service with workloads (so it has an inbound EnvoyFilter) rate limited to `tokens`. */
function inputs(ns: string, tokens: number): KubeObject[] {
  const host = `thrift-sample-server.${ns}.svc.cluster.local`;
  return [{
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "ServiceEntry",
    metadata: { namespace: ns, name: "thrift-sample-server" },
    spec: {
      hosts: [host],
      addresses: ["240.240.0.12"],
      workloadSelector: { labels: { app: "thrift-sample-server" } },
      ports: [{ number: 9090, name: "tcp-metaprotocol-thrift-hello-server", protocol: "TCP" }],
      location: "MESH_INTERNAL",
      resolution: "STATIC",
    },
  }, {
    apiVersion: "metaprotocol.aeraki.io/v1alpha1",
    kind: "MetaRouter",
    metadata: { namespace: ns, name: "thrift-route" },
    spec: {
      hosts: [host],
      routes: [{ name: "default", route: [{ destination: { host } }] }],
      localRateLimit: {
        tokenBucket: { maxTokens: tokens, tokensPerFill: tokens, fillInterval: "60s" },
      },
    },
  }];
}

function apply(objects: KubeObject[]): Promise<void> {
  return runKube(Effect.gen(function* () {
    const client = yield* KubeClient;
    for (const o of objects) yield* client.apply(o, { fieldManager: "aeraki-tests" });
  }));
}

/** Resolves once a stored EnvoyFilter of `ns` allows `tokens`; returns when it saw it. */
function storedTokens(ns: string, tokens: number): Promise<number> {
  return eventually(
    `an EnvoyFilter allowing ${tokens} tokens`,
    () =>
      runKube(Effect.gen(function* () {
        const client = yield* KubeClient;
        const list = yield* client.list(ENVOY_FILTER, { namespace: ns });
        const text = JSON.stringify(list.items.map((o) => o.spec));
        if (!text.includes(`"maxTokens":${tokens},`)) {
          return yield* Effect.fail(`not yet: ${text.length}`);
        }
        return Date.now();
      })),
  );
}

function start(name: string, ns: string): OperatorProcess {
  return new OperatorProcess(
    name,
    [
      `--root-namespace=${ns}`,
      `--watch-namespace=${ns}`,
      `--httpAddr=127.0.0.1:${freePort()}`,
      ...TIMING,
    ],
    KUBECONFIG,
  );
}

/** When `p` logged that it leads, after `after`. */
function ledAt(p: OperatorProcess, after = 0): number | undefined {
  return p.matching(/Leading as/).find((l) => l.at >= after)?.at;
}

function last(lines: readonly Line[]): number {
  return lines.length === 0 ? -Infinity : lines[lines.length - 1].at;
}

Deno.test({
  name:
    "aeraki operator: of two processes one writes; SIGTERM hands over at once, SIGKILL within the lease, with no write outside a term",
  ...kubeTest,
  async fn() {
    const ns = await runKube(Effect.andThen(installCrds(), freshNamespace("handover")));
    await apply(inputs(ns, 11));
    const all: OperatorProcess[] = [start("a", ns), start("b", ns)];
    const debug = () => all.map((p) => p.output()).join("\n");
    try {
      // 1. One of two leads and writes; the other writes nothing.
      await storedTokens(ns, 11);
      const holder = (await readLease(ns))!.record.holderIdentity;
      await eventually("both identities", () => all.every((p) => p.identity()) || Promise.reject());
      const leader = all.find((p) => p.identity() === holder);
      assert.ok(leader, `the Lease holder "${holder}" is one of the processes\n${debug()}`);
      const follower = all.find((p) => p !== leader)!;
      await new Promise((r) => setTimeout(r, 4 * RETRY_S * 1000)); // a few renewals
      assert.ok(leader.writes().length > 0, debug());
      assert.deepEqual(follower.writes(), [], "the follower wrote nothing");
      assert.deepEqual(follower.matching(/Leading as/), [], "the follower never led");
      assert.equal((await readLease(ns))!.record.holderIdentity, holder, "no transition");

      // 2. SIGTERM: the leader stops writing, releases the Lease, and the follower leads at
      // its next try instead of waiting the lease out.
      assert.equal(await leader.stop("SIGTERM"), 0, debug());
      const released = (await readLease(ns))!;
      assert.ok(
        ["", follower.identity()].includes(released.record.holderIdentity),
        `released, or already taken: "${released.record.holderIdentity}"`,
      );
      const successorLed = await eventually(
        "the follower to lead",
        () => ledAt(follower) ?? Promise.reject(new Error(debug())),
      );
      const handoverMs = successorLed - leader.exitedAt!;
      const afterTerm = (await readLease(ns))!;
      assert.equal(afterTerm.record.holderIdentity, follower.identity());
      assert.ok(
        afterTerm.record.acquireTime < released.record.renewTime + LEASE_S * 1000,
        "the successor did not wait out the released lease",
      );
      assert.ok(last(leader.writes()) <= leader.exitedAt!, "nothing written after exit");

      // The new leader writes a change.
      const third = start("c", ns);
      all.push(third);
      const changedAt = Date.now();
      await apply(inputs(ns, 12));
      await storedTokens(ns, 12);
      const changeMs = Date.now() - changedAt;
      assert.equal(leader.writes().length, 2, "the first leader wrote the two EnvoyFilters once");
      // The log line follows the write: wait for it.
      await eventually(
        "b's write line",
        () =>
          follower.writes().some((l) => l.at >= changedAt) || Promise.reject(new Error(debug())),
      );

      // 3. SIGKILL: nothing is released; the third process leads once the lease runs out and
      // writes the EnvoyFilter of a MetaRouter changed right after the kill.
      await eventually("c's start-up line", () => third.identity() ?? Promise.reject());
      const before = (await readLease(ns))!;
      assert.equal(before.record.holderIdentity, follower.identity());
      await follower.stop("SIGKILL");
      const killedAt = follower.exitedAt!;
      await apply(inputs(ns, 13));
      const storedAt = await storedTokens(ns, 13);
      const killToWriteMs = storedAt - killedAt;
      await eventually(
        "c's write line",
        () => third.writes().length > 0 || Promise.reject(new Error(debug())),
      );
      const after = (await readLease(ns))!;
      assert.equal(after.record.holderIdentity, third.identity(), debug());
      assert.equal(after.record.leaseTransitions, before.record.leaseTransitions + 1);
      // The killed leader renewed at least until `before` was read.
      assert.ok(
        after.record.acquireTime >= before.record.renewTime + LEASE_S * 1000,
        "the successor waited out the killed leader's lease",
      );
      // The successor's clock says when it acquired: within the lease duration of the kill,
      // plus its jittered retry period; the slack (one more lease) absorbs a loaded machine
      // (CI shares two cores), so only a successor that never took over or waited for
      // something else fails. The write after it depends on start-up and is only reported.
      const acquireMs = after.record.acquireTime - killedAt;
      const bound = (2 * LEASE_S + RETRY_S * 2.2) * 1000;
      assert.ok(acquireMs <= bound, `kill to acquire ${acquireMs} ms > ${bound} ms`);

      // 4. Terms never overlap: each process wrote only between leading and stopping.
      const terms = [
        { p: leader, from: ledAt(leader)!, to: leader.exitedAt! },
        { p: follower, from: successorLed, to: killedAt },
        { p: third, from: ledAt(third)!, to: Infinity },
      ];
      for (const { p, from, to } of terms) {
        for (const w of p.writes()) {
          assert.ok(w.at >= from && w.at <= to, `${p.name} wrote outside its term: ${w.text}`);
        }
      }
      assert.ok(terms[0].to <= terms[1].from && terms[1].to <= terms[2].from);
      console.log(
        `handover after SIGTERM: ${handoverMs} ms; change to stored EnvoyFilter: ${changeMs} ms; ` +
          `SIGKILL to acquired: ${acquireMs} ms, to stored EnvoyFilter: ${killToWriteMs} ms ` +
          `(lease ${LEASE_S} s); writes: ` +
          all.map((p) => `${p.name}=${p.writes().length}`).join(" "),
      );
    } finally {
      for (const p of all) if (p.exitedAt === undefined) await p.stop("SIGTERM");
    }
  },
});
