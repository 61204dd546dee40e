/**
 * The capture-file backend's fast path (cpp/pcap_map.cc): classic pcap files
 * are walked in place through a private mapping, and libpcap takes over at the
 * first record the walk does not take. Whatever the path, a file must read
 * exactly as libpcap alone reads it (PFWORK_PCAP_NO_MAP=1): the same packets,
 * timestamps, lengths and bytes, the same damage message at the same packet.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPcaps, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { Ring, type PfwError } from '../src/index.js';
import { buildFrame, writePcapFile } from './support/capture-files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-pcap-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reading {
  /** One line per packet: seconds, nanoseconds, caplen, len, sha1 of the bytes. */
  packets: string[];
  batches: number;
  error?: string;
}

/** Reads a whole file, through the mapped walk (the default) or libpcap alone. */
async function read(file: string, path_: 'mapped' | 'libpcap', opts: { snaplen?: number } = {}): Promise<Reading> {
  const saved = process.env.PFWORK_PCAP_NO_MAP;
  if (path_ === 'libpcap') process.env.PFWORK_PCAP_NO_MAP = '1';
  else delete process.env.PFWORK_PCAP_NO_MAP;
  let ring: Ring;
  try {
    ring = Ring.open({ file, ...opts });
  } finally {
    if (saved === undefined) delete process.env.PFWORK_PCAP_NO_MAP;
    else process.env.PFWORK_PCAP_NO_MAP = saved;
  }
  const out: Reading = { packets: [], batches: 0 };
  try {
    for await (const b of ring) {
      out.batches++;
      for (let i = 0; i < b.count; i++) {
        const bytes = b.data.subarray(b.dataOff[i]!, b.dataOff[i]! + b.caplen[i]!);
        const digest = createHash('sha1').update(bytes).digest('hex');
        out.packets.push(`${b.tsSec[i]} ${b.tsNsec[i]} ${b.caplen[i]} ${b.len[i]} ${digest}`);
      }
    }
  } catch (e) {
    out.error = `${(e as PfwError).code}: ${(e as PfwError).message}`;
  }
  ring.close();
  return out;
}

async function expectSame(file: string, opts: { snaplen?: number } = {}): Promise<Reading> {
  const mapped = await read(file, 'mapped', opts);
  const libpcap = await read(file, 'libpcap', opts);
  expect(mapped.packets.length).toBe(libpcap.packets.length);
  expect(mapped.packets).toEqual(libpcap.packets);
  expect(mapped.error).toBe(libpcap.error);
  return mapped;
}

const frame = (i: number, size = 0) =>
  buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: i, dport: 9 }, payload: new Uint8Array(size).fill(i & 0xff) });
const ts = (i: number) => ({ tsSec: 1_600_000_000 + i, tsNsec: 123_456_789 + i });

function writeFrames(file: string, n: number, opts: { nanosecond?: boolean; snaplen?: number; size?: (i: number) => number } = {}) {
  writePcapFile(
    file,
    Array.from({ length: n }, (_, i) => ({ ...ts(i), data: frame(i, opts.size?.(i) ?? 0) })),
    { nanosecond: opts.nanosecond, snaplen: opts.snaplen },
  );
}

/** The same file written big-endian (a capture made on a big-endian host). */
function toBigEndian(src: string, dst: string) {
  const b = Buffer.from(readFileSync(src));
  const swap32 = (o: number) => b.writeUInt32BE(b.readUInt32LE(o), o);
  const swap16 = (o: number) => b.writeUInt16BE(b.readUInt16LE(o), o);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  for (let off = 24; off + 16 <= b.length; ) {
    const caplen = b.readUInt32LE(off + 8);
    for (const o of [0, 4, 8, 12]) swap32(off + o);
    off += 16 + caplen;
  }
  writeFileSync(dst, b);
}

