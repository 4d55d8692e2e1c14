/**
 * Generation at mesh scale: a full generation of 1,000 and 10,000 MetaProtocol services (each
 * with a MetaRouter and a DestinationRule), and a regeneration after one MetaRouter changes,
 * which memoization keeps close to flat in the mesh size.
 *
 * @module
 */
import { buildMesh, MeshGenerator } from "../operator/generate/mod.ts";
import { syntheticMesh, withChangedRouter } from "../tests/generate_fixtures.ts";

for (const n of [1_000, 10_000]) {
  const mesh = syntheticMesh(n);
  Deno.bench(`full generation, ${n} services`, { group: `full-${n}` }, () => {
    buildMesh(mesh);
  });

  const generator = new MeshGenerator();
  generator.generate(mesh);
  let round = 0;
  const edits = [withChangedRouter(mesh, n >> 1, 30), withChangedRouter(mesh, n >> 1, 40)];
  Deno.bench(`regeneration after one MetaRouter change, ${n} services`, {
    group: `one-change-${n}`,
  }, () => {
    generator.generate(edits[round++ & 1]);
  });
}
