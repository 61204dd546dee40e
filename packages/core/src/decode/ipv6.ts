/** IPv6 header (RFC 8200) and the walk over its extension headers. */
import { availableFrom, begin, DecodeStatus, malformed, truncated, u16, u32 } from './result.js';

export const IPV6_HEADER_LENGTH = 40;

/** The most extension headers walked before the packet is called malformed (loop and DoS bound). */
export const IPV6_MAX_EXTENSIONS = 16;

/** Extension header numbers (IANA "IPv6 Extension Header Types"). */
export const IPV6_EXT = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  NO_NEXT_HEADER: 59,
  DESTINATION: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
  EXPERIMENT_253: 253,
  EXPERIMENT_254: 254,
} as const;

/** True for a next-header value that is an extension header this decoder walks over. */
export function isIPv6Extension(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 60 || nh === 135 || nh === 139 || nh === 140 || nh === 253 || nh === 254;
}

export class IPv6Header extends DecodeStatus {
  version = 0;
  trafficClass = 0;
  flowLabel = 0;
  /** The payload-length field (extension headers included). */
  payloadLength = 0;
  /** The fixed header's next-header field (the first extension header, or the transport protocol). */
  nextHeader = 0;
  hopLimit = 0;
  /** Offsets of the 16-byte addresses (formatIPv6(data, off) for text). */
  srcOffset = 0;
  dstOffset = 0;
  /**
   * The upper-layer protocol after the extension headers (6 TCP, 17 UDP, 58 ICMPv6...),
   * or 50 (ESP: encrypted, the walk stops), 59 (no next header), or the
   * fragment's next header for a non-first fragment.
   */
  protocol = 0;
  /** Where the upper-layer header (or a non-first fragment's data) starts. */
  payloadOffset = 0;
  /** Upper-layer bytes present: the payload-length field minus the extension headers, bounded by what was captured (0 in the field: what was captured). */
  payloadBytes = 0;
  /** Bytes of extension headers walked. */
  extensionsLength = 0;
  /** How many extension headers, and their types in order (the first extensionCount entries). */
  extensionCount = 0;
  readonly extensionTypes = new Uint8Array(IPV6_MAX_EXTENSIONS);
  /** A fragment header was present. */
  isFragment = false;
  /** Fragment offset in bytes; > 0 means this packet holds no upper-layer header. */
  fragmentOffset = 0;
  moreFragments = false;
  fragmentId = 0;
}

/**
 * Decodes the IPv6 header at `off` (Packet.l3Off) and walks its extension
 * headers (hop-by-hop, routing, fragment, destination options, AH, mobility,
 * HIP, shim6) to the upper-layer header. Every walked header must be
 * captured; `needed` then counts from `off` to that header's end.
 *
 * @example
 *   const ip6 = decodeIPv6(pkt.data, pkt.l3Off, hdr);
 *   if (ip6.ok && ip6.protocol === 6 && ip6.fragmentOffset === 0) decodeTCP(pkt.data, ip6.payloadOffset, tcp);
 */
export function decodeIPv6(data: Uint8Array, off: number, out = new IPv6Header(), end = data.length): IPv6Header {
  if (!begin(out, off)) return out;
  out.extensionCount = 0;
  out.extensionsLength = 0;
  out.isFragment = false;
  out.fragmentOffset = 0;
  out.moreFragments = false;
  out.fragmentId = 0;
  const avail = availableFrom(data, off, end);
  if (avail < 1) return truncated(out, IPV6_HEADER_LENGTH, avail);
  out.version = data[off]! >>> 4;
  if (out.version !== 6) return malformed(out, `IP version is ${out.version}, expected 6`);
  if (avail < IPV6_HEADER_LENGTH) return truncated(out, IPV6_HEADER_LENGTH, avail);
  const w0 = u32(data, off);
  out.trafficClass = (w0 >>> 20) & 0xff;
  out.flowLabel = w0 & 0xfffff;
  out.payloadLength = u16(data, off + 4);
  out.nextHeader = data[off + 6]!;
  out.hopLimit = data[off + 7]!;
  out.srcOffset = off + 8;
  out.dstOffset = off + 24;
  let nh = out.nextHeader;
  let at = off + IPV6_HEADER_LENGTH;
  while (isIPv6Extension(nh)) {
    if (out.extensionCount === IPV6_MAX_EXTENSIONS) return malformed(out, `more than ${IPV6_MAX_EXTENSIONS} IPv6 extension headers`);
    const rel = at - off;
    if (avail < rel + 2) return truncated(out, rel + 2, avail);
    const next = data[at]!;
    let len: number;
    if (nh === IPV6_EXT.FRAGMENT) len = 8;
    else if (nh === IPV6_EXT.AH) len = (data[at + 1]! + 2) * 4;
    else len = (data[at + 1]! + 1) * 8;
    if (avail < rel + len) return truncated(out, rel + len, avail);
    out.extensionTypes[out.extensionCount++] = nh;
    if (nh === IPV6_EXT.FRAGMENT) {
      const fo = u16(data, at + 2);
      out.isFragment = true;
      out.fragmentOffset = fo & 0xfff8;
      out.moreFragments = (fo & 1) !== 0;
      out.fragmentId = u32(data, at + 4);
    }
    at += len;
    nh = next;
    // A non-first fragment carries data, not the next header: stop here.
    if (out.isFragment && out.fragmentOffset !== 0) break;
  }
  out.protocol = nh;
  out.payloadOffset = at;
  out.extensionsLength = at - off - IPV6_HEADER_LENGTH;
  const captured = avail - (at - off);
  const declared = out.payloadLength === 0 ? captured : out.payloadLength - out.extensionsLength;
  out.payloadBytes = declared < 0 ? 0 : declared < captured ? declared : captured;
  return out;
}
