/**
 * The Thrift MetaProtocol codec (`aeraki.meta_protocol.codec.thrift`): framed, unframed and
 * header (THeader) transports, binary (strict and non-strict) and compact protocols, routing
 * metadata without decoding bodies. Pure and synchronous; imports only the codec contract.
 *
 * @module
 */
export { thriftCodec, type ThriftDetail } from "./thrift_codec.ts";
