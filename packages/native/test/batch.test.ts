/**
 * The batch descriptor table and the validity of its views (src/batch.ts,
 * cpp/batch.cc, cpp/ring_wrap.cc): columns made once per ring, `data`
 * detached on release / next read / close, stale reads give undefined and
 * never crash.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetaFlag, NO_OFFSET, Ring, RingBatch, type Batch } from '../src/index.js';
import { buildFrame, writePcapFile } from './support/capture-files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frames = [
  buildFrame({ vlan: [42], ip: { src: '10.1.2.3', dst: '10.4.5.6', ttl: 9 }, l4: { kind: 'tcp', sport: 1234, dport: 80, flags: 'SA' }, payload: new Uint8Array(5) }),
  buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2' }, l4: { kind: 'udp', sport: 53, dport: 5353 }, payload: new Uint8Array(3) }),
  buildFrame({ ip: { src: '192.0.2.1', dst: '192.0.2.2' }, l4: { kind: 'icmp', type: 8, code: 0 } }),
  buildFrame({ etherType: 0x0806 }),
];
const file = path.join(dir, 'cols.pcap');
writePcapFile(file, [...frames, ...frames, ...frames].map((data, i) => ({ tsSec: 1000 + i, tsNsec: 5, data, len: data.length + 1 })));

describe('descriptor columns', () => {
  it('describe each packet', async () => {
    const ring = Ring.open({ file, maxBatch: 4 });
    const b = (await ring.nextBatch())!;
    expect(b).toBeInstanceOf(RingBatch);
    expect(b.count).toBe(4);
    expect(b.bytes).toBe(frames.reduce((n, f) => n + f.length + 1, 0));
    // TCP over one VLAN tag
    expect([b.l3Off[0], b.l4Off[0], b.payloadOff[0]]).toEqual([18, 38, 58]);
    expect([b.ipVersion[0], b.proto[0], b.sport[0], b.dport[0], b.vlan[0], b.tcpFlags[0], b.ipLen[0]]).toEqual([4, 6, 1234, 80, 42, 0x12, 45]);
    expect([b.src4[0], b.dst4[0]]).toEqual([0x0a010203, 0x0a040506]);
    expect(b.flags[0]! & (MetaFlag.IPv4 | MetaFlag.HasPorts)).toBe(MetaFlag.IPv4 | MetaFlag.HasPorts);
    // UDP over IPv6: no IPv4 addresses
    expect([b.l3Off[1], b.l4Off[1], b.ipVersion[1], b.proto[1], b.sport[1], b.dport[1], b.src4[1], b.ipLen[1]]).toEqual([14, 54, 6, 17, 53, 5353, 0, 51]);
    // ICMP: type/code in the port columns, flagged
    expect([b.proto[2], b.sport[2], b.dport[2]]).toEqual([1, 8, 0]);
    expect(b.flags[2]! & MetaFlag.Icmp).toBe(MetaFlag.Icmp);
    // ARP: not IP
    expect([b.l3Off[3], b.ipVersion[3], b.proto[3], b.hash[3]]).toEqual([NO_OFFSET, 0, 0, 0]);
    for (let i = 0; i < 4; i++) {
      expect(Array.from(b.packet(i))).toEqual(Array.from(frames[i]!));
      expect(b.caplen[i]).toBe(frames[i]!.length);
      expect(b.len[i]).toBe(frames[i]!.length + 1);
      expect([b.tsSec[i], b.tsNsec[i]]).toEqual([1000 + i, 5]);
    }
    ring.close();
  });

  it('are made once per ring: every batch shares them, only count, bytes and data change', async () => {
    const ring = Ring.open({ file, maxBatch: 4 });
    const a = (await ring.nextBatch())!;
    const cols = [a.tsSec, a.caplen, a.hash, a.proto];
    const aData = a.data;
    const b = (await ring.nextBatch())!;
    expect([b.tsSec, b.caplen, b.hash, b.proto]).toEqual(cols);
    expect(b.tsSec).toBe(a.tsSec);
    expect(b.data === aData).toBe(false);
    expect(a.tsSec[0]).toBe(1004); // overwritten by the second batch: copy what you keep
    ring.close();
  });
});

describe('stale views', () => {
  function touch(b: Batch) {
    // every way a handler might touch a stale batch
    return {
      byteLength: b.data.byteLength,
      first: b.data[0],
      last: b.data[b.data.length - 1],
      packet: (b as RingBatch).packet(0).length,
    };
  }

  it('the previous batch\'s data reads undefined after the next read', async () => {
    const ring = Ring.open({ file, maxBatch: 2 });
    const a = (await ring.nextBatch())!;
    const view = a.data.subarray(0, 10);
    expect(a.data[0]).toBe(frames[0]![0]);
    await ring.nextBatch();
    expect(touch(a)).toEqual({ byteLength: 0, first: undefined, last: undefined, packet: 0 });
    expect(view[0]).toBeUndefined();
    expect(view.byteLength).toBe(0);
    ring.close();
  });

  it('release() detaches the batch\'s data', async () => {
    const ring = Ring.open({ file });
    const a = (await ring.nextBatch())!;
    ring.release();
    expect(touch(a)).toEqual({ byteLength: 0, first: undefined, last: undefined, packet: 0 });
    ring.release(); // twice is fine
    ring.close();
  });

  it('close() detaches the data and the columns', async () => {
    const ring = Ring.open({ file });
    const a = (await ring.nextBatch())!;
    const { tsSec, hash, l3Off } = a;
    ring.close();
    expect(touch(a)).toEqual({ byteLength: 0, first: undefined, last: undefined, packet: 0 });
    expect([tsSec.length, tsSec[0], hash[0], l3Off[0]]).toEqual([0, undefined, undefined, undefined]);
  });

  it('readPacketData() returns copies that outlive the ring', () => {
    const ring = Ring.open({ file });
    const p = ring.readPacketData();
    ring.close();
    if (typeof p === 'number') throw new Error(`unexpected ${p}`);
    expect(Array.from(p.data)).toEqual(Array.from(frames[0]!));
  });

  it('a ring dropped without close() detaches its views when collected, and the process lives on', () => {
    // A child process with --expose-gc: the ring becomes unreachable while a
    // view into its memory is kept; after collection the view reads undefined.
    const script = path.join(dir, 'gc-child.mts');
    writeFileSync(script, [
      `import { Ring } from ${JSON.stringify(path.resolve(import.meta.dirname, '../src/index.ts'))};`,
      `let data;`,
      `await (async () => { const ring = Ring.open({ file: ${JSON.stringify(file)} }); data = (await ring.nextBatch()).data; })();`,
      `const before = data[0];`,
      `for (let i = 0; i < 10 && data.byteLength > 0; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }`,
      `console.log(JSON.stringify({ before, after: data[0], byteLength: data.byteLength }));`,
    ].join('\n'));
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '..') });
    expect(JSON.parse(out)).toEqual({ before: frames[0]![0], byteLength: 0 });
  });
});
