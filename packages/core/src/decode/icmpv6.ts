/** ICMPv6 (RFC 4443) and the Neighbor Discovery messages of RFC 4861. */
import { availableFrom, begin, DecodeStatus, truncated, u16, u32 } from './result.js';

export const ICMPV6_HEADER_LENGTH = 8;

export const ICMPV6_TYPE = {
  DEST_UNREACHABLE: 1,
  PACKET_TOO_BIG: 2,
  TIME_EXCEEDED: 3,
  PARAMETER_PROBLEM: 4,
  ECHO_REQUEST: 128,
  ECHO_REPLY: 129,
  MLD_QUERY: 130,
  MLD_REPORT: 131,
  MLD_DONE: 132,
  ROUTER_SOLICITATION: 133,
  ROUTER_ADVERTISEMENT: 134,
  NEIGHBOR_SOLICITATION: 135,
  NEIGHBOR_ADVERTISEMENT: 136,
  REDIRECT: 137,
  MLDV2_REPORT: 143,
} as const;

const NAMES: Record<number, string> = {
  1: 'destination-unreachable',
  2: 'packet-too-big',
  3: 'time-exceeded',
  4: 'parameter-problem',
  128: 'echo-request',
  129: 'echo-reply',
  130: 'mld-query',
  131: 'mld-report',
  132: 'mld-done',
  133: 'router-solicitation',
  134: 'router-advertisement',
  135: 'neighbor-solicitation',
  136: 'neighbor-advertisement',
  137: 'redirect',
  143: 'mldv2-report',
};

/** A name for an ICMPv6 type ('type-N' when unknown). */
export function icmpv6TypeName(type: number): string {
  return NAMES[type] ?? `type-${type}`;
}

/** Bytes each Neighbor Discovery message needs before its options. */
function ndpFixedLength(type: number): number {
  switch (type) {
    case 133:
      return 8;
    case 134:
      return 16;
    case 135:
    case 136:
      return 24;
    case 137:
      return 40;
    default:
      return ICMPV6_HEADER_LENGTH;
  }
}

export class Icmpv6Header extends DecodeStatus {
  type = 0;
  code = 0;
  checksum = 0;
  /** Bytes 4-7 of the header, whatever the type. */
  restOfHeader = 0;
  /** Echo request/reply: identifier and sequence number (0 for other types). */
  id = 0;
  seq = 0;
  /** Packet too big (type 2): the MTU, else 0. */
  mtu = 0;
  /** Parameter problem (type 4): the pointer, else 0. */
  pointer = 0;
  /** Error types (below 128): innerOffset is where the quoted IPv6 header starts. */
  isError = false;
  innerOffset = 0;
  /** NS, NA, redirect: offset of the 16-byte target address (formatIPv6), else 0. Redirect's destination follows at +16. */
  targetOffset = 0;
  /** Neighbor advertisement flags. */
  router = false;
  solicited = false;
  override = false;
  /** Router advertisement fields. */
  curHopLimit = 0;
  managed = false;
  otherConfig = false;
  routerLifetime = 0;
  reachableTime = 0;
  retransTimer = 0;
  /** Neighbor Discovery messages (133-137): where their options start, else 0. */
  ndpOptionsOffset = 0;
  payloadOffset = 0;
}

/**
 * Decodes the ICMPv6 message at `off` (Packet.l4Off). Neighbor Discovery
 * messages must hold their fixed part (RS 8, RA 16, NS/NA 24, redirect 40 bytes).
 *
 * @example
 *   const m = decodeICMPv6(pkt.data, pkt.l4Off, reused);
 *   if (m.ok && m.type === ICMPV6_TYPE.NEIGHBOR_SOLICITATION) formatIPv6(pkt.data, m.targetOffset);
 */
export function decodeICMPv6(data: Uint8Array, off: number, out = new Icmpv6Header(), end = data.length): Icmpv6Header {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < ICMPV6_HEADER_LENGTH) return truncated(out, ICMPV6_HEADER_LENGTH, avail);
  const type = data[off]!;
  const need = ndpFixedLength(type);
  if (avail < need) return truncated(out, need, avail);
  out.type = type;
  out.code = data[off + 1]!;
  out.checksum = u16(data, off + 2);
  out.restOfHeader = u32(data, off + 4);
  const echo = type === 128 || type === 129;
  out.id = echo ? u16(data, off + 4) : 0;
  out.seq = echo ? u16(data, off + 6) : 0;
  out.mtu = type === 2 ? out.restOfHeader : 0;
  out.pointer = type === 4 ? out.restOfHeader : 0;
  out.isError = type < 128;
  out.payloadOffset = off + ICMPV6_HEADER_LENGTH;
  out.innerOffset = out.isError ? out.payloadOffset : 0;
  const nd = type >= 133 && type <= 137;
  out.targetOffset = type === 135 || type === 136 || type === 137 ? off + 8 : 0;
  const b4 = data[off + 4]!;
  out.router = type === 136 && (b4 & 0x80) !== 0;
  out.solicited = type === 136 && (b4 & 0x40) !== 0;
  out.override = type === 136 && (b4 & 0x20) !== 0;
  const ra = type === 134;
  out.curHopLimit = ra ? b4 : 0;
  out.managed = ra && (data[off + 5]! & 0x80) !== 0;
  out.otherConfig = ra && (data[off + 5]! & 0x40) !== 0;
  out.routerLifetime = ra ? u16(data, off + 6) : 0;
  out.reachableTime = ra ? u32(data, off + 8) : 0;
  out.retransTimer = ra ? u32(data, off + 12) : 0;
  out.ndpOptionsOffset = nd ? off + need : 0;
  return out;
}
