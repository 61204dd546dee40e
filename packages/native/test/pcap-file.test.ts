/**
 * The capture-file backend (cpp/pcap_file.cc) through the Ring: link types,
 * pcap and pcapng at nanosecond precision, end of file, damage, unsupported
 * link types, and every shared capture against its MANIFEST and capinfos.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPcaps, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { NextResult, PacketDirection, Ring, type Batch, type PfwError } from '../src/index.js';
import {
  buildFrame, buildIpPacket, PKT_HOST, PKT_OUTGOING, ppiFrame, sll2Frame, sllFrame, writePcapFile, writePcapng,
} from './support/capture-files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-pcap-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  tsSec: number;
  tsNsec: number;
  caplen: number;
  len: number;
  ifindex: number;
  direction: number;
  l3Off: number;
  proto: number;
  sport: number;
  bytes: number[];
}

/** Every packet of a file ring, row by row (copied). */
async function readAll(ring: Ring): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of ring) rows.push(...rowsOf(b));
  return rows;
}

function rowsOf(b: Batch): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < b.count; i++) {
    const off = b.dataOff[i]!;
    out.push({
      tsSec: b.tsSec[i]!, tsNsec: b.tsNsec[i]!, caplen: b.caplen[i]!, len: b.len[i]!, ifindex: b.ifindex[i]!,
      direction: b.direction[i]!, l3Off: b.l3Off[i]!, proto: b.proto[i]!, sport: b.sport[i]!,
      bytes: Array.from(b.data.subarray(off, off + b.caplen[i]!)),
    });
  }
  return out;
}

const udp4 = (i: number) => buildIpPacket({ src: '192.0.2.1', dst: '192.0.2.2' }, { kind: 'udp', sport: 1000 + i, dport: 53 }, new Uint8Array(i));
const udp6 = (i: number) => buildIpPacket({ src: '2001:db8::1', dst: '2001:db8::2' }, { kind: 'udp', sport: 2000 + i, dport: 53 });
const ts = (i: number) => ({ tsSec: 1_600_000_000 + i, tsNsec: 999_999_000 + i });

