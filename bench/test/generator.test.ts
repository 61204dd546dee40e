/**
 * The benchmark capture generator: what it writes must be a real capture
 * (valid checksums, proper TCP handshakes and closes, both directions), with
 * exactly the flows and packets asked for, the documented mix, and the same
 * bytes for the same seed. Sizes are small: these tests stay fast.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inetChecksum } from '@pfwork/core/craft';
import { ensureCapture } from '../gen/cache.js';
import { generateCapture } from '../gen/generate.js';
import { MIX } from '../gen/mix.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pfw-bench-gen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rec {
  sec: number;
  nsec: number;
  data: Uint8Array;
}

function readPcap(file: string): { magic: number; snaplen: number; records: Rec[] } {
  const b = readFileSync(file);
  const records: Rec[] = [];
  let o = 24;
  while (o < b.length) {
    const incl = b.readUInt32LE(o + 8);
    expect(b.readUInt32LE(o + 12)).toBe(incl); // whole frames: len == caplen
    records.push({ sec: b.readUInt32LE(o), nsec: b.readUInt32LE(o + 4), data: b.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  expect(o).toBe(b.length);
  return { magic: b.readUInt32LE(0), snaplen: b.readUInt32LE(16), records };
}

interface Parsed {
  vlan: number;
  v6: boolean;
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  ipLen: number;
  ipChecksumOk: boolean;
  l4ChecksumOk: boolean;
}

/** An independent parse (not the generator's offsets): checks every checksum from scratch. */
function parse(f: Uint8Array): Parsed {
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  let off = 12;
  let type = dv.getUint16(off);
  let vlan = 0;
  if (type === 0x8100) {
    vlan = dv.getUint16(14) & 0xfff;
    type = dv.getUint16(16);
    off = 18;
  } else off = 14;
  const v6 = type === 0x86dd;
  expect(v6 || type === 0x0800).toBe(true);
  const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
  let proto: number;
  let l4: number;
  let src: Uint8Array;
  let dst: Uint8Array;
  let ipLen: number;
  let ipChecksumOk = true;
  if (v6) {
    proto = f[off + 6]!;
    src = f.subarray(off + 8, off + 24);
    dst = f.subarray(off + 24, off + 40);
    ipLen = 40 + dv.getUint16(off + 4);
    l4 = off + 40;
  } else {
    const ihl = (f[off]! & 15) * 4;
    proto = f[off + 9]!;
    src = f.subarray(off + 12, off + 16);
    dst = f.subarray(off + 16, off + 20);
    ipLen = dv.getUint16(off + 2);
    ipChecksumOk = inetChecksum(f.subarray(off, off + ihl)) === 0;
    l4 = off + ihl;
  }
  expect(off + ipLen).toBe(f.length);
  const seg = f.subarray(l4);
  let l4ChecksumOk: boolean;
  if (proto === 1) {
    l4ChecksumOk = inetChecksum(seg) === 0;
  } else {
    const pseudo = new Uint8Array(v6 ? 40 : 12);
    const p = new DataView(pseudo.buffer);
    pseudo.set(src, 0);
    pseudo.set(dst, src.length);
    if (v6) {
      p.setUint32(32, seg.length);
      pseudo[39] = proto;
    } else {
      pseudo[9] = proto;
      p.setUint16(10, seg.length);
    }
    l4ChecksumOk = inetChecksum(pseudo, seg) === 0;
  }
  const ported = proto === 6 || proto === 17;
  return {
    vlan,
    v6,
    proto,
    src: hex(src),
    dst: hex(dst),
    sport: ported ? dv.getUint16(l4) : 0,
    dport: ported ? dv.getUint16(l4 + 2) : 0,
    flags: proto === 6 ? f[l4 + 13]! : 0,
    ipLen,
    ipChecksumOk,
    l4ChecksumOk,
  };
}

