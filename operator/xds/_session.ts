/**
 * What SotW and Delta sessions share: the node a stream belongs to (from its first request),
 * the snapshot watch, nonces, NACK logging, and the per-type-snapshot memos that keep a push
 * to many streams cheap.
 *
 * @module
 */
import type { SnapshotCache } from "./cache.ts";
import type { AnyMessage, InvalidMessage, NodeInfo, RpcStatus } from "./_wire.ts";
import type { ResourceEntry, TypeSnapshot, XdsSnapshot } from "./snapshot.ts";
import type { XdsStatus } from "./status.ts";

/** Where the server's messages go. */
export type XdsLog = (level: "info" | "warn", message: string) => void;

/** What a session needs from the server. */
export interface SessionDeps {
  readonly cache: SnapshotCache;
  readonly status: XdsStatus;
  readonly log: XdsLog;
  /** The peer address, to name nodes that send no id. */
  readonly peer: string;
  /** The only type URL this stream serves (RDS service), or any (ADS). */
  readonly onlyType?: string;
}

const EMPTY_ENTRIES: ReadonlyMap<string, ResourceEntry> = new Map();

/** The resources of `typeUrl` in `snapshot` (none for a type we do not serve). */
export function entriesOf(
  snapshot: XdsSnapshot,
  typeUrl: string,
): ReadonlyMap<string, ResourceEntry> {
  return snapshot.types.get(typeUrl)?.resources ?? EMPTY_ENTRIES;
}

const allAnys = new WeakMap<TypeSnapshot, AnyMessage[]>();

/** Every resource of a type snapshot as `Any`s, built once per type snapshot. */
export function anysOf(type: TypeSnapshot): AnyMessage[] {
  let list = allAnys.get(type);
  if (!list) {
    list = [...type.resources.values()].map((e) => e.resource);
    allAnys.set(type, list);
  }
  return list;
}

const changes = new WeakMap<TypeSnapshot, { next: TypeSnapshot; names: string[] }>();

/** Names whose entry differs between two type snapshots (memoized for the latest pair). */
export function changedNames(prev: TypeSnapshot, next: TypeSnapshot): readonly string[] {
  if (next.changedFrom?.previous.deref() === prev) return next.changedFrom.names;
  const memo = changes.get(prev);
  if (memo?.next === next) return memo.names;
  const names: string[] = [];
  for (const [name, entry] of next.resources) {
    if (prev.resources.get(name)?.version !== entry.version) names.push(name);
  }
  for (const name of prev.resources.keys()) if (!next.resources.has(name)) names.push(name);
  changes.set(prev, { next, names });
  return names;
}

/** The base of a stream: node identity, snapshot watch and nonces. */
export abstract class Session {
  protected readonly deps: SessionDeps;
  #node?: string;
  #unwatch?: () => void;
  #nonce = 0;
  #closed = false;

  constructor(deps: SessionDeps) {
    this.deps = deps;
  }

  /** The node id (known after the first request). */
  get node(): string {
    return this.#node ?? `unidentified@${this.deps.peer}`;
  }

  /** Binds the stream to its node on the first request; later requests keep it. */
  protected identify(node: NodeInfo | null | undefined): void {
    if (this.#node !== undefined || this.#closed) return;
    this.#node = node?.id || `unidentified@${this.deps.peer}`;
    this.deps.status.opened(this.#node);
    this.#unwatch = this.deps.cache.watch(this.#node, (s) => this.onSnapshot(s));
  }

  /** The snapshot this stream's node sees. */
  protected snapshot(): XdsSnapshot {
    return this.deps.cache.get(this.node);
  }

  /** A fresh nonce. */
  protected nextNonce(): string {
    return String(++this.#nonce);
  }

  /**
   * The first steps of every request: an undecodable one is logged and dropped, the stream is
   * bound to its node, and the type URL is resolved. `undefined` when there is nothing to serve.
   */
  protected accept<R extends { readonly node?: NodeInfo | null; readonly type_url?: string }>(
    raw: R | InvalidMessage,
  ): { readonly request: R; readonly typeUrl: string } | undefined {
    if ("invalid" in raw) {
      this.deps.log("warn", `Ignoring a request of node "${this.node}": ${raw.invalid}`);
      return undefined;
    }
    this.identify(raw.node);
    const typeUrl = this.typeOf(raw.type_url);
    return typeUrl === undefined ? undefined : { request: raw, typeUrl };
  }

  /** The type URL of a request, or `undefined` (logged) when this stream cannot serve it. */
  protected typeOf(requested: string | undefined): string | undefined {
    const typeUrl = requested || this.deps.onlyType;
    if (!typeUrl) {
      this.deps.log("warn", `Ignoring a request of node "${this.node}": it names no type_url`);
      return undefined;
    }
    if (this.deps.onlyType && typeUrl !== this.deps.onlyType) {
      this.deps.log(
        "warn",
        `Ignoring a request of node "${this.node}" for "${typeUrl}": this service serves only "${this.deps.onlyType}"`,
      );
      return undefined;
    }
    return typeUrl;
  }

  /** Records and logs a NACK of the response with `nonce` and `version`. */
  protected nack(typeUrl: string, version: string, nonce: string, error: RpcStatus): void {
    const message = error.message || `gRPC status ${error.code ?? 0}`;
    const record = this.deps.status.nacked(this.node, typeUrl, { version, nonce, message });
    this.deps.log(
      "warn",
      `Node "${this.node}" rejected ${typeUrl} version "${version}" (NACK ${record.count}): ${message}`,
    );
  }

  /** Called when the node's snapshot changes. */
  protected abstract onSnapshot(snapshot: XdsSnapshot): void;

  /** Ends the session: stops watching and forgets the stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch?.();
    if (this.#node !== undefined) this.deps.status.closed(this.#node);
  }
}