describe('link types', () => {
  const cases: { name: string; linkType: number; frame: (i: number) => Uint8Array; l3Off: number; dlt: number; dltName: string }[] = [
    { name: 'Ethernet', linkType: 1, frame: (i) => buildFrame({ ip: { src: '192.0.2.1', dst: '192.0.2.2' }, l4: { kind: 'udp', sport: 1000 + i, dport: 53 }, payload: new Uint8Array(i) }), l3Off: 14, dlt: 1, dltName: 'EN10MB' },
    { name: 'Linux cooked v1', linkType: 113, frame: (i) => sllFrame(PKT_HOST, 0x0800, udp4(i)), l3Off: 16, dlt: 113, dltName: 'LINUX_SLL' },
    { name: 'Linux cooked v2', linkType: 276, frame: (i) => sll2Frame(PKT_HOST, 7, 0x0800, udp4(i)), l3Off: 20, dlt: 276, dltName: 'LINUX_SLL2' },
    { name: 'raw IP (LINKTYPE_RAW 101)', linkType: 101, frame: (i) => udp4(i), l3Off: 0, dlt: 12, dltName: 'RAW' },
    { name: 'raw IPv4 (228)', linkType: 228, frame: (i) => udp4(i), l3Off: 0, dlt: 228, dltName: 'IPV4' },
    { name: 'raw IPv6 (229)', linkType: 229, frame: (i) => udp6(i), l3Off: 0, dlt: 229, dltName: 'IPV6' },
    { name: 'NULL', linkType: 0, frame: (i) => { const h = new Uint8Array(4); new DataView(h.buffer).setUint32(0, 2, true); return Uint8Array.from([...h, ...udp4(i)]); }, l3Off: 4, dlt: 0, dltName: 'NULL' },
    { name: 'LOOP', linkType: 108, frame: (i) => { const h = new Uint8Array(4); new DataView(h.buffer).setUint32(0, 2, false); return Uint8Array.from([...h, ...udp4(i)]); }, l3Off: 4, dlt: 108, dltName: 'LOOP' },
  ];
  for (const c of cases) {
    it(`reads ${c.name} and locates L3 at ${c.l3Off}`, async () => {
      const file = path.join(dir, `lt-${c.linkType}.pcap`);
      const frames = Array.from({ length: 5 }, (_, i) => c.frame(i));
      writePcapFile(file, frames.map((data, i) => ({ ...ts(i), data })), { linkType: c.linkType });
      const ring = Ring.open({ file });
      expect(ring.linkType).toBe(c.dlt);
      expect(ring.linkTypeName).toBe(c.dltName);
      const rows = await readAll(ring);
      ring.close();
      expect(rows.map((r) => r.bytes)).toEqual(frames.map((f) => Array.from(f)));
      expect(rows.map((r) => [r.tsSec, r.tsNsec])).toEqual(frames.map((_, i) => [ts(i).tsSec, ts(i).tsNsec]));
      expect(rows.every((r) => r.l3Off === c.l3Off && r.proto === 17)).toBe(true);
    });
  }

  it('strips a PPI header and delivers the link type inside it', async () => {
    const file = path.join(dir, 'ppi.pcap');
    const inner = Array.from({ length: 3 }, (_, i) => buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'tcp', sport: 1 + i, dport: 2 } }));
    writePcapFile(file, inner.map((f, i) => ({ ...ts(i), data: ppiFrame(1, f) })), { linkType: 192 });
    const ring = Ring.open({ file });
    expect(ring.linkTypeName).toBe('EN10MB');
    const rows = await readAll(ring);
    ring.close();
    expect(rows.map((r) => r.bytes)).toEqual(inner.map((f) => Array.from(f)));
    expect(rows.map((r) => r.len)).toEqual(inner.map((f) => f.length));
  });

  it('reports the direction and interface that Linux cooked captures record', async () => {
    const v1 = path.join(dir, 'dir-sll.pcap');
    const v2 = path.join(dir, 'dir-sll2.pcap');
    const types = [PKT_HOST, PKT_OUTGOING, 1, PKT_OUTGOING];
    writePcapFile(v1, types.map((t, i) => ({ ...ts(i), data: sllFrame(t, 0x0800, udp4(i)) })), { linkType: 113 });
    writePcapFile(v2, types.map((t, i) => ({ ...ts(i), data: sll2Frame(t, 3 + i, 0x0800, udp4(i)) })), { linkType: 276 });
    const want = types.map((t) => (t === PKT_OUTGOING ? PacketDirection.Tx : PacketDirection.Rx));
    const r1 = Ring.open({ file: v1 });
    expect((await readAll(r1)).map((r) => r.direction)).toEqual(want);
    r1.close();
    const r2 = Ring.open({ file: v2 });
    const rows2 = await readAll(r2);
    r2.close();
    expect(rows2.map((r) => r.direction)).toEqual(want);
    expect(rows2.map((r) => r.ifindex)).toEqual([3, 4, 5, 6]);
  });

  it('reports direction unknown and ifindex 0 for files that record neither', async () => {
    const file = path.join(dir, 'nodir.pcap');
    writePcapFile(file, [{ ...ts(0), data: buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } }) }]);
    const ring = Ring.open({ file });
    const [row] = await readAll(ring);
    ring.close();
    expect(row!.direction).toBe(PacketDirection.Unknown);
    expect(row!.ifindex).toBe(0);
  });
});

