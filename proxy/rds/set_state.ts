/**
 * LDS and CDS: wildcard subscriptions whose resources are compiled like a bootstrap's (the
 * same strict loader) and handed to the coordinator as changes: added or changed resources
 * (unchanged bytes are skipped) and removed names (delta's `removed_resources`, or on state
 * of the world every name missing from the full set). A resource that does not compile is
 * an error (the response is NACKed) and keeps its last good version; the others apply.
 *
 * @module
 */
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL, lookupType } from "../../proto/mod.ts";
import { messageToJson } from "../../proto/to_json.ts";
import type { Applied, Watch } from "./state.ts";

/** What one resource compiles to, or why it cannot run. */
export type Compiled<T> = { ok: true; value: T } | { ok: false; error: string };

/** A resource that could not be applied, by name. */
export interface ApplyError {
  readonly name: string;
  readonly error: string;
}

/** Where a set of changes (by resource name) goes; returns what could not be applied. */
export type SetSink<T> = (
  changed: readonly (readonly [string, T])[],
  removed: readonly string[],
) => ApplyError[];

function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Options of a {@link SetState}. */
export interface SetStateOptions<T> {
  readonly kind: "LDS" | "CDS";
  /** Compiles one resource from its proto3 JSON. */
  readonly compile: (json: unknown) => Compiled<T>;
  /** Applies compiled changes. */
  readonly sink: SetSink<T>;
}

/** See the module doc. */
export class SetState<T> implements Watch {
  readonly typeUrl: string;
  readonly messageType: string;
  readonly label: string;
  readonly wildcard = true;
  onNamesChanged?: () => void;
  readonly #options: SetStateOptions<T>;
  readonly #bytes = new Map<string, Uint8Array>();
  readonly #versions = new Map<string, string>();
  #accepted = "";
  /** Whether a first response was applied (warming at start waits for it). */
  received = false;

  constructor(options: SetStateOptions<T>) {
    this.#options = options;
    this.label = options.kind;
    this.typeUrl = options.kind === "LDS" ? LISTENER_TYPE_URL : CLUSTER_TYPE_URL;
    this.messageType = this.typeUrl.slice(this.typeUrl.lastIndexOf("/") + 1);
  }

  names(): string[] {
    return [];
  }

  acceptedVersion(): string {
    return this.#accepted;
  }

  versions(): ReadonlyMap<string, string> {
    return this.#versions;
  }

  apply(resources: readonly Applied[], version: string, removed?: readonly string[]): string[] {
    const errors: string[] = [];
    const changed: [string, T][] = [];
    const applied: [string, Applied][] = [];
    const seen = new Set<string>();
    const type = lookupType(this.messageType)!;
    for (const r of resources) {
      const name = r.name ?? String(r.message.name ?? "");
      seen.add(name);
      if (same(this.#bytes.get(name), r.bytes)) continue;
      const compiled = this.#options.compile(messageToJson(type, r.message));
      if (!compiled.ok) {
        errors.push(compiled.error);
        continue;
      }
      changed.push([name, compiled.value]);
      applied.push([name, r]);
    }
    const gone = removed?.filter((n) => this.#bytes.has(n)) ??
      [...this.#bytes.keys()].filter((n) => !seen.has(n));
    const failed = this.#options.sink(changed, gone);
    errors.push(...failed.map((f) => f.error));
    const failedNames = new Set(failed.map((f) => f.name));
    for (const [name, r] of applied) {
      if (failedNames.has(name)) continue;
      this.#bytes.set(name, r.bytes);
      this.#versions.set(name, r.version ?? version);
    }
    for (const name of gone) {
      this.#bytes.delete(name);
      this.#versions.delete(name);
    }
    this.received = true;
    if (errors.length === 0) this.#accepted = version;
    return errors;
  }

  rejected(): void {}
}
