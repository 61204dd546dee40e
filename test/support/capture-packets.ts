/**
 * An independent reader of pcap and pcapng files for tests: the oracle that
 * multi-process runs are checked against (what packets a file holds), so it
 * shares no code with the native reader. Stops quietly at a record that is
 * cut short or longer than libpcap's maximum, as libpcap does. Timestamps
 * follow libpcap: the fraction is a signed 32-bit number. PPI frames
 * (LINKTYPE 192) lose their PPI header, as pfwork delivers them.
 */
import { readFileSync } from 'node:fs';

export interface CapturedPacket {
  tsSec: number;
  tsNsec: number;
  caplen: number;
  len: number;
  data: Uint8Array;
}

/** Every packet of a pcap or pcapng file, in file order. */
export function readCapturePackets(file: string): CapturedPacket[] {
  const buf = readFileSync(file);
  const magic = buf.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) return readPcapng(buf);
  return readPcap(buf);
}

function readPcap(buf: Buffer): CapturedPacket[] {
  const m = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) {
    le = true;
    nano = m === 0xa1b23c4d;
  } else {
    const mb = buf.readUInt32BE(0);
    if (mb !== 0xa1b2c3d4 && mb !== 0xa1b23c4d) throw new Error(`not a pcap file (magic 0x${m.toString(16)})`);
    le = false;
    nano = mb === 0xa1b23c4d;
  }
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0xffff;
  const out: CapturedPacket[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4) | 0;
    const caplen = u32(off + 8);
    const len = u32(off + 12);
    if (off + 16 + caplen > buf.length || caplen > 262144) break;
    const ns = BigInt(sec) * 1_000_000_000n + BigInt(nano ? frac : frac * 1000);
    out.push(strip(linkType, { tsSec: Number(ns / 1_000_000_000n), tsNsec: Number(ns % 1_000_000_000n), caplen, len, data: new Uint8Array(buf.subarray(off + 16, off + 16 + caplen)) }));
    off += 16 + caplen;
  }
  return out;
}

/** PPI (192): the frame after the PPI header (pph_len, little-endian, at byte 2). */
function strip(linkType: number, p: CapturedPacket): CapturedPacket {
  if (linkType !== 192 || p.data.length < 4) return p;
  const hl = p.data[2]! | (p.data[3]! << 8);
  if (hl > p.data.length) return p;
  return { ...p, caplen: p.caplen - hl, len: p.len - hl, data: p.data.subarray(hl) };
}

function readPcapng(buf: Buffer): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  let le = true;
  // per interface: ticks per second
  let ifRes: bigint[] = [];
  let ifLink: number[] = [];
  let off = 0;
  while (off + 12 <= buf.length) {
    let type = buf.readUInt32LE(off);
    if (type === 0x0a0d0d0a) {
      const bom = buf.readUInt32LE(off + 8);
      le = bom === 0x1a2b3c4d;
      ifRes = [];
      ifLink = [];
    }
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    type = u32(off);
    const blen = u32(off + 4);
    if (blen < 12 || off + blen > buf.length) break;
    const body = off + 8;
    if (type === 1) {
      // IDB: options may carry if_tsresol (code 9)
      let res = 1_000_000n;
      let o = body + 8;
      while (o + 4 <= off + blen - 4) {
        const code = u16(o);
        const olen = u16(o + 2);
        if (code === 0) break;
        if (code === 9 && olen >= 1) {
          const v = buf[o + 4]!;
          res = v & 0x80 ? 2n ** BigInt(v & 0x7f) : 10n ** BigInt(v);
        }
        o += 4 + ((olen + 3) & ~3);
      }
      ifRes.push(res);
      ifLink.push(u16(body));
    } else if (type === 6) {
      const ifid = u32(body);
      const ts = (BigInt(u32(body + 4)) << 32n) | BigInt(u32(body + 8));
      const caplen = u32(body + 12);
      const len = u32(body + 16);
      const res = ifRes[ifid] ?? 1_000_000n;
      const sec = ts / res;
      const nsec = ((ts % res) * 1_000_000_000n) / res;
      out.push(strip(ifLink[ifid] ?? 1, { tsSec: Number(sec), tsNsec: Number(nsec), caplen, len, data: new Uint8Array(buf.subarray(body + 20, body + 20 + caplen)) }));
    } else if (type === 3) {
      const len = u32(body);
      const caplen = Math.min(len, blen - 16);
      out.push({ tsSec: 0, tsNsec: 0, caplen, len, data: new Uint8Array(buf.subarray(body + 4, body + 4 + caplen)) });
    }
    off += blen;
  }
  return out;
}

/** FNV-1a over the bytes: with the timestamp, a packet's identity in a multiset. */
export function fnv1a(data: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) {
    h ^= data[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The identity the scriptable fixture handler puts in its per-packet records:
 * length and content. Runs are compared as multisets of these, so identical
 * frames count by multiplicity. Timestamps stay out: what a reader makes of a
 * corrupt timestamp field is the ring's business, not the workers'.
 */
export function packetKey(p: { caplen: number; data: Uint8Array }): string {
  return `${p.caplen}/${fnv1a(p.data)}`;
}

/**
 * FNV-1a of an Ethernet frame without its 802.1Q/802.1ad tags: the same for a
 * frame whose tags the kernel moved into packet metadata (live capture) and
 * the frame as it was sent.
 */
export function untaggedKey(data: Uint8Array): string {
  let off = 12;
  while (off + 4 <= data.length) {
    const t = (data[off]! << 8) | data[off + 1]!;
    if (t !== 0x8100 && t !== 0x88a8 && t !== 0x9100) break;
    off += 4;
  }
  if (off === 12) return `${data.length}/${fnv1a(data)}`;
  const out = new Uint8Array(data.length - (off - 12));
  out.set(data.subarray(0, 12), 0);
  out.set(data.subarray(off), 12);
  return `${out.length}/${fnv1a(out)}`;
}