describe('formats and timestamps', () => {
  const frames = Array.from({ length: 4 }, (_, i) => buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: i, dport: 9 } }));
  const stamps = [
    { tsSec: 1_700_000_000, tsNsec: 1 },
    { tsSec: 1_700_000_000, tsNsec: 999_999_999 },
    { tsSec: 4_000_000_000, tsNsec: 123_456_789 },
    { tsSec: 0, tsNsec: 0 },
  ];

  it('nanosecond pcap: timestamps exact to the nanosecond', async () => {
    const file = path.join(dir, 'ns.pcap');
    writePcapFile(file, frames.map((data, i) => ({ ...stamps[i]!, data })), { nanosecond: true });
    const ring = Ring.open({ file });
    expect((await readAll(ring)).map((r) => [r.tsSec, r.tsNsec])).toEqual(stamps.map((s) => [s.tsSec, s.tsNsec]));
    ring.close();
  });

  it('microsecond pcap: timestamps scaled to nanoseconds', async () => {
    const file = path.join(dir, 'us.pcap');
    writePcapFile(file, frames.map((data, i) => ({ ...stamps[i]!, data })), { nanosecond: false });
    const ring = Ring.open({ file });
    expect((await readAll(ring)).map((r) => [r.tsSec, r.tsNsec])).toEqual(stamps.map((s) => [s.tsSec, Math.floor(s.tsNsec / 1000) * 1000]));
    ring.close();
  });

  it('pcapng with if_tsresol 9 and 6', async () => {
    for (const tsresol of [9, 6] as const) {
      const file = path.join(dir, `t${tsresol}.pcapng`);
      writePcapng(file, frames.map((data, i) => ({ ...stamps[i]!, data, len: data.length + 10 })), { tsresol });
      const ring = Ring.open({ file });
      const rows = await readAll(ring);
      ring.close();
      expect(rows.map((r) => [r.tsSec, r.tsNsec])).toEqual(
        stamps.map((s) => [s.tsSec, tsresol === 9 ? s.tsNsec : Math.floor(s.tsNsec / 1000) * 1000]),
      );
      expect(rows.map((r) => r.bytes)).toEqual(frames.map((f) => Array.from(f)));
      expect(rows.map((r) => r.len)).toEqual(frames.map((f) => f.length + 10));
    }
  });

  it('snaplen cuts caplen, never len', async () => {
    const file = path.join(dir, 'snap.pcap');
    const big = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 }, payload: new Uint8Array(1000) });
    writePcapFile(file, [{ ...ts(0), data: big }]);
    const ring = Ring.open({ file, snaplen: 60 });
    const [row] = await readAll(ring);
    ring.close();
    expect(row!.caplen).toBe(60);
    expect(row!.len).toBe(big.length);
    expect(row!.bytes).toEqual(Array.from(big.subarray(0, 60)));
  });

  it('an empty file is a clean end', async () => {
    const file = path.join(dir, 'empty.pcap');
    writePcapFile(file, []);
    const ring = Ring.open({ file });
    expect(await ring.nextBatch()).toBeNull();
    expect(ring.readBatch()).toBe(NextResult.End);
    expect(ring.readPacketData()).toBe(NextResult.End);
    ring.close();
  });

  it('libpcap path: packets larger than what is left of its copy buffer carry over intact', async () => {
    const file = path.join(dir, 'large.pcap');
    // 40 x 200 KB records: more than one 4 MiB batch buffer holds.
    const frames = Array.from({ length: 40 }, (_, i) => {
      const f = new Uint8Array(200_000);
      f.fill(i);
      return f;
    });
    writePcapFile(file, frames.map((data, i) => ({ ...ts(i), data })));
    // The libpcap path copies into its arena (the mapped walk has none: pcap-map.test.ts).
    process.env.PFWORK_PCAP_NO_MAP = '1';
    let ring: Ring;
    try {
      ring = Ring.open({ file });
    } finally {
      delete process.env.PFWORK_PCAP_NO_MAP;
    }
    let n = 0;
    let batches = 0;
    for await (const b of ring) {
      batches++;
      for (let i = 0; i < b.count; i++, n++) {
        expect(b.caplen[i]).toBe(200_000);
        const p = b.data.subarray(b.dataOff[i]!, b.dataOff[i]! + 200_000);
        expect(p[0]).toBe(n);
        expect(p[199_999]).toBe(n);
      }
    }
    ring.close();
    expect(n).toBe(40);
    expect(batches).toBeGreaterThan(1);
  });
});

