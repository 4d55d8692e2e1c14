/**
 * The codec contract: what makes a protocol routable by the MetaProtocol proxy.
 *
 * A codec is synchronous, exception-free, incremental and zero-copy:
 * - `decode` looks at the bytes buffered from one connection, starting at a frame boundary,
 *   and says "need more", "here is one message" or "invalid" — it never throws, whatever
 *   the bytes, and never asks to buffer past the frame-size limit;
 * - a decoded {@link Message} holds a view of its frame (`frame` is a `subarray` of the
 *   input, never a copy) and its routable string metadata;
 * - `encode` writes a mutation into a message and returns new bytes only when something
 *   changed (otherwise the original frame view);
 * - `errorReply` and `heartbeatReply` build the protocol's own replies.
 *
 * Codecs keep no per-connection state between calls, so one instance serves every
 * connection. The bounded caches some keep for all connections (Dubbo's request heads)
 * never change a result.
 *
 * @module
 */

/** What kind of message a frame carries (data-plane spec §1.1). */
export type MessageType =
  | "request"
  | "response"
  | "oneway"
  | "heartbeat"
  | "error"
  | "stream_init"
  | "stream_data"
  | "stream_close_one_way"
  | "stream_close_two_way";

/** Whether a response reports success; independent of the `error` message type. */
export type ResponseStatus = "ok" | "error";

/** Which direction the bytes flow: requests from clients, responses from servers. */
export type Side = "request" | "response";

/** Key/value pairs a route or filter asks the codec to write into a message. */
export type Mutation = ReadonlyMap<string, string>;

/**
 * One decoded message. Everything in it is read-only and points into the input bytes.
 * Codecs may return class instances whose derived fields (`operation`, the metadata's
 * values) are computed on read from those bytes.
 */
export interface Message {
  /** The message type. */
  readonly type: MessageType;
  /** The protocol's own request id (Dubbo id, Thrift seqid, tRPC request_id); 0n if none. */
  readonly requestId: bigint;
  /** The stream id of stream frames (tRPC); 0 otherwise. */
  readonly streamId: number;
  /** `ok` unless the protocol says the response failed. Always `ok` for requests. */
  readonly status: ResponseStatus;
  /** Routable string metadata; keys are lower-cased. */
  readonly metadata: ReadonlyMap<string, string>;
  /** Bytes of the protocol header (including any framing). */
  readonly headerSize: number;
  /** Bytes of the body; `headerSize + bodySize === frame.length`. */
  readonly bodySize: number;
  /** The whole frame, a view into the decoder's input. */
  readonly frame: Uint8Array;
  /**
   * A span or operation name, such as `service/method`; empty if the protocol has none.
   * A codec may compute it when read (a getter on a class), so that routing, which does not
   * need it, does not pay for it: copy a message field by field, not with object spread.
   */
  readonly operation: string;
  /** Codec-private facts needed to encode or reply (offsets, transport); opaque to callers. */
  readonly detail: unknown;
}

/** The outcome of one {@link Codec.decode} call. */
export type DecodeResult =
  | {
    readonly kind: "need-more";
    /** Total bytes the frame needs from the start of the input, when the header says so. */
    readonly frameSize?: number;
  }
  | {
    readonly kind: "message";
    readonly message: Message;
    /** How many input bytes the frame used; the next frame starts there. */
    readonly bytesConsumed: number;
  }
  | {
    readonly kind: "invalid";
    /** What is wrong, in a sentence a user can act on. */
    readonly reason: string;
    /** The byte offset in the input where the problem was found. */
    readonly offset: number;
  };

/** The outcome of one {@link Codec.encode} call. */
export type EncodeResult =
  | { readonly kind: "ok"; readonly bytes: Uint8Array }
  | { readonly kind: "unsupported"; readonly reason: string };

/** The errors a proxy reports to clients through the codec (data-plane spec §1.5). */
export type ErrorType =
  | "RouteNotFound"
  | "ClusterNotFound"
  | "NoHealthyUpstream"
  | "BadResponse"
  | "Unspecified"
  | "OverLimit";

/** An error to send back to the client in the protocol's own error reply. */
export interface CodecError {
  readonly type: ErrorType;
  readonly message: string;
}

/** Options of one decode call. */
export interface DecodeOptions {
  /** Which side the bytes come from; protocols whose header says so may ignore it. @default "request" */
  readonly side?: Side;
  /** Frames larger than this are invalid before they are buffered. @default DEFAULT_MAX_FRAME_SIZE */
  readonly maxFrameSize?: number;
}

/** The default frame-size limit: 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** A protocol codec. Implementations must never throw and must keep no per-call state. */
export interface Codec {
  /** The registry name, for example `aeraki.meta_protocol.codec.dubbo`. */
  readonly name: string;
  /** The application protocol, for example `dubbo`. */
  readonly protocol: string;
  /**
   * Decodes at most one message from the start of `input`.
   * Must return `need-more` for every strict prefix of a valid frame.
   */
  decode(input: Uint8Array, options?: DecodeOptions): DecodeResult;
  /**
   * Writes `mutation` into `message`. With an empty mutation (or one that changes nothing)
   * the result is `message.frame` itself. A protocol that cannot carry the mutation in this
   * message says `unsupported` rather than dropping it.
   */
  encode(message: Message, mutation: Mutation): EncodeResult;
  /**
   * Whether `message` can carry a mutation at all (a cheap check, no encoding): `false`
   * means {@link Codec.encode} would answer `unsupported` for any non-empty mutation, so a
   * caller may skip building one. Optional: a codec without it is asked by encoding.
   */
  canMutate?(message: Message): boolean;
  /** Builds the protocol's error reply to `request`, carrying `error.message`. */
  errorReply(request: Message, error: CodecError): Uint8Array;
  /** Builds the reply to a heartbeat, or `undefined` if the protocol has no heartbeats. */
  heartbeatReply(heartbeat: Message): Uint8Array | undefined;
  /**
   * Returns `message`'s frame carrying request id `id` instead of its own (multiplexing: the
   * proxy gives requests from many connections ids unique on one upstream connection, and
   * puts the client's id back into the response). Where the id has a fixed width (or fits
   * the bytes it occupies) the frame is changed IN PLACE and `message.frame` is returned:
   * the caller must own those bytes. Otherwise new bytes are returned, which decode to the
   * same message but for the id. `undefined` when this message cannot carry `id` (out of
   * the protocol's range, or a message without an id). Optional: a codec without it is
   * never multiplexed.
   */
  rewriteRequestId?(message: Message, id: bigint): Uint8Array | undefined;
  /**
   * `true` when {@link Codec.rewriteRequestId} reads nothing but the frame's fixed header
   * (never `message.detail`), so a caller may hand it bytes {@link Codec.encode} has just
   * produced, as `{ ...message, frame: bytes }`, without decoding them again.
   * @default false
   */
  readonly requestIdInFixedHeader?: boolean;
}
