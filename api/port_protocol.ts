/**
 * Protocol selection by port name (spec §2.1): `<anything>-<protocol>[-…]`, matched
 * case-insensitively on the second `-` segment, exactly as Aeraki's `GetLayer7ProtocolFromPortName`.
 * MetaProtocol ports carry the application protocol in the third segment:
 * `tcp-metaprotocol-<applicationProtocol>[-…]`. A port named just `tcp-metaprotocol` is a
 * problem here, not a crash (quirk Q1).
 *
 * @module
 */

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
 * import { protocolFromPortName } from "./port_protocol.ts";
 * protocolFromPortName("tcp-Dubbo-28001"); // "dubbo"
 * protocolFromPortName("Dubbo"); // undefined
 * protocolFromPortName("tcp-custom", { registered: ["custom"] }); // "custom"
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
 * import { applicationProtocolFromPortName } from "./port_protocol.ts";
 * applicationProtocolFromPortName("tcp-metaprotocol-thrift-hello-server"); // { ok: true, value: "thrift" }
 * applicationProtocolFromPortName("tcp-metaprotocol").ok; // false
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
 * Why a port name cannot be served, or `undefined`: only a MetaProtocol port without an
 * application protocol is a problem; other unsupported names are plain TCP and fine.
 */
export function portNameProblem(name: string): string | undefined {
  if (protocolFromPortName(name) !== "metaprotocol") return undefined;
  const app = applicationProtocolFromPortName(name);
  return app.ok ? undefined : app.message;
}
