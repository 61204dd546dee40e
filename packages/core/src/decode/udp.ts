/** UDP header (RFC 768): 8 bytes. */
import { availableFrom, begin, DecodeStatus, malformed, truncated, u16 } from './result.js';

export const UDP_HEADER_LENGTH = 8;

export class UdpHeader extends DecodeStatus {
  srcPort = 0;
  dstPort = 0;
  /** The length field (header + data); 0 is allowed (IPv6 jumbograms). */
  length = 0;
  checksum = 0;
  payloadOffset = 0;
  /** Data bytes present: the length field minus 8, bounded by what was captured. */
  payloadBytes = 0;
}

/**
 * Decodes the UDP header at `off` (Packet.l4Off).
 *
 * Malformed: a length field of 1 to 7.
 * @example
 *   const udp = decodeUDP(pkt.data, pkt.l4Off, reusedUdp);
 *   if (udp.ok && udp.srcPort === 53) decodeDns(pkt.data, udp.payloadOffset, { end: udp.payloadOffset + udp.payloadBytes });
 */
export function decodeUDP(data: Uint8Array, off: number, out = new UdpHeader(), end = data.length): UdpHeader {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < UDP_HEADER_LENGTH) return truncated(out, UDP_HEADER_LENGTH, avail);
  out.srcPort = u16(data, off);
  out.dstPort = u16(data, off + 2);
  out.length = u16(data, off + 4);
  out.checksum = u16(data, off + 6);
  if (out.length !== 0 && out.length < UDP_HEADER_LENGTH) return malformed(out, `UDP length ${out.length} is below ${UDP_HEADER_LENGTH}`);
  out.payloadOffset = off + UDP_HEADER_LENGTH;
  const captured = avail - UDP_HEADER_LENGTH;
  const declared = out.length === 0 ? captured : out.length - UDP_HEADER_LENGTH;
  out.payloadBytes = declared < captured ? declared : captured;
  return out;
}