describe('damage and refusal', () => {
  function writeFrames(file: string, n: number) {
    writePcapFile(file, Array.from({ length: n }, (_, i) => ({ ...ts(i), data: buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: i, dport: 9 } }) })));
  }

  it('a file cut short mid-packet delivers every whole packet, then names the file and the packet', async () => {
    const file = path.join(dir, 'cut.pcap');
    writeFrames(file, 5); // 24 + 5 * (16 + 42) bytes
    truncateSync(file, 24 + 4 * 58 + 16 + 10);
    const ring = Ring.open({ file });
    const rows: Row[] = [];
    let err: PfwError | undefined;
    try {
      for await (const b of ring) rows.push(...rowsOf(b));
    } catch (e) {
      err = e as PfwError;
    }
    expect(rows.map((r) => r.sport)).toEqual([0, 1, 2, 3]);
    expect(err?.code).toBe('PFW_CAPTURE_DAMAGED');
    expect(err?.message).toBe(
      `capture file "${file}" is damaged at packet 5: truncated dump file; tried to read 42 captured bytes, only got 10 (4 packets before it were read)`,
    );
    // The error is reported once; then the input has ended.
    expect(ring.readBatch()).toBe(NextResult.End);
    ring.close();
  });

  it('a record with an impossible length: the packets before it, then the error', async () => {
    const file = path.join(dir, 'bogus.pcap');
    writeFrames(file, 3);
    const buf = readFileSync(file);
    buf.writeUInt32LE(0x00420000, 24 + 2 * 58 + 8); // third record's caplen
    writeFileSync(file, buf);
    const ring = Ring.open({ file });
    expect(typeof ring.readPacketData()).toBe('object');
    expect(typeof ring.readPacketData()).toBe('object');
    expect(() => ring.readPacketData()).toThrow(
      `capture file "${file}" is damaged at packet 3: invalid packet capture length 4325376, bigger than snaplen of 262144 (2 packets before it were read)`,
    );
    ring.close();
  });

  it('an unsupported link type is refused by name', () => {
    const file = path.join(dir, 'edsa-like.pcap');
    writePcapFile(file, [{ ...ts(0), data: new Uint8Array(60) }], { linkType: 285 });
    expect(() => Ring.open({ file })).toThrow(expect.objectContaining({
      code: 'PFW_UNSUPPORTED_LINKTYPE',
      message: `capture file "${file}" has link type DSA_TAG_EDSA (285), which pfwork cannot decode; supported link types: ` +
        'EN10MB (1), LINUX_SLL (113), LINUX_SLL2 (276), RAW (12, 14, 101), IPV4 (228), IPV6 (229), NULL (0), LOOP (108), PPI (192) around any of these',
    }));
  });

  it('a missing file, a directory, and a file that is not a capture', () => {
    const missing = path.join(dir, 'nope.pcap');
    expect(() => Ring.open({ file: missing })).toThrow(expect.objectContaining({
      code: 'PFW_NO_SUCH_FILE', message: `capture file "${missing}" does not exist`,
    }));
    const sub = path.join(dir, 'a-directory');
    mkdirSync(sub);
    expect(() => Ring.open({ file: sub })).toThrow(expect.objectContaining({
      code: 'PFW_BAD_CAPTURE_FILE', message: `capture file "${sub}" is a directory, not a pcap or pcapng file`,
    }));
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a capture file at all\n');
    expect(() => Ring.open({ file: text })).toThrow(expect.objectContaining({
      code: 'PFW_BAD_CAPTURE_FILE',
      message: `capture file "${text}" is not a pcap or pcapng file that libpcap can read: unknown file format`,
    }));
  });

  it('relative paths resolve from the working directory', async () => {
    const rel = path.relative(process.cwd(), path.join(dir, 'ns.pcap'));
    const ring = Ring.open({ file: rel });
    expect(ring.options.device).toBe(path.resolve(rel));
    ring.close();
  });
});

