/**
 * One State-of-the-World stream (ADS `StreamAggregatedResources` or RDS `StreamRoutes`). Per
 * resource type it keeps the subscribed names (wildcard for listeners and clusters when none
 * are named), the version and nonce last sent, and answers:
 *
 * - a request naming other resources → a response with exactly those that exist;
 * - an ACK (nonce of the last response, no error) → recorded, nothing sent;
 * - a NACK (error_detail) → logged, counted, nothing resent: the node keeps its last good
 *   config until the content changes;
 * - a stale nonce → ignored (a newer response is on its way);
 * - a snapshot change → a response for each subscribed type whose content changed, and only
 *   those (cluster, endpoint, listener, then route order); while a type's last response awaits
 *   its ACK or NACK, its push waits for it (one response in flight per type, as
 *   go-control-plane does, so ACKs are never stale and a slow node holds one response).
 *
 * A response version is a content hash of exactly what it carries. Errors never end the stream.
 *
 * @module
 */
import { anysOf, entriesOf, Session, type SessionDeps } from "./_session.ts";
import type { DiscoveryRequest, DiscoveryResponse, InvalidMessage } from "./_wire.ts";
import {
  entriesVersion,
  type ResourceEntry,
  WILDCARD_TYPE_URLS,
  XDS_TYPE_URLS,
  type XdsSnapshot,
} from "./snapshot.ts";

interface TypeState {
  wildcard: boolean;
  names: ReadonlySet<string>;
  nonce?: string;
  version?: string;
  /** A response awaits its ACK or NACK: pushes wait (one response in flight per type). */
  inFlight?: boolean;
  /** The snapshot changed while a response was in flight. */
  dirty?: boolean;
}

function sameNames(a: ReadonlySet<string>, b: readonly string[]): boolean {
  return a.size === b.length && b.every((n) => a.has(n));
}

/** A SotW stream's logic; `send` writes one response to the stream. */
export class SotwSession extends Session {
  readonly #send: (response: DiscoveryResponse) => void;
  readonly #types = new Map<string, TypeState>();

  /** A session writing responses through `send`. */
  constructor(deps: SessionDeps, send: (response: DiscoveryResponse) => void) {
    super(deps);
    this.#send = send;
  }

  /** Handles one request from the node. Never throws. */
  onRequest(raw: DiscoveryRequest | InvalidMessage): void {
    const accepted = this.accept(raw);
    if (!accepted) return;
    const { request, typeUrl } = accepted;
    const state = this.#types.get(typeUrl);
    const nonce = request.response_nonce ?? "";
    if (state && nonce !== "") {
      if (nonce !== state.nonce) return;
      state.inFlight = false;
      if (request.error_detail) {
        this.nack(typeUrl, state.version ?? "", nonce, request.error_detail);
      } else if (state.version !== undefined) {
        this.deps.status.acked(this.node, typeUrl, state.version);
      }
    }
    const names = [...new Set(request.resource_names ?? [])];
    const wildcard = WILDCARD_TYPE_URLS.has(typeUrl) &&
      (names.includes("*") || (names.length === 0 && (state?.wildcard ?? true)));
    if (state && state.wildcard === wildcard && sameNames(state.names, names)) {
      if (state.dirty) this.#respond(typeUrl, state, this.snapshot(), false);
      return;
    }
    const next: TypeState = { ...state, wildcard, names: new Set(names.filter((n) => n !== "*")) };
    this.#types.set(typeUrl, next);
    this.deps.status.subscribed(this.node, typeUrl, wildcard ? ["*"] : [...next.names]);
    this.#respond(typeUrl, next, this.snapshot(), true);
  }

  protected override onSnapshot(snapshot: XdsSnapshot): void {
    for (const typeUrl of XDS_TYPE_URLS) {
      const state = this.#types.get(typeUrl);
      if (state) this.#respond(typeUrl, state, snapshot, false);
    }
  }

  #respond(typeUrl: string, state: TypeState, snapshot: XdsSnapshot, force: boolean): void {
    if (!force && state.inFlight) {
      state.dirty = true;
      return;
    }
    state.dirty = false;
    const type = snapshot.types.get(typeUrl);
    let version: string;
    let resources;
    if (state.wildcard && type) {
      version = type.version;
      if (!force && version === state.version) return;
      resources = anysOf(type);
    } else {
      const all = entriesOf(snapshot, typeUrl);
      const entries: ResourceEntry[] = [];
      for (const name of state.names) {
        const entry = all.get(name);
        if (entry) entries.push(entry);
      }
      version = entriesVersion(entries);
      if (!force && version === state.version) return;
      resources = entries.map((e) => e.resource);
    }
    const nonce = this.nextNonce();
    state.version = version;
    state.nonce = nonce;
    state.inFlight = true;
    this.#send({ version_info: version, resources, type_url: typeUrl, nonce });
    this.deps.status.sent(this.node, typeUrl, version);
  }
}
