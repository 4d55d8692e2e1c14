/**
 * Shared state of one compile: problems and ignored fields by JSON path, and typed readers
 * of the canonical tree produced by `_normalize.ts`.
 *
 * @module
 */
import { joinPath, type PathNote, type Plain } from "./_normalize.ts";

/** Collects what one compile finds; `at` gives the user's JSON path of a canonical object. */
export class CompileContext {
  readonly problems: PathNote[] = [];
  readonly ignored: PathNote[] = [];
  readonly warnings: PathNote[] = [];
  readonly #paths: WeakMap<object, string>;

  readonly #earlier: readonly PathNote[];

  /** `earlier`: problems found before compiling (the normalizer's). */
  constructor(paths: WeakMap<object, string>, earlier: readonly PathNote[] = []) {
    this.#paths = paths;
    this.#earlier = earlier;
  }

  /** The JSON path of `obj` (a canonical message), plus `field` when given. */
  at(obj: Plain | undefined, field?: string): string {
    const base = obj ? this.#paths.get(obj) ?? "" : "";
    return field === undefined ? base : joinPath(base, field);
  }

  /** Records a problem at `obj.field` and returns `undefined`. */
  problem(obj: Plain | undefined, field: string | undefined, message: string): undefined {
    this.problems.push({ path: this.at(obj, field), message });
    return undefined;
  }

  /** Whether a problem was already recorded at or under `obj` (e.g. by the normalizer). */
  hasProblemUnder(obj: Plain): boolean {
    const base = this.at(obj);
    return this.#earlier.some((p) => p.path === base || p.path.startsWith(base + "."));
  }

  /** Records a field that has no effect at `obj.field`. */
  ignore(obj: Plain | undefined, field: string | undefined, message: string): void {
    this.ignored.push({ path: this.at(obj, field), message });
  }

  /** Records a warning (accepted, but probably not what the user meant). */
  warn(obj: Plain | undefined, field: string | undefined, message: string): void {
    this.warnings.push({ path: this.at(obj, field), message });
  }
}

/** A canonical sub-message, or `undefined`. */
export function msg(obj: Plain | undefined, field: string): Plain | undefined {
  const v = obj?.[field];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Plain : undefined;
}

/** A canonical repeated message field (always an array after normalizing). */
export function list(obj: Plain | undefined, field: string): Plain[] {
  const v = obj?.[field];
  return Array.isArray(v) ? v as Plain[] : [];
}

/** A string field; proto3 default "" when unset. */
export function str(obj: Plain | undefined, field: string): string {
  const v = obj?.[field];
  return typeof v === "string" ? v : "";
}

/** A numeric field (durations are already milliseconds), or `undefined` when unset. */
export function num(obj: Plain | undefined, field: string): number | undefined {
  const v = obj?.[field];
  return typeof v === "number" ? v : undefined;
}

/** A bool field; proto3 default false. */
export function bool(obj: Plain | undefined, field: string): boolean {
  return obj?.[field] === true;
}

/** The `"@type"` of a canonical Any payload. */
export function typeOf(obj: Plain | undefined): string {
  return str(obj, "@type");
}
