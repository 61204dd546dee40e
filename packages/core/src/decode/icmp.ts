/** ICMP for IPv4 (RFC 792 and successors): the 8-byte header and the fields of common types. */
import { availableFrom, begin, DecodeStatus, truncated, u16, u32 } from './result.js';

export const ICMP_HEADER_LENGTH = 8;

export const ICMP_TYPE = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  SOURCE_QUENCH: 4,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  ROUTER_ADVERTISEMENT: 9,
  ROUTER_SOLICITATION: 10,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
  TIMESTAMP: 13,
  TIMESTAMP_REPLY: 14,
} as const;

const NAMES: Record<number, string> = {
  0: 'echo-reply',
  3: 'destination-unreachable',
  4: 'source-quench',
  5: 'redirect',
  8: 'echo-request',
  9: 'router-advertisement',
  10: 'router-solicitation',
  11: 'time-exceeded',
  12: 'parameter-problem',
  13: 'timestamp',
  14: 'timestamp-reply',
};

/** A name for an ICMP type ('type-N' when unknown). */
export function icmpTypeName(type: number): string {
  return NAMES[type] ?? `type-${type}`;
}

/** Error messages quote the offending datagram's IP header after the 8-byte ICMP header. */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

export class IcmpHeader extends DecodeStatus {
  type = 0;
  code = 0;
  checksum = 0;
  /** Bytes 4-7 of the header, whatever the type. */
  restOfHeader = 0;
  /** Echo, timestamp: identifier and sequence number (0 for other types). */
  id = 0;
  seq = 0;
  /** Destination unreachable / fragmentation needed (type 3 code 4): next-hop MTU (RFC 1191), else 0. */
  nextHopMtu = 0;
  /** Redirect (type 5): the gateway address as a host-order u32, else 0. */
  gateway = 0;
  /** Parameter problem (type 12): the octet pointer, else 0. */
  pointer = 0;
  /** True for error types: innerOffset is where the quoted IP header starts (decodeIPv4 it). */
  isError = false;
  innerOffset = 0;
  payloadOffset = 0;
}

/**
 * Decodes the ICMP header at `off` (Packet.l4Off).
 *
 * @example
 *   const icmp = decodeICMP(pkt.data, pkt.l4Off, reusedIcmp);
 *   if (icmp.ok && icmp.isError) decodeIPv4(pkt.data, icmp.innerOffset, quoted);
 */
export function decodeICMP(data: Uint8Array, off: number, out = new IcmpHeader(), end = data.length): IcmpHeader {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < ICMP_HEADER_LENGTH) return truncated(out, ICMP_HEADER_LENGTH, avail);
  const type = data[off]!;
  out.type = type;
  out.code = data[off + 1]!;
  out.checksum = u16(data, off + 2);
  out.restOfHeader = u32(data, off + 4);
  const echoLike = type === 0 || type === 8 || type === 13 || type === 14 || type === 15 || type === 16;
  out.id = echoLike ? u16(data, off + 4) : 0;
  out.seq = echoLike ? u16(data, off + 6) : 0;
  out.nextHopMtu = type === 3 && out.code === 4 ? u16(data, off + 6) : 0;
  out.gateway = type === 5 ? out.restOfHeader : 0;
  out.pointer = type === 12 ? data[off + 4]! : 0;
  out.isError = isIcmpError(type);
  out.payloadOffset = off + ICMP_HEADER_LENGTH;
  out.innerOffset = out.isError ? out.payloadOffset : 0;
  return out;
}
