/**
 * House lint rules (see ../shared/STYLE.md §1): the import arrows between layers, and
 * dependencies only through the import map.
 *
 * Rule `aeraki/layers`: a file may import project code only from the layers its own layer
 * is allowed to see. `main.ts` files, tests, benchmarks and dev tools wire the whole graph.
 * Rule `aeraki/bare-npm`: npm and remote specifiers are written in `deno.json` once, so code
 * imports packages by bare name and every version is pinned in one place.
 *
 * @module
 */

/** Which project folders each layer may import from (besides its own). */
const ALLOWED: ReadonlyArray<readonly [layer: string, may: readonly string[]]> = [
  ["api/", []],
  ["proto/", []],
  ["codecs/", ["proto/"]],
  ["operator/generate/", ["api/", "proto/"]],
  ["constructs/", ["api/", "proto/", "operator/generate/"]],
  ["proxy/", ["api/", "proto/", "codecs/"]],
  ["operator/", ["api/", "proto/", "codecs/", "proxy/", "operator/"]],
  ["deploy/", ["constructs/", "api/"]],
  ["examples/", ["constructs/", "api/", "mod.ts"]],
];

/** Layers whose files may import anything of ours. */
const FREE = ["tests/", "bench/", "_tools/"];

/** The path of `filename` relative to the project root (the folder lint runs in). */
export function projectPath(filename: string, root = Deno.cwd()): string | undefined {
  const path = filename.startsWith("file://") ? new URL(filename).pathname : filename;
  const prefix = root.endsWith("/") ? root : root + "/";
  if (!path.startsWith(prefix)) return undefined;
  const rel = path.slice(prefix.length);
  return rel.startsWith("node_modules/") ? undefined : rel;
}

/** Resolves a relative specifier against a project-relative file path. */
export function resolveRelative(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/** Returns a message when `file` may not import `target`, both project-relative. */
export function layerViolation(file: string, target: string): string | undefined {
  const base = file.split("/").pop() ?? "";
  if (base === "main.ts" || file === "mod.ts") return undefined;
  if (FREE.some((f) => file.startsWith(f))) return undefined;
  if (/_test\.ts$|_bench\.ts$/.test(base)) return undefined;
  const entry = ALLOWED.find(([layer]) => file.startsWith(layer));
  if (!entry) return undefined;
  const [layer, may] = entry;
  if (target.startsWith(layer)) return undefined;
  if (may.some((m) => target === m || target.startsWith(m))) return undefined;
  const allowed = may.length === 0 ? "nothing of ours" : may.join(", ");
  return `Cannot import "${target}" from ${layer}: this layer may import ${allowed}`;
}

function checkSource(ctx: Deno.lint.RuleContext, node: Deno.lint.Node, spec: string): void {
  const file = projectPath(ctx.filename);
  if (!file) return;
  if (spec.startsWith(".")) {
    const problem = layerViolation(file, resolveRelative(file, spec));
    if (problem) ctx.report({ node, message: problem });
  }
}

function checkBare(ctx: Deno.lint.RuleContext, node: Deno.lint.Node, spec: string): void {
  if (/^(npm|jsr|https?):/.test(spec)) {
    ctx.report({
      node,
      message:
        `Cannot import "${spec}" directly: add it to the import map in deno.json and import it by bare name`,
    });
  }
}

const plugin: Deno.lint.Plugin = {
  name: "aeraki",
  rules: {
    "layers": {
      create(ctx) {
        return {
          ImportDeclaration(node) {
            checkSource(ctx, node, node.source.value);
          },
          ExportAllDeclaration(node) {
            checkSource(ctx, node, node.source.value);
          },
          ExportNamedDeclaration(node) {
            if (node.source) checkSource(ctx, node, node.source.value);
          },
        };
      },
    },
    "bare-npm": {
      create(ctx) {
        return {
          ImportDeclaration(node) {
            checkBare(ctx, node, node.source.value);
          },
        };
      },
    },
  },
};

export default plugin;
