/**
 * Protocol selection by port name (spec §2.1): `<anything>-<protocol>[-…]`, matched
 * case-insensitively on the second `-` segment, exactly as Aeraki's `GetLayer7ProtocolFromPortName`.
 * MetaProtocol ports carry the application protocol in the third segment:
 * `tcp-metaprotocol-<applicationProtocol>[-…]`. A port named just `tcp-metaprotocol` is a
 * problem here, not a crash (quirk Q1).
 *
 * @module
 */
import { didYouMean } from "./suggest.ts";

/** The protocols Aeraki recognises in port names. */
export const BUILT_IN_PROTOCOLS = [
  "dubbo",
  "thrift",
  "mongo",
  "redis",
  "mysql",
  "kafka",
  "zookeeper",
  "metaprotocol",
] as const;

/** A protocol recognised in a port name: a built-in one, or a registered custom name. */
export type Protocol = (typeof BUILT_IN_PROTOCOLS)[number] | (string & Record<never, never>);

/** Options for {@link protocolFromPortName}. */
export interface PortProtocolOptions {
  /**
   * Extra protocol names (upstream's `RegisterProtocol`), matched case-insensitively.
   * @default []
   */
  readonly registered?: Iterable<string>;
}

/**
 * The protocol a port name selects, or `undefined` when Aeraki does not handle it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolFromPortName } from "./port_protocol.ts";
 * assert.equal(protocolFromPortName("tcp-Dubbo-28001"), "dubbo");
 * assert.equal(protocolFromPortName("Dubbo"), undefined);
 * assert.equal(protocolFromPortName("tcp-custom", { registered: ["custom"] }), "custom");
 * ```
 */
export function protocolFromPortName(
  name: string,
  options: PortProtocolOptions = {},
): Protocol | undefined {
  const parts = name.split("-");
  if (parts.length < 2) return undefined;
  const wanted = parts[1].toLowerCase();
  if ((BUILT_IN_PROTOCOLS as readonly string[]).includes(wanted)) return wanted;
  for (const custom of options.registered ?? []) {
    if (custom.toLowerCase() === wanted) return wanted;
  }
  return undefined;
}

/** The application protocol of a MetaProtocol port name, or why there is none. */
export type ApplicationProtocolResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly message: string };

/**
 * The application protocol named by a MetaProtocol port (`tcp-metaprotocol-thrift-hello` →
 * `thrift`). Fails with an actionable message for a port that is not MetaProtocol or that has
 * no application segment (`tcp-metaprotocol`, quirk Q1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applicationProtocolFromPortName } from "./port_protocol.ts";
 * assert.deepEqual(applicationProtocolFromPortName("tcp-metaprotocol-thrift-hello-server"), {
 *   ok: true,
 *   value: "thrift",
 * });
 * assert.equal(applicationProtocolFromPortName("tcp-metaprotocol").ok, false);
 * ```
 */
export function applicationProtocolFromPortName(name: string): ApplicationProtocolResult {
  if (protocolFromPortName(name) !== "metaprotocol") {
    return {
      ok: false,
      message: `Name the port "tcp-metaprotocol-<protocol>[-suffix]" to use MetaProtocol: got ${
        JSON.stringify(name)
      }`,
    };
  }
  const app = name.split("-")[2];
  if (!app) {
    return {
      ok: false,
      message: `Add the application protocol to the port name, e.g. "tcp-metaprotocol-thrift": ${
        JSON.stringify(name)
      } names none`,
    };
  }
  return { ok: true, value: app };
}

/**
 * The problem with a MetaProtocol port whose application protocol has no codec: names the
 * protocols that have one (`known`: the built-in ones and those of ApplicationProtocols) and the
 * closest of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownApplicationProtocolMessage } from "./port_protocol.ts";
 * assert.equal(
 *   unknownApplicationProtocolMessage("tcp-metaprotocol-dubo-server", ["dubbo", "thrift"]),
 *   'Fix the protocol "dubo" in port "tcp-metaprotocol-dubo-server" or add an ApplicationProtocol ' +
 *     'for it: the known protocols are "dubbo", "thrift" (did you mean "dubbo"?)',
 * );
 * ```
 */
export function unknownApplicationProtocolMessage(
  portName: string,
  known: readonly string[],
): string {
  const app = portName.split("-")[2] ?? "";
  const list = [...new Set(known.map((k) => k.toLowerCase()))].sort();
  return `Fix the protocol ${JSON.stringify(app)} in port ${
    JSON.stringify(portName)
  } or add an ApplicationProtocol for it: the known protocols are ${
    list.map((k) => JSON.stringify(k)).join(", ")
  }${didYouMean(app, list)}`;
}

/**
 * Why a MetaProtocol port cannot be served given the application protocols that have a codec
 * (`known`, case-insensitive), or `undefined` when it can or is not a MetaProtocol port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metaProtocolPortProblem } from "./port_protocol.ts";
 * assert.equal(metaProtocolPortProblem("tcp-metaprotocol-thrift-x", ["thrift"]), undefined);
 * assert.equal(metaProtocolPortProblem("tcp-dubbo", ["thrift"]), undefined);
 * assert.match(metaProtocolPortProblem("tcp-metaprotocol-thirft", ["thrift"]) ?? "", /did you mean "thrift"/);
 * ```
 */
export function metaProtocolPortProblem(
  name: string,
  known: readonly string[],
): string | undefined {
  if (protocolFromPortName(name) !== "metaprotocol") return undefined;
  const app = applicationProtocolFromPortName(name);
  if (!app.ok) return app.message;
  const wanted = app.value.toLowerCase();
  return known.some((k) => k.toLowerCase() === wanted)
    ? undefined
    : unknownApplicationProtocolMessage(name, known);
}

/**
 * Why a port name cannot be served, or `undefined`: only a MetaProtocol port without an
 * application protocol is a problem; other unsupported names are plain TCP and fine.
 */
export function portNameProblem(name: string): string | undefined {
  if (protocolFromPortName(name) !== "metaprotocol") return undefined;
  const app = applicationProtocolFromPortName(name);
  return app.ok ? undefined : app.message;
}
