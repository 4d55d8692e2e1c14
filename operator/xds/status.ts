/**
 * What every connected node has: per node and resource type, the version last sent, the version
 * it ACKed (what it runs), and its last NACK with the error it gave. NACKs are also counted
 * mesh-wide. This is the server's status API.
 *
 * @module
 */

/** The last NACK of one node for one type. */
export interface NackRecord {
  /** The version the node refused. */
  readonly version: string;
  /** The nonce of the refused response. */
  readonly nonce: string;
  /** The node's error text. */
  readonly message: string;
  /** How many NACKs in a row this node sent for this type (since it last ACKed a new version). */
  readonly count: number;
}

/** One node's state for one resource type. */
export interface TypeStatus {
  /** The version of the last response sent. */
  readonly sent?: string;
  /** The last version the node ACKed: the config it runs. */
  readonly acked?: string;
  /** The last NACK, kept until a later version is ACKed. */
  readonly nack?: NackRecord;
  /** Subscribed names; `["*"]` for a wildcard subscription. */
  readonly subscribed: readonly string[];
}

/** One node (by `node.id`). */
export interface NodeStatus {
  readonly id: string;
  /** Open streams of this node. */
  readonly streams: number;
  readonly types: Readonly<Record<string, TypeStatus>>;
}

/** The whole status report. */
export interface XdsStatusReport {
  readonly nodes: readonly NodeStatus[];
  /** NACKs received since start. */
  readonly nacks: number;
  /** Responses sent since start. */
  readonly pushes: number;
}

interface MutableType {
  sent?: string;
  acked?: string;
  nack?: NackRecord;
  subscribed: readonly string[];
}

interface MutableNode {
  streams: number;
  types: Map<string, MutableType>;
}

/** Mutable status, updated by the streams. Nodes without open streams are forgotten. */
export class XdsStatus {
  readonly #nodes = new Map<string, MutableNode>();
  #nacks = 0;
  #pushes = 0;

  #node(node: string): MutableNode {
    let n = this.#nodes.get(node);
    if (!n) this.#nodes.set(node, n = { streams: 0, types: new Map() });
    return n;
  }

  #type(node: string, typeUrl: string): MutableType {
    const n = this.#node(node);
    let t = n.types.get(typeUrl);
    if (!t) n.types.set(typeUrl, t = { subscribed: [] });
    return t;
  }

  /** A stream of `node` opened. */
  opened(node: string): void {
    this.#node(node).streams++;
  }

  /** A stream of `node` closed. */
  closed(node: string): void {
    const n = this.#nodes.get(node);
    if (!n) return;
    if (--n.streams <= 0) this.#nodes.delete(node);
  }

  /** `node` now subscribes `names` of `typeUrl`. */
  subscribed(node: string, typeUrl: string, names: readonly string[]): void {
    this.#type(node, typeUrl).subscribed = names;
  }

  /** A response of `version` was sent. */
  sent(node: string, typeUrl: string, version: string): void {
    this.#type(node, typeUrl).sent = version;
    this.#pushes++;
  }

  /** `node` ACKed `version`. */
  acked(node: string, typeUrl: string, version: string): void {
    const t = this.#type(node, typeUrl);
    t.acked = version;
    if (t.nack && t.nack.version !== version) t.nack = undefined;
  }

  /** `node` NACKed `version`; returns the record kept. */
  nacked(node: string, typeUrl: string, nack: Omit<NackRecord, "count">): NackRecord {
    const t = this.#type(node, typeUrl);
    const record = { ...nack, count: (t.nack?.count ?? 0) + 1 };
    t.nack = record;
    this.#nacks++;
    return record;
  }

  /** A copy of the current status, nodes sorted by id. */
  report(): XdsStatusReport {
    const nodes = [...this.#nodes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, n]) => ({
        id,
        streams: n.streams,
        types: Object.fromEntries([...n.types].map(([url, t]) => [url, { ...t }])),
      }));
    return { nodes, nacks: this.#nacks, pushes: this.#pushes };
  }
}
