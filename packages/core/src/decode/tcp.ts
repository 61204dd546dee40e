/** TCP header (RFC 9293) with its common options (MSS, window scale, SACK, timestamps). */
import { availableFrom, begin, DecodeStatus, malformed, truncated, u16, u32 } from './result.js';

export const TCP_MIN_HEADER_LENGTH = 20;

/** Flag bits of TcpHeader.flags. */
export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, AE: 0x100 } as const;

/** Option kinds (IANA "TCP Option Kind Numbers"). */
export const TCP_OPTION = {
  END: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  MD5: 19,
  USER_TIMEOUT: 28,
  AUTH: 29,
  MPTCP: 30,
  FAST_OPEN: 34,
} as const;

/** The most SACK blocks an option holds (40 bytes of options: 2 + 4 x 8 = 34). */
export const TCP_MAX_SACK_BLOCKS = 4;

export class TcpHeader extends DecodeStatus {
  srcPort = 0;
  dstPort = 0;
  /** Sequence and acknowledgement numbers, unsigned 32-bit. */
  seq = 0;
  ack = 0;
  /** Header length in bytes (data offset x 4), 20-60. */
  headerLength = 0;
  /** Flag bits, TCP_FLAG.* (AE, the former NS bit, is 0x100). */
  flags = 0;
  window = 0;
  checksum = 0;
  urgentPointer = 0;
  optionsOffset = 0;
  optionsLength = 0;
  /** Where the segment's data starts. */
  payloadOffset = 0;
  /** Maximum segment size option, -1 when absent. */
  mss = -1;
  /** Window scale shift count, -1 when absent (the raw value: RFC 7323 caps its use at 14). */
  windowScale = -1;
  sackPermitted = false;
  /** SACK blocks in `sack` (0-4): left edge at sack[2i], right edge at sack[2i+1]. */
  sackBlocks = 0;
  readonly sack = new Uint32Array(2 * TCP_MAX_SACK_BLOCKS);
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;
  /**
   * An option had a bad length (or ran past the header); options from that
   * one on were not decoded. The header itself is still valid (ok stays true).
   */
  optionsMalformed = false;
}

function resetOptions(out: TcpHeader): void {
  out.mss = -1;
  out.windowScale = -1;
  out.sackPermitted = false;
  out.sackBlocks = 0;
  out.hasTimestamps = false;
  out.tsVal = 0;
  out.tsEcr = 0;
  out.optionsMalformed = false;
}

/**
 * Decodes the TCP header at `off` (Packet.l4Off), options included. The
 * whole header (data offset x 4 bytes) must be captured.
 *
 * Malformed: data offset below 5. A bad option does not fail the header: optionsMalformed.
 * @example
 *   const tcp = decodeTCP(pkt.data, pkt.l4Off, reusedTcp);
 *   if (tcp.ok && tcp.flags & TCP_FLAG.SYN && tcp.mss >= 0) mssSeen(tcp.mss);
 */
export function decodeTCP(data: Uint8Array, off: number, out = new TcpHeader(), end = data.length): TcpHeader {
  if (!begin(out, off)) return out;
  resetOptions(out);
  const avail = availableFrom(data, off, end);
  if (avail < 13) return truncated(out, TCP_MIN_HEADER_LENGTH, avail);
  const hl = (data[off + 12]! >>> 4) * 4;
  out.headerLength = hl;
  if (hl < TCP_MIN_HEADER_LENGTH) return malformed(out, `TCP header length ${hl} is below ${TCP_MIN_HEADER_LENGTH}`);
  if (avail < hl) return truncated(out, hl, avail);
  out.srcPort = u16(data, off);
  out.dstPort = u16(data, off + 2);
  out.seq = u32(data, off + 4);
  out.ack = u32(data, off + 8);
  out.flags = ((data[off + 12]! & 1) << 8) | data[off + 13]!;
  out.window = u16(data, off + 14);
  out.checksum = u16(data, off + 16);
  out.urgentPointer = u16(data, off + 18);
  out.optionsOffset = off + TCP_MIN_HEADER_LENGTH;
  out.optionsLength = hl - TCP_MIN_HEADER_LENGTH;
  out.payloadOffset = off + hl;
  if (out.optionsLength) out.optionsMalformed = !parseOptions(data, out.optionsOffset, off + hl, out);
  return out;
}