const rows = sharedPcaps();

/** capinfos' "First/Last packet time" (UTC) as [sec, nsec]. */
function capinfosTime(text: string, label: string): [number, number] | null {
  const m = new RegExp(`${label}:\\s+(\\d{4})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d+)`).exec(text);
  if (!m) return null;
  const sec = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
  // capinfos prints a damaged fraction of a second or more as it is
  // (fuzz-2021-10-13.pcap: .1882137472); the Ring carries it into the seconds.
  const frac = parseInt(m[7]!.padEnd(9, '0'), 10);
  return [sec + Math.floor(frac / 1e9), frac % 1e9];
}

describe.skipIf(rows === null)('the shared captures', () => {
  const LINK_NAMES: Record<string, string> = {
    Ethernet: 'EN10MB',
    'Raw IP': 'RAW',
    'NULL/Loopback': 'NULL',
    'Linux cooked-mode capture v1': 'LINUX_SLL',
    'Per-Packet Information header': 'EN10MB',
    'LINKTYPE 1 (from file header)': 'EN10MB',
  };
  for (const row of rows ?? []) {
    if (row.unsupported) {
      it(`${row.localPath}: refused, its link type named`, () => {
        expect(() => Ring.open({ file: row.file })).toThrow(expect.objectContaining({
          code: 'PFW_UNSUPPORTED_LINKTYPE',
          message: expect.stringContaining(`capture file "${row.file}" has link type DSA_TAG_EDSA (285), which pfwork cannot decode`),
        }));
      });
      continue;
    }
    it(`${row.localPath}: ${row.packets} packets${row.damaged ? ', then the damage' : ''}, timestamps exact`, async () => {
      const ring = Ring.open({ file: row.file });
      expect(ring.linkTypeName).toBe(LINK_NAMES[row.linkType]);
      const got: Row[] = [];
      let err: PfwError | undefined;
      try {
        for await (const b of ring) got.push(...rowsOf(b));
      } catch (e) {
        err = e as PfwError;
      }
      ring.close();
      expect(got.length).toBe(row.packets);
      if (row.damaged) {
        expect(err?.code).toBe('PFW_CAPTURE_DAMAGED');
        expect(err?.message).toContain(`capture file "${row.file}" is damaged at packet ${row.packets + 1}: `);
      } else {
        expect(err).toBeUndefined();
      }
      const cap = `${row.file}.capinfos.txt`;
      if (existsSync(cap)) {
        const text = readFileSync(cap, 'utf8');
        const first = capinfosTime(text, 'First packet time');
        const last = capinfosTime(text, 'Last packet time');
        const key = (r: Row) => r.tsSec * 1e9 + r.tsNsec; // comparison only (float)
        const sorted = [...got].sort((a, b) => key(a) - key(b));
        if (first) expect([sorted[0]!.tsSec, sorted[0]!.tsNsec]).toEqual(first);
        if (last) expect([sorted.at(-1)!.tsSec, sorted.at(-1)!.tsNsec]).toEqual(last);
      }
      // Every packet's bytes are within caplen <= len, and IP was located where tshark saw flows.
      expect(got.every((r) => r.bytes.length === r.caplen && r.caplen <= r.len)).toBe(true);
      const flows = `${row.file}.tshark-flows.tsv`;
      const ipFlows = existsSync(flows)
        ? readFileSync(flows, 'utf8').split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('proto\t') && !l.startsWith('non-ip'))
        : [];
      if (ipFlows.length > 0) {
        expect(got.some((r) => r.l3Off !== 0xffff)).toBe(true);
      }
    });
  }
});

if (rows === null) {
  describe('the shared captures', () => {
    it.skip(SHARED_PCAPS_SKIP, () => {});
  });
}
