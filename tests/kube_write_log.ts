/**
 * The write requests (POST, PUT, PATCH, DELETE) a fault proxy received, in order, with their
 * bodies and how they were answered, and the checks fault tests make on them: no object
 * written twice with the same content in a row, no write to objects the operator must not touch.
 *
 * @module
 */
import { stableStringify } from "../operator/generate/stable_json.ts";

/** One write request. */
export interface WriteRecord {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** The body as canonical JSON (keys sorted), or the raw text when it is not JSON. */
  readonly body: string;
  /** The HTTP status of the answer: an injected fault, the API server's, or 502 when none came. */
  status: number;
  /** Whether the proxy answered with an injected fault (the API server never saw it). */
  faulted: boolean;
}

/** The write requests, in the order they arrived. */
export class WriteLog {
  readonly #records: WriteRecord[] = [];

  /** Records a write request; settle it with its answer's status. */
  record(method: string, path: string, body: string): WriteRecord {
    let canonical = body;
    try {
      canonical = stableStringify(JSON.parse(body));
    } catch { /* not JSON: keep the text */ }
    const r = {
      seq: this.#records.length,
      method,
      path,
      body: canonical,
      status: 0,
      faulted: false,
    };
    this.#records.push(r);
    return r;
  }

  /** A mark: the number of writes so far, for {@linkcode WriteLog.since}. */
  mark(): number {
    return this.#records.length;
  }

  /** The writes since `mark` (all when absent). */
  since(mark = 0): readonly WriteRecord[] {
    return this.#records.slice(mark);
  }

  /** Write requests per path since `mark`. */
  countByPath(mark = 0): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.since(mark)) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
    return counts;
  }

  /** Notes that `path` was written by someone else (not through the proxy). */
  external(path: string): void {
    this.record("EXTERNAL", path, "").status = 200;
  }

  /**
   * Writes since `mark` that repeat, for the same path, the previous write the API server
   * accepted (same method and body) with no accepted write or external change in between:
   * writes made without need. A request that was refused (an injected fault, a 5xx) or got no
   * answer (the connection broke: 502 from the proxy) may be repeated, since it took no
   * effect or the client cannot know that it did.
   */
  duplicates(mark = 0): WriteRecord[] {
    const lastAccepted = new Map<string, WriteRecord>();
    const found: WriteRecord[] = [];
    for (const r of this.#records) {
      const accepted = (r.status >= 200 && r.status < 300) ||
        (r.method === "DELETE" && r.status === 404);
      if (r.faulted || !accepted) continue;
      const before = lastAccepted.get(r.path);
      if (r.seq >= mark && before?.method === r.method && before.body === r.body) found.push(r);
      lastAccepted.set(r.path, r);
    }
    return found;
  }
}