/** Fills the option fields; false when an option is malformed (decoding stops there). */
function parseOptions(d: Uint8Array, o: number, end: number, out: TcpHeader): boolean {
  while (o < end) {
    const kind = d[o]!;
    if (kind === TCP_OPTION.END) return true;
    if (kind === TCP_OPTION.NOP) {
      o++;
      continue;
    }
    if (o + 2 > end) return false;
    const len = d[o + 1]!;
    if (len < 2 || o + len > end) return false;
    switch (kind) {
      case TCP_OPTION.MSS:
        if (len !== 4) return false;
        out.mss = u16(d, o + 2);
        break;
      case TCP_OPTION.WINDOW_SCALE:
        if (len !== 3) return false;
        out.windowScale = d[o + 2]!;
        break;
      case TCP_OPTION.SACK_PERMITTED:
        if (len !== 2) return false;
        out.sackPermitted = true;
        break;
      case TCP_OPTION.SACK: {
        const n = (len - 2) / 8;
        if (!Number.isInteger(n) || n < 1 || n > TCP_MAX_SACK_BLOCKS) return false;
        for (let i = 0; i < n; i++) {
          out.sack[2 * i] = u32(d, o + 2 + 8 * i);
          out.sack[2 * i + 1] = u32(d, o + 6 + 8 * i);
        }
        out.sackBlocks = n;
        break;
      }
      case TCP_OPTION.TIMESTAMPS:
        if (len !== 10) return false;
        out.hasTimestamps = true;
        out.tsVal = u32(d, o + 2);
        out.tsEcr = u32(d, o + 6);
        break;
      default:
        break;
    }
    o += len;
  }
  return true;
}

/** 'SA', 'FA', 'PA'...: the set flags as tcpdump-style letters (F S R P A U E C, then N for AE). */
export function tcpFlagsText(flags: number): string {
  let s = '';
  if (flags & TCP_FLAG.FIN) s += 'F';
  if (flags & TCP_FLAG.SYN) s += 'S';
  if (flags & TCP_FLAG.RST) s += 'R';
  if (flags & TCP_FLAG.PSH) s += 'P';
  if (flags & TCP_FLAG.ACK) s += 'A';
  if (flags & TCP_FLAG.URG) s += 'U';
  if (flags & TCP_FLAG.ECE) s += 'E';
  if (flags & TCP_FLAG.CWR) s += 'C';
  if (flags & TCP_FLAG.AE) s += 'N';
  return s;
}

export class TcpOption extends DecodeStatus {
  kind = 0;
  /** Bytes the option occupies (1 for END and NOP). */
  length = 0;
  dataOffset = 0;
  dataLength = 0;
  /** Offset of the next option; equals `end` after END. */
  next = 0;
}

/**
 * Decodes the option at `off` (options end at `end`, the header's
 * payloadOffset): for kinds the header does not decode itself (MPTCP, TFO...).
 *
 * @example
 *   for (let o = tcp.optionsOffset; o < tcp.payloadOffset; o = opt.next) {
 *     if (!decodeTcpOption(data, o, tcp.payloadOffset, opt).ok) break;
 *     if (opt.kind === TCP_OPTION.MPTCP) ...
 *   }
 */
export function decodeTcpOption(data: Uint8Array, off: number, end: number, out = new TcpOption()): TcpOption {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < 1) return truncated(out, 1, avail);
  const kind = data[off]!;
  out.kind = kind;
  if (kind === TCP_OPTION.END || kind === TCP_OPTION.NOP) {
    out.length = 1;
    out.dataOffset = off + 1;
    out.dataLength = 0;
    out.next = kind === TCP_OPTION.END ? Math.max(end, off + 1) : off + 1;
    return out;
  }
  if (avail < 2) return truncated(out, 2, avail);
  const len = data[off + 1]!;
  if (len < 2) return malformed(out, `TCP option ${kind} has length ${len}, below 2`);
  if (avail < len) return truncated(out, len, avail);
  out.length = len;
  out.dataOffset = off + 2;
  out.dataLength = len - 2;
  out.next = off + len;
  return out;
}
