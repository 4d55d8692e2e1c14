/**
 * One Delta stream (ADS `DeltaAggregatedResources` or RDS `DeltaRoutes`). Per resource type it
 * keeps the subscription (names, and the wildcard `*`; listeners and clusters start as
 * wildcard when the first request names nothing) and the version of every resource the node
 * has, and sends only differences: resources whose version the node does not have, and the
 * names of subscribed resources that are gone. A NACK is logged and counted and the refused
 * versions are not resent (the node keeps its last good resources) until their content
 * changes. While a type's last response awaits its ACK or NACK, pushes of that type wait for
 * it. Errors never end the stream.
 *
 * @module
 */
import { changedNames, entriesOf, Session, type SessionDeps } from "./_session.ts";
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse, InvalidMessage } from "./_wire.ts";
import {
  type TypeSnapshot,
  WILDCARD_TYPE_URLS,
  XDS_TYPE_URLS,
  type XdsSnapshot,
} from "./snapshot.ts";

interface DeltaState {
  wildcard: boolean;
  readonly names: Set<string>;
  /** Name → version the node has (or was last sent). */
  readonly known: Map<string, string>;
  /** The type snapshot the node was last brought up to date with. */
  synced?: TypeSnapshot;
  nonce?: string;
  version?: string;
  /** A response awaits its ACK or NACK: pushes wait (one response in flight per type). */
  inFlight?: boolean;
  /** The snapshot changed while a response was in flight. */
  dirty?: boolean;
}

/** A Delta stream's logic; `send` writes one response to the stream. */
export class DeltaSession extends Session {
  readonly #send: (response: DeltaDiscoveryResponse) => void;
  readonly #types = new Map<string, DeltaState>();

  /** A session writing responses through `send`. */
  constructor(deps: SessionDeps, send: (response: DeltaDiscoveryResponse) => void) {
    super(deps);
    this.#send = send;
  }

  /** Handles one request from the node. Never throws. */
  onRequest(raw: DeltaDiscoveryRequest | InvalidMessage): void {
    const accepted = this.accept(raw);
    if (!accepted) return;
    const { request, typeUrl } = accepted;
    const subscribe = request.resource_names_subscribe ?? [];
    const unsubscribe = request.resource_names_unsubscribe ?? [];
    let state = this.#types.get(typeUrl);
    const first = state === undefined;
    if (!state) {
      const known = new Map(Object.entries(request.initial_resource_versions ?? {}));
      const wildcard = WILDCARD_TYPE_URLS.has(typeUrl) && subscribe.length === 0;
      state = { wildcard, names: new Set(), known };
      this.#types.set(typeUrl, state);
    }
    const nonce = request.response_nonce ?? "";
    if (nonce !== "" && nonce === state.nonce) {
      state.inFlight = false;
      if (request.error_detail) {
        this.nack(typeUrl, state.version ?? "", nonce, request.error_detail);
      } else this.deps.status.acked(this.node, typeUrl, state.version ?? "");
    }
    for (const name of subscribe) {
      if (name === "*") state.wildcard = true;
      else state.names.add(name);
    }
    for (const name of unsubscribe) {
      if (name === "*") state.wildcard = false;
      else state.names.delete(name);
      state.known.delete(name);
    }
    if (!first && subscribe.length === 0 && unsubscribe.length === 0) {
      if (state.dirty) this.#respond(typeUrl, state, this.snapshot(), { all: false, force: false });
      return;
    }
    const names = state.wildcard ? ["*", ...state.names] : [...state.names];
    this.deps.status.subscribed(this.node, typeUrl, names);
    this.#respond(typeUrl, state, this.snapshot(), {
      all: true,
      force: first && state.wildcard,
      fresh: new Set(subscribe),
    });
  }

  protected override onSnapshot(snapshot: XdsSnapshot): void {
    for (const typeUrl of XDS_TYPE_URLS) {
      const state = this.#types.get(typeUrl);
      if (state) this.#respond(typeUrl, state, snapshot, { all: false, force: false });
    }
  }

  /** Names to compare: every subscribed one, or only those changed since the last sync. */
  #candidates(state: DeltaState, type: TypeSnapshot | undefined, all: boolean): Iterable<string> {
    if (!all && state.synced && type) return changedNames(state.synced, type);
    const names = new Set(state.names);
    if (state.wildcard && type) { for (const name of type.resources.keys()) names.add(name); }
    for (const name of state.known.keys()) names.add(name);
    return names;
  }

  #respond(
    typeUrl: string,
    state: DeltaState,
    snapshot: XdsSnapshot,
    how: { all: boolean; force: boolean; fresh?: ReadonlySet<string> },
  ): void {
    if (!how.all && state.inFlight) {
      state.dirty = true;
      return;
    }
    state.dirty = false;
    const type = snapshot.types.get(typeUrl);
    const entries = entriesOf(snapshot, typeUrl);
    const resources: DeltaDiscoveryResponse["resources"][number][] = [];
    const removed: string[] = [];
    for (const name of this.#candidates(state, type, how.all)) {
      if (!state.wildcard && !state.names.has(name)) continue;
      const entry = entries.get(name);
      if (entry && state.known.get(name) !== entry.version) {
        resources.push({ name, version: entry.version, resource: entry.resource });
      } else if (!entry && (state.known.has(name) || how.fresh?.has(name))) {
        // Gone, or asked for and absent: the node learns it does not exist.
        removed.push(name);
      }
    }
    state.synced = type;
    if (resources.length === 0 && removed.length === 0 && !how.force) return;
    for (const r of resources) state.known.set(r.name, r.version);
    for (const name of removed) state.known.delete(name);
    const nonce = this.nextNonce();
    state.nonce = nonce;
    state.inFlight = true;
    state.version = snapshot.version;
    this.#send({
      system_version_info: snapshot.version,
      resources,
      type_url: typeUrl,
      removed_resources: removed,
      nonce,
    });
    this.deps.status.sent(this.node, typeUrl, snapshot.version);
  }
}
