/**
 * @pfwork/core/decode: field decoders over a packet's bytes, one file per
 * protocol. Each starts at an offset (Packet.l3Off, l4Off, payloadOff),
 * copies nothing, never throws on short input (ok = false, error
 * 'truncated' with needed/available), and can decode into a reused result
 * object so the hot path allocates nothing.
 */
export { DecodeStatus, OFFSET_ABSENT, type DecodeErrorKind } from './result.js';
export * from './address.js';
export * from './ethernet.js';
export * from './vlan.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './tcp.js';
export * from './udp.js';
export * from './icmp.js';
export * from './icmpv6.js';
export * from './dns.js';
