/** IPv4 header (RFC 791) and its options. */
import { availableFrom, begin, DecodeStatus, malformed, truncated, u16, u32 } from './result.js';

export const IPV4_MIN_HEADER_LENGTH = 20;

export class IPv4Header extends DecodeStatus {
  version = 0;
  /** Header length in bytes (IHL x 4), 20-60. */
  headerLength = 0;
  dscp = 0;
  ecn = 0;
  /** The total-length field (0 on some locally sent packets with segmentation offload). */
  totalLength = 0;
  id = 0;
  /** The 3 flag bits (reserved, DF, MF). */
  flags = 0;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes (the field x 8). */
  fragmentOffset = 0;
  /** True for any fragment (MF set or offset > 0); only the first fragment holds the transport header. */
  isFragment = false;
  ttl = 0;
  protocol = 0;
  checksum = 0;
  /** Addresses as host-order u32 (formatIPv4 for text). */
  src = 0;
  dst = 0;
  /** Offsets of the address bytes. */
  srcOffset = 0;
  dstOffset = 0;
  /** Where the options are, and their length (0 when IHL = 5). */
  optionsOffset = 0;
  optionsLength = 0;
  /** Where the payload (transport header, or fragment data) starts. */
  payloadOffset = 0;
  /** Payload bytes present: total length minus header length, bounded by what was captured. */
  payloadBytes = 0;
}

/**
 * Decodes the IPv4 header at `off` (Packet.l3Off). The whole header,
 * options included, must be captured.
 *
 * Malformed: version not 4, IHL below 5, total length below the header length (0 is allowed: segmentation offload).
 * @example
 *   const ip = decodeIPv4(pkt.data, pkt.l3Off, reusedHeader);
 *   if (ip.ok && ip.protocol === 17) decodeUDP(pkt.data, ip.payloadOffset, udp);
 */
export function decodeIPv4(data: Uint8Array, off: number, out = new IPv4Header(), end = data.length): IPv4Header {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < 1) return truncated(out, IPV4_MIN_HEADER_LENGTH, avail);
  const b0 = data[off]!;
  out.version = b0 >>> 4;
  if (out.version !== 4) return malformed(out, `IP version is ${out.version}, expected 4`);
  const hl = (b0 & 0x0f) * 4;
  out.headerLength = hl;
  if (hl < IPV4_MIN_HEADER_LENGTH) return malformed(out, `IPv4 header length ${hl} is below ${IPV4_MIN_HEADER_LENGTH}`);
  if (avail < hl) return truncated(out, hl, avail);
  const b1 = data[off + 1]!;
  out.dscp = b1 >>> 2;
  out.ecn = b1 & 3;
  out.totalLength = u16(data, off + 2);
  if (out.totalLength !== 0 && out.totalLength < hl) return malformed(out, `IPv4 total length ${out.totalLength} is below the header length ${hl}`);
  out.id = u16(data, off + 4);
  const ff = u16(data, off + 6);
  out.flags = ff >>> 13;
  out.dontFragment = (ff & 0x4000) !== 0;
  out.moreFragments = (ff & 0x2000) !== 0;
  out.fragmentOffset = (ff & 0x1fff) * 8;
  out.isFragment = out.moreFragments || out.fragmentOffset !== 0;
  out.ttl = data[off + 8]!;
  out.protocol = data[off + 9]!;
  out.checksum = u16(data, off + 10);
  out.srcOffset = off + 12;
  out.dstOffset = off + 16;
  out.src = u32(data, off + 12);
  out.dst = u32(data, off + 16);
  out.optionsOffset = off + IPV4_MIN_HEADER_LENGTH;
  out.optionsLength = hl - IPV4_MIN_HEADER_LENGTH;
  out.payloadOffset = off + hl;
  const captured = avail - hl;
  const declared = out.totalLength === 0 ? captured : out.totalLength - hl;
  out.payloadBytes = declared < captured ? declared : captured;
  return out;
}

/** True when the header checksum of a decoded header verifies (RFC 1071). */
export function ipv4ChecksumOk(data: Uint8Array, hdr: IPv4Header): boolean {
  if (!hdr.ok) return false;
  let sum = 0;
  for (let i = hdr.offset; i < hdr.offset + hdr.headerLength; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** Option type numbers (RFC 791 and the IANA registry). */
export const IPV4_OPTION = {
  END: 0,
  NOP: 1,
  RECORD_ROUTE: 7,
  TIMESTAMP: 68,
  SECURITY: 130,
  LSRR: 131,
  STREAM_ID: 136,
  SSRR: 137,
  ROUTER_ALERT: 148,
} as const;

const OPTION_NAMES: Record<number, string> = {
  0: 'end-of-options',
  1: 'no-operation',
  7: 'record-route',
  68: 'timestamp',
  130: 'security',
  131: 'loose-source-route',
  136: 'stream-id',
  137: 'strict-source-route',
  148: 'router-alert',
};

/** A name for an IPv4 option type ('option-N' when unknown). */
export function ipv4OptionName(type: number): string {
  return OPTION_NAMES[type] ?? `option-${type}`;
}

export class IPv4Option extends DecodeStatus {
  /** The whole type octet. */
  type = 0;
  /** The copied flag (copy into every fragment). */
  copied = false;
  /** Option class (0 control, 2 debugging and measurement). */
  optionClass = 0;
  /** The option number (low 5 bits). */
  number = 0;
  /** Bytes the option occupies (1 for END and NOP). */
  length = 0;
  /** Where its data starts and how long it is (after type and length). */
  dataOffset = 0;
  dataLength = 0;
  /** Offset of the next option; equals `end` after END. */
  next = 0;
}

/**
 * Decodes the option at `off`; options end at `end` (the header's payloadOffset).
 *
 * @example
 *   for (let o = ip.optionsOffset; o < ip.payloadOffset; o = opt.next) {
 *     if (!decodeIPv4Option(data, o, ip.payloadOffset, opt).ok) break;
 *   }
 */
export function decodeIPv4Option(data: Uint8Array, off: number, end: number, out = new IPv4Option()): IPv4Option {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < 1) return truncated(out, 1, avail);
  const type = data[off]!;
  out.type = type;
  out.copied = (type & 0x80) !== 0;
  out.optionClass = (type >>> 5) & 3;
  out.number = type & 0x1f;
  if (type === IPV4_OPTION.END || type === IPV4_OPTION.NOP) {
    out.length = 1;
    out.dataOffset = off + 1;
    out.dataLength = 0;
    out.next = type === IPV4_OPTION.END ? Math.max(end, off + 1) : off + 1;
    return out;
  }
  if (avail < 2) return truncated(out, 2, avail);
  const len = data[off + 1]!;
  if (len < 2) return malformed(out, `IPv4 option ${type} has length ${len}, below 2`);
  if (avail < len) return truncated(out, len, avail);
  out.length = len;
  out.dataOffset = off + 2;
  out.dataLength = len - 2;
  out.next = off + len;
  return out;
}

/** Every option of a decoded header, as new objects (allocates: not for the hot path). Stops at the first bad option. */
export function listIPv4Options(data: Uint8Array, hdr: IPv4Header): IPv4Option[] {
  const list: IPv4Option[] = [];
  if (!hdr.ok) return list;
  const end = hdr.payloadOffset;
  for (let o = hdr.optionsOffset; o < end; ) {
    const opt = decodeIPv4Option(data, o, end);
    list.push(opt);
    if (!opt.ok || opt.type === IPV4_OPTION.END) break;
    o = opt.next;
  }
  return list;
}