describe('the mapped walk reads as libpcap does', () => {
  it('nanosecond and microsecond files, little- and big-endian', async () => {
    for (const nanosecond of [true, false]) {
      const le = path.join(dir, `le-${nanosecond}.pcap`);
      const be = path.join(dir, `be-${nanosecond}.pcap`);
      writeFrames(le, 1000, { nanosecond, size: (i) => (i * 7) % 1400 });
      toBigEndian(le, be);
      const a = await expectSame(le);
      const b = await expectSame(be);
      expect(a.packets.length).toBe(1000);
      expect(b.packets).toEqual(a.packets);
      expect(a.packets[1]).toMatch(nanosecond ? /^1600000001 123456790 / : /^1600000001 123456000 /);
    }
  });

  it('a damaged fraction of a second carries into the seconds the same way', async () => {
    for (const nanosecond of [true, false]) {
      const file = path.join(dir, `frac-${nanosecond}.pcap`);
      writeFrames(file, 3, { nanosecond });
      const buf = readFileSync(file);
      buf.writeUInt32LE(0xf0000000, 24 + 58 + 4); // the second record's fraction: far past one second
      writeFileSync(file, buf);
      const r = await expectSame(file);
      expect(r.packets.length).toBe(3);
    }
  });

  it('a file cut inside a record: every whole packet, then libpcap names the damage', async () => {
    const file = path.join(dir, 'cut.pcap');
    writeFrames(file, 600);
    truncateSync(file, 24 + 599 * 58 + 20); // the 600th record's header and 4 of its 42 bytes
    const r = await expectSame(file);
    expect(r.packets.length).toBe(599);
    expect(r.error).toBe(
      `PFW_CAPTURE_DAMAGED: capture file "${file}" is damaged at packet 600: truncated dump file; tried to read 42 captured bytes, only got 4 (599 packets before it were read)`,
    );
  });

  it('a file cut inside a record header', async () => {
    const file = path.join(dir, 'cut-header.pcap');
    writeFrames(file, 10);
    truncateSync(file, 24 + 9 * 58 + 7);
    const r = await expectSame(file);
    expect(r.packets.length).toBe(9);
    expect(r.error).toMatch(/^PFW_CAPTURE_DAMAGED: .* is damaged at packet 10: truncated dump file; tried to read 16 header bytes, only got 7 /);
  });

  it('an impossible caplen in the middle of the file', async () => {
    const file = path.join(dir, 'bogus.pcap');
    writeFrames(file, 300);
    const buf = readFileSync(file);
    buf.writeUInt32LE(0x00420000, 24 + 299 * 58 + 8);
    writeFileSync(file, buf);
    const r = await expectSame(file);
    expect(r.packets.length).toBe(299);
    expect(r.error).toContain('is damaged at packet 300: invalid packet capture length 4325376, bigger than snaplen of 262144');
  });

  it('records longer than the file header\'s snaplen: libpcap cuts them, and reads on', async () => {
    const file = path.join(dir, 'short-snaplen.pcap');
    writeFrames(file, 50, { snaplen: 100, size: (i) => (i % 2 ? 200 : 10) });
    const r = await expectSame(file);
    expect(r.packets.length).toBe(50);
    expect(r.error).toBeUndefined();
    expect(r.packets[1]!.split(' ')[2]).toBe('100'); // cut to the file's snaplen
    expect(r.packets[2]!.split(' ')[2]).toBe('52'); // 42 + 10, whole
  });

  it('the ring\'s snaplen cuts caplen, never len', async () => {
    const file = path.join(dir, 'ring-snaplen.pcap');
    writeFrames(file, 20, { size: () => 300 });
    const r = await expectSame(file, { snaplen: 64 });
    expect(r.packets.every((p) => p.split(' ')[2] === '64' && p.split(' ')[3] === '342')).toBe(true);
  });

  it('every cut of a small file reads as libpcap reads it', async () => {
    const whole = path.join(dir, 'whole.pcap');
    writeFrames(whole, 6, { size: (i) => i * 3 });
    const bytes = readFileSync(whole);
    const cut = path.join(dir, 'every-cut.pcap');
    for (let n = 24; n <= bytes.length; n++) {
      writeFileSync(cut, bytes.subarray(0, n));
      await expectSame(cut);
    }
  });

  it('an empty capture (the file header only) is a clean end', async () => {
    const file = path.join(dir, 'empty.pcap');
    writePcapFile(file, []);
    const r = await expectSame(file);
    expect(r.packets).toEqual([]);
    expect(r.error).toBeUndefined();
  });

  it('packets appended after the ring opened are read on (libpcap continues after the mapping)', async () => {
    const file = path.join(dir, 'growing.pcap');
    writeFrames(file, 10);
    const extra = path.join(dir, 'extra.pcap');
    writeFrames(extra, 15);
    const ring = Ring.open({ file });
    appendFileSync(file, readFileSync(extra).subarray(24 + 10 * 58)); // records 11..15
    let n = 0;
    for await (const b of ring) n += b.count;
    ring.close();
    expect(n).toBe(15);
  });

  it('a file truncated while the ring reads it: no crash, every whole packet, then libpcap names the cut', async () => {
    const file = path.join(dir, 'shrinking.pcap');
    const n = 20_000; // 1,558 bytes a record: ~31 MB, several bulk-mapped windows of 8 MiB
    writeFrames(file, n, { size: () => 1500 });
    const cutAt = 24 + 10_000 * 1558 + 700; // inside record 10,001, past the first window
    const ring = Ring.open({ file, maxBatch: 256 });
    let got = (await ring.nextBatch())!.count;
    truncateSync(file, cutAt);
    let error: string | undefined;
    try {
      for (;;) {
        const b = await ring.nextBatch();
        if (b === null) break;
        got += b.count;
      }
    } catch (e) {
      error = (e as PfwError).message;
    }
    ring.close();
    expect(got).toBe(10_000);
    expect(error).toBe(
      `capture file "${file}" is damaged at packet 10001: truncated dump file; tried to read 1542 captured bytes, only got 684 (10000 packets before it were read)`,
    );
  });

  it('a batch is not limited by a copy buffer: large records come whole, in place', async () => {
    const file = path.join(dir, 'large.pcap');
    const frames = Array.from({ length: 40 }, (_, i) => new Uint8Array(200_000).fill(i));
    writePcapFile(file, frames.map((data, i) => ({ ...ts(i), data })));
    const r = await expectSame(file);
    expect(r.packets.length).toBe(40);
    expect(r.batches).toBe(1); // the libpcap path needs several (its 4 MiB arena)
  });

  it('writing into a packet\'s bytes never changes the file (the mapping is private)', async () => {
    const file = path.join(dir, 'private.pcap');
    writeFrames(file, 5);
    const before = readFileSync(file);
    const ring = Ring.open({ file });
    for await (const b of ring) b.data.fill(0xee);
    ring.close();
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

const shared = sharedPcaps();

describe.skipIf(shared === null)('every shared capture reads the same through both paths', () => {
  for (const row of shared ?? []) {
    if (row.unsupported) continue;
    it(`${row.localPath}`, async () => {
      const r = await expectSame(row.file);
      expect(r.packets.length).toBe(row.packets);
    });
  }
});

if (shared === null) {
  describe('every shared capture reads the same through both paths', () => {
    it.skip(SHARED_PCAPS_SKIP, () => {});
  });
}
