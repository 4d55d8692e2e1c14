/**
 * The Dubbo codec for the MetaProtocol proxy: the 16-byte Dubbo header over Hessian 2
 * bodies, walked without building values. Pure and synchronous; imports only the codec
 * contract (`../codec.ts`).
 *
 * @module
 */
export { dubboCodec } from "./dubbo_codec.ts";
export type { DubboDetail } from "./attachments.ts";