describe('generateCapture', () => {
  const packets = 30_000;
  const flows = 2_000;
  const file = path.join(dir, 'a.pcap');
  const summary = generateCapture(file, { packets, flows, seed: 7 });
  const { magic, records } = readPcap(file);
  const parsed = records.map((r) => parse(r.data));

  it('writes a nanosecond pcap with exactly the packets asked for, in time order', () => {
    expect(magic).toBe(0xa1b23c4d);
    expect(records.length).toBe(packets);
    expect(summary.packets).toBe(packets);
    for (let i = 1; i < records.length; i++) {
      const a = records[i - 1]!;
      const b = records[i]!;
      expect(BigInt(b.sec) * 1_000_000_000n + BigInt(b.nsec)).toBeGreaterThan(BigInt(a.sec) * 1_000_000_000n + BigInt(a.nsec));
      expect(b.nsec).toBeLessThan(1e9);
    }
  });

  it('computes every IPv4 header checksum and every TCP, UDP, ICMP and ICMPv6 checksum correctly', () => {
    const bad = parsed.map((p, i) => (p.ipChecksumOk && p.l4ChecksumOk ? -1 : i)).filter((i) => i >= 0);
    expect(bad).toEqual([]);
  });

  it('has exactly `flows` distinct flows, each seen in both directions when it has two packets or more', () => {
    const key = (p: Parsed) => {
      const a = `${p.src}/${p.sport}`;
      const b = `${p.dst}/${p.dport}`;
      return `${p.proto} ${p.vlan} ${a < b ? `${a} ${b}` : `${b} ${a}`}`;
    };
    const dirs = new Map<string, Set<string>>();
    const count = new Map<string, number>();
    for (const p of parsed) {
      const k = key(p);
      if (!dirs.has(k)) dirs.set(k, new Set());
      dirs.get(k)!.add(p.src);
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    expect(dirs.size).toBe(flows);
    for (const [k, d] of dirs) if (count.get(k)! >= 2) expect(d.size, k).toBe(2);
  });

  it('opens TCP flows of 4+ packets with SYN, SYN-ACK and closes them with FIN-ACK from both sides', () => {
    const byFlow = new Map<string, Parsed[]>();
    for (const p of parsed) {
      if (p.proto !== 6) continue;
      const k = [p.src, p.sport, p.dst, p.dport].join() < [p.dst, p.dport, p.src, p.sport].join()
        ? [p.src, p.sport, p.dst, p.dport].join()
        : [p.dst, p.dport, p.src, p.sport].join();
      if (!byFlow.has(k)) byFlow.set(k, []);
      byFlow.get(k)!.push(p);
    }
    let checked = 0;
    for (const list of byFlow.values()) {
      if (list.length < 4) continue;
      checked++;
      expect(list[0]!.flags).toBe(0x02);
      expect(list[1]!.flags).toBe(0x12);
      expect(list[1]!.src).toBe(list[0]!.dst);
      expect(list.at(-2)!.flags).toBe(0x11);
      expect(list.at(-1)!.flags).toBe(0x11);
      expect(list.at(-1)!.src).toBe(list.at(-2)!.dst);
      for (const p of list.slice(2, -2)) expect([0x10, 0x18]).toContain(p.flags);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('mixes IPv4 and IPv6, VLAN tags, TCP/UDP/ICMP and small, 576 and 1500 byte packets as mix.ts says', () => {
    expect(summary.tcpFlows + summary.udpFlows + summary.icmpFlows).toBe(flows);
    expect(summary.tcpFlows / flows).toBeCloseTo(MIX.tcp, 1);
    expect(summary.ipv6Flows / flows).toBeCloseTo(MIX.ipv6, 1);
    expect(summary.vlanFlows / flows).toBeCloseTo(MIX.vlan, 1);
    expect(new Set(parsed.map((p) => p.proto))).toEqual(new Set([6, 17, 1, 58]));
    const sizes = parsed.map((p, i) => ({ ip: p.ipLen, frame: records[i]!.data.length }));
    expect(sizes.filter((s) => s.ip === MIX.mediumIpLen).length).toBe(summary.mediumPackets);
    expect(sizes.filter((s) => s.ip === MIX.largeIpLen).length).toBe(summary.largePackets);
    const small = sizes.filter((s) => s.frame >= 54 && s.frame <= 122).length;
    expect(small / packets).toBeGreaterThan(0.6);
    expect(parsed.some((p) => p.vlan > 0) && parsed.some((p) => p.v6)).toBe(true);
  });

  it('writes the same bytes for the same seed and different bytes for another seed', () => {
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const again = path.join(dir, 'b.pcap');
    const other = path.join(dir, 'c.pcap');
    generateCapture(again, { packets, flows, seed: 7 });
    generateCapture(other, { packets, flows, seed: 8 });
    expect(sha(again)).toBe(sha(file));
    expect(sha(other)).not.toBe(sha(file));
  });

  it('refuses more flows than packets', () => {
    expect(() => generateCapture(path.join(dir, 'x.pcap'), { packets: 10, flows: 11, seed: 1 })).toThrow(
      'flows (11) must be between 1 and packets (10)',
    );
  });
});

describe('ensureCapture', () => {
  it('generates once per (packets, flows, seed) and then reuses the cached file', () => {
    const first = ensureCapture({ packets: 2000, flows: 100, seed: 3 }, dir);
    const second = ensureCapture({ packets: 2000, flows: 100, seed: 3 }, dir);
    expect(first.generated).toBe(true);
    expect(second.generated).toBe(false);
    expect(second.path).toBe(first.path);
    expect(second.summary).toEqual(first.summary);
    expect(ensureCapture({ packets: 2000, flows: 100, seed: 4 }, dir).path).not.toBe(first.path);
  });
});
