/**
 * Bootstrap file text → JSON value, the way `envoy -c` reads it: `.json` files as JSON,
 * everything else as YAML (a superset of JSON). A key repeated in one YAML mapping is
 * accepted with the last value winning, as Envoy's YAML reader does, and reported as a
 * warning (upstream's tRPC test config repeats `statPrefix`).
 *
 * @module
 */
import { isScalar, LineCounter, type ParsedNode, parseDocument } from "yaml";

/** The parsed document, or why it could not be parsed; warnings either way. */
export type ParseResult =
  | { readonly ok: true; readonly json: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

function keyText(node: ParsedNode): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

/** Parses bootstrap text; `file` only picks the syntax (by extension). */
export function parseBootstrapText(text: string, file: string): ParseResult {
  if (file.endsWith(".json")) {
    try {
      return { ok: true, json: JSON.parse(text), warnings: [] };
    } catch (e) {
      return { ok: false, message: `Cannot parse JSON: ${(e as Error).message}` };
    }
  }
  const lines = new LineCounter();
  const warnings: string[] = [];
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: (a, b) => {
      const k = keyText(a);
      if (k !== undefined && k === keyText(b)) {
        const at = lines.linePos(b.range?.[0] ?? 0);
        warnings.push(`Duplicate key "${k}" at line ${at.line}: the last value is used`);
      }
      return false;
    },
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = lines.linePos(e.pos[0]);
    return { ok: false, message: `Cannot parse YAML at line ${at.line}: ${e.message}` };
  }
  return { ok: true, json: doc.toJS({ maxAliasCount: 1000 }), warnings };
}
