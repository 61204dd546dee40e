/**
 * A small pcap / pcapng reader for tests that check decoders against the
 * shared captures (core has no capture code; the real reader is libpcap in
 * @pfwork/native, which core must not import).
 */
import { readFileSync } from 'node:fs';

export interface CapturedPacket {
  linkType: number;
  data: Uint8Array;
  len: number;
}

export function readCapture(file: string): CapturedPacket[] {
  const buf = readFileSync(file);
  const b = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic === 0x0a0d0d0a) return readPcapng(b, dv);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) throw new Error(`${file}: not a pcap or pcapng file`);
  const linkType = dv.getUint32(20, le) & 0xffff;
  const out: CapturedPacket[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const caplen = dv.getUint32(o + 8, le);
    const len = dv.getUint32(o + 12, le);
    if (o + 16 + caplen > b.length) break;
    out.push({ linkType, data: b.subarray(o + 16, o + 16 + caplen), len });
    o += 16 + caplen;
  }
  return out;
}

function readPcapng(b: Uint8Array, dv: DataView): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  let le = true;
  let links: number[] = [];
  for (let o = 0; o + 12 <= b.length; ) {
    if (dv.getUint32(o, true) === 0x0a0d0d0a) {
      le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
      links = [];
    }
    const type = dv.getUint32(o, le);
    const total = dv.getUint32(o + 4, le);
    if (total < 12 || o + total > b.length) break;
    if (type === 1) links.push(dv.getUint16(o + 8, le));
    else if (type === 6) {
      const iface = dv.getUint32(o + 8, le);
      const caplen = dv.getUint32(o + 20, le);
      const len = dv.getUint32(o + 24, le);
      out.push({ linkType: links[iface] ?? -1, data: b.subarray(o + 28, o + 28 + caplen), len });
    } else if (type === 3) {
      const len = dv.getUint32(o + 8, le);
      out.push({ linkType: links[0] ?? -1, data: b.subarray(o + 12, o + 12 + Math.min(len, total - 16)), len });
    }
    o += total;
  }
  return out;
}
