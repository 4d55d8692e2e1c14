/**
 * Codecs of the user's own for `aeraki decode --codec MODULE`: the module is imported and its
 * export checked for the shape of a codec, with a clear reason when it has none.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Codec } from "../../codecs/mod.ts";

/**
 * Imports the codec module at `path` (relative to the working directory) and checks that its
 * default export, or its export `codec`, has the shape of a {@link Codec}; or says why not.
 */
export async function loadCodec(path: string): Promise<Codec | string> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    return `cannot load codec module "${path}": ${e instanceof Error ? e.message : String(e)}`;
  }
  const candidate = (module.default ?? module.codec) as Partial<Codec> | undefined;
  if (candidate === undefined || candidate === null || typeof candidate !== "object") {
    return `codec module "${path}" exports no codec (export it as default, or as "codec")`;
  }
  const missing = [
    ...(["name", "protocol"] as const).filter((k) => typeof candidate[k] !== "string"),
    ...(["decode", "encode", "errorReply", "heartbeatReply"] as const).filter((k) =>
      typeof candidate[k] !== "function"
    ),
  ];
  if (missing.length > 0) {
    return `the codec of "${path}" lacks ${missing.join(", ")} (see codecs/codec.ts)`;
  }
  return candidate as Codec;
}
