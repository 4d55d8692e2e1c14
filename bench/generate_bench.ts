/**
 * Generation at mesh scale: a full generation of 1,000 and 10,000 MetaProtocol services (each
 * with a MetaRouter and a DestinationRule), and regenerations after one change — a MetaRouter
 * edited, a MetaRouter deleted and put back, a DestinationRule edited — which incremental
 * generation keeps flat in the mesh size.
 *
 * @module
 */
import { buildMesh, MeshGenerator, type MeshSnapshot } from "../operator/generate/mod.ts";
import { syntheticMesh, withChangedRouter } from "../tests/generate_fixtures.ts";

/** A bench that alternates `generator` between `snapshots`. */
function alternate(name: string, group: string, base: MeshSnapshot, snapshots: MeshSnapshot[]) {
  const generator = new MeshGenerator();
  generator.generate(base);
  let round = 0;
  Deno.bench(name, { group }, () => {
    generator.generate(snapshots[round++ % snapshots.length]);
  });
}

/** `mesh` with DestinationRule `i` given a load balancer. */
function withChangedRule(mesh: MeshSnapshot, i: number, simple: string): MeshSnapshot {
  const destinationRules = mesh.destinationRules.slice(), rule = destinationRules[i];
  destinationRules[i] = {
    ...rule,
    spec: { ...rule.spec, trafficPolicy: { loadBalancer: { simple } } },
  };
  return { ...mesh, destinationRules };
}

for (const n of [1_000, 10_000]) {
  const mesh = syntheticMesh(n), mid = n >> 1;
  Deno.bench(`full generation, ${n} services`, { group: `full-${n}` }, () => {
    buildMesh(mesh);
  });
  alternate(`regeneration after one MetaRouter change, ${n} services`, `one-change-${n}`, mesh, [
    withChangedRouter(mesh, mid, 30),
    withChangedRouter(mesh, mid, 40),
  ]);
  const dropped = { ...mesh, metaRouters: mesh.metaRouters.filter((_, i) => i !== mid) };
  alternate(
    `regeneration after one MetaRouter deleted or re-added, ${n} services`,
    `one-delete-${n}`,
    mesh,
    [
      dropped,
      mesh,
    ],
  );
  alternate(`regeneration after one DestinationRule change, ${n} services`, `one-rule-${n}`, mesh, [
    withChangedRule(mesh, mid, "RANDOM"),
    withChangedRule(mesh, mid, "LEAST_REQUEST"),
  ]);
}
