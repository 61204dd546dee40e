/**
 * The Ring API (src/ring.ts) over capture files: reading, enable/disable,
 * BPF, sampling, direction, socket mode, clusters (N file rings partition a
 * file exactly), single-packet reads, stats, close. Invalid arguments last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVethPair, isRoot, NEEDS_ROOT } from '../../../test/support/netns.js';
import { sharedPcaps } from '../../../test/support/pcaps.js';
import { CLUSTER_TYPE_NAMES, clusterHash, NextResult, Ring, type Batch, type ClusterTypeName } from '../src/index.js';
import { buildFrame, mixedTraffic, PKT_HOST, PKT_OUTGOING, sllFrame, buildIpPacket, writePcapFile, type MixedPacket } from './support/capture-files.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-ring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const traffic = mixedTraffic(600);
const mixed = path.join(dir, 'mixed.pcap');
writePcapFile(mixed, traffic.map((p, i) => ({ tsSec: 1_700_000_000 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1000, data: p.data })));

/** Packet numbers (positions in the file) of what a ring delivers, via the timestamps the fixture gave them. */
async function numbers(ring: Ring): Promise<number[]> {
  const out: number[] = [];
  for await (const b of ring) {
    for (let i = 0; i < b.count; i++) out.push((b.tsSec[i]! - 1_700_000_000) * 1000 + b.tsNsec[i]! / 1000);
  }
  return out;
}

function simple(n: number) {
  return Array.from({ length: n }, (_, i) => buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: i, dport: 7 } }));
}

describe('reading', () => {
  it('reads every packet of the file in order, in batches of at most maxBatch', async () => {
    const ring = Ring.open({ file: mixed, maxBatch: 100 });
    let max = 0;
    const got: number[] = [];
    for await (const b of ring) {
      max = Math.max(max, b.count);
      for (let i = 0; i < b.count; i++) got.push((b.tsSec[i]! - 1_700_000_000) * 1000 + b.tsNsec[i]! / 1000);
    }
    expect(max).toBe(100);
    expect(got).toEqual(traffic.map((_, i) => i));
    ring.close();
  });

  it('readBatch() does not wait and ends with NextResult.End', () => {
    const file = path.join(dir, 'five.pcap');
    writePcapFile(file, simple(5).map((data, i) => ({ tsSec: i, tsNsec: 0, data })));
    const ring = Ring.open({ file, maxBatch: 2 });
    const counts: number[] = [];
    for (;;) {
      const r = ring.readBatch();
      if (typeof r === 'number') {
        expect(r).toBe(NextResult.End);
        break;
      }
      counts.push(r.count);
    }
    expect(counts).toEqual([2, 2, 1]);
    ring.close();
  });

  it('readPacketData() copies one packet with its capture info; readPacketDataTo() fills a buffer', () => {
    const file = path.join(dir, 'three.pcap');
    const frames = simple(3);
    writePcapFile(file, frames.map((data, i) => ({ tsSec: 100 + i, tsNsec: 7 + i, data, len: data.length + 4 })));
    const ring = Ring.open({ file });
    const p = ring.readPacketData();
    if (typeof p === 'number') throw new Error(`unexpected ${p}`);
    expect(p).toEqual({ data: frames[0], tsSec: 100, tsNsec: 7, caplen: frames[0]!.length, len: frames[0]!.length + 4, ifindex: 0 });
    expect(p.data.buffer.byteLength).toBe(frames[0]!.length); // a copy, not a view into the ring
    const small = new Uint8Array(10);
    const info = ring.readPacketDataTo(small);
    expect(info).toEqual({ tsSec: 101, tsNsec: 8, caplen: frames[1]!.length, len: frames[1]!.length + 4, ifindex: 0 });
    expect(Array.from(small)).toEqual(Array.from(frames[1]!.subarray(0, 10)));
    const big = new Uint8Array(100);
    ring.readPacketDataTo(big);
    expect(Array.from(big.subarray(0, frames[2]!.length))).toEqual(Array.from(frames[2]!));
    expect(ring.readPacketData()).toBe(NextResult.End);
    expect(ring.readPacketDataTo(big)).toBe(NextResult.End);
    ring.close();
  });

  it('stats() keeps running totals and survives close()', async () => {
    const ring = Ring.open({ file: mixed, bpf: 'udp', samplingRate: 2 });
    await numbers(ring);
    const udp = traffic.filter((p) => p.tags === 0 && (p.kind === 'udp' || p.kind === 'frag')).length;
    const s = ring.stats();
    expect(s).toEqual({ received: udp, dropped: 0, delivered: Math.ceil(udp / 2) });
    ring.close();
    expect(ring.stats()).toEqual(s);
  });
});

describe('what has no effect is said', () => {
  it('hwTimestamp on a file: a PFW_OPTION_IGNORED warning; promiscuous: listed in ignoredOptions', async () => {
    const warnings: (Error & { code?: string })[] = [];
    const on = (w: Error) => warnings.push(w);
    process.on('warning', on);
    const ring = Ring.open({ file: mixed, hwTimestamp: true, promiscuous: true });
    await new Promise((r) => setImmediate(r));
    process.off('warning', on);
    expect(warnings.map((w) => [w.code, w.message])).toEqual([
      ['PFW_OPTION_IGNORED', 'hwTimestamp has no effect on a capture file: its timestamps are the ones the file recorded'],
    ]);
    expect(ring.ignoredOptions).toEqual(['promiscuous']);
    ring.close();
  });
});

describe('enable and disable', () => {
  it('a ring opened with enabled: false delivers nothing until enable()', async () => {
    const ring = Ring.open({ file: mixed, enabled: false });
    expect(ring.enabled).toBe(false);
    expect(ring.readBatch()).toBe(NextResult.NotEnabled);
    expect(ring.readPacketData()).toBe(NextResult.NotEnabled);
    await expect(ring.nextBatch()).rejects.toThrow(expect.objectContaining({
      code: 'PFW_RING_NOT_ENABLED', message: 'nextBatch(): the ring is not enabled; call ring.enable() first',
    }));
    ring.enable();
    expect(ring.enabled).toBe(true);
    expect((await numbers(ring)).length).toBe(traffic.length);
    ring.close();
  });

  it('disable() releases the current batch and pauses; enable() resumes where it stopped', async () => {
    const ring = Ring.open({ file: mixed, maxBatch: 50 });
    const b = (await ring.nextBatch())!;
    const data = b.data;
    ring.disable();
    expect(data.byteLength).toBe(0);
    expect(ring.readBatch()).toBe(NextResult.NotEnabled);
    ring.enable();
    const rest = await numbers(ring);
    expect(rest[0]).toBe(50);
    expect(rest.length).toBe(traffic.length - 50);
    ring.close();
  });
});

describe('BPF', () => {
  // libpcap's plain primitives look past no VLAN tag (tcpdump's semantics):
  // tagged frames match only expressions that say `vlan`.
  const cases: { expr: string; keep: (p: MixedPacket) => boolean }[] = [
    { expr: 'udp', keep: (p) => p.tags === 0 && (p.kind === 'udp' || p.kind === 'frag') },
    { expr: 'tcp port 443', keep: (p) => p.tags === 0 && p.kind === 'tcp' },
    { expr: 'arp', keep: (p) => p.kind === 'arp' },
    { expr: 'icmp or icmp6', keep: (p) => p.tags === 0 && p.kind === 'icmp' },
    { expr: 'ip and not (ip[6:2] & 0x3fff != 0)', keep: (p) => p.tags === 0 && !p.v6 && p.kind !== 'frag' && p.kind !== 'arp' },
    { expr: 'vlan and udp', keep: (p) => p.tags === 1 && p.kind === 'udp' },
    { expr: 'vlan and vlan and tcp', keep: (p) => p.tags === 2 && p.kind === 'tcp' },
  ];
  for (const c of cases) {
    it(`"${c.expr}" keeps exactly the matching packets`, async () => {
      const ring = Ring.open({ file: mixed });
      ring.setBPFFilter(c.expr);
      expect(ring.bpfFilter).toBe(c.expr);
      const got = await numbers(ring);
      ring.close();
      const want = traffic.flatMap((p, i) => (c.keep(p) ? [i] : []));
      expect(want.length).toBeGreaterThan(0);
      expect(got).toEqual(want);
    });
  }

  it('the bpf option filters from the first packet; removeBPFFilter() lets everything through again', async () => {
    const ring = Ring.open({ file: mixed, bpf: 'arp', maxBatch: 1 });
    const arps = traffic.flatMap((p, i) => (p.kind === 'arp' ? [i] : []));
    const first = (await ring.nextBatch())!;
    expect(first.count).toBe(1);
    expect(first.tsNsec[0]).toBe(arps[0]! * 1000);
    ring.removeBPFFilter();
    expect(ring.bpfFilter).toBeNull();
    const rest = await numbers(ring);
    expect(rest).toEqual(traffic.map((_, i) => i).filter((i) => i > arps[0]!));
    ring.close();
  });

  it('applies to Linux cooked captures with their own link type', async () => {
    const file = path.join(dir, 'sll-bpf.pcap');
    const l3 = (i: number) => buildIpPacket({ src: '10.0.0.1', dst: '10.0.0.2' }, i % 2 ? { kind: 'udp', sport: i, dport: 53 } : { kind: 'tcp', sport: i, dport: 80 });
    writePcapFile(file, Array.from({ length: 10 }, (_, i) => ({ tsSec: 1_700_000_000, tsNsec: i * 1000, data: sllFrame(PKT_HOST, 0x0800, l3(i)) })), { linkType: 113 });
    const ring = Ring.open({ file, bpf: 'udp port 53' });
    expect(await numbers(ring)).toEqual([1, 3, 5, 7, 9]);
    ring.close();
  });

  it('an expression libpcap cannot compile is reported with its reason', () => {
    const ring = Ring.open({ file: mixed });
    expect(() => ring.setBPFFilter('tcp port http-ish')).toThrow(expect.objectContaining({
      code: 'PFW_BPF_INVALID', message: 'BPF filter "tcp port http-ish" does not compile for link type EN10MB: unknown port \'http-ish\'',
    }));
    expect(() => Ring.open({ file: mixed, bpf: 'host' })).toThrow(expect.objectContaining({
      code: 'PFW_BPF_INVALID', message: 'BPF filter "host" does not compile for link type EN10MB: can\'t parse filter expression: syntax error',
    }));
    ring.close();
  });
});

describe('sampling', () => {
  for (const rate of [1, 2, 3, 7]) {
    it(`keeps the first packet and then 1 of every ${rate}`, async () => {
      const ring = Ring.open({ file: mixed, samplingRate: rate });
      expect(ring.samplingRate).toBe(rate);
      const got = await numbers(ring);
      ring.close();
      expect(got).toEqual(traffic.map((_, i) => i).filter((i) => i % rate === 0));
    });
  }

  it('samples after the BPF filter', async () => {
    const ring = Ring.open({ file: mixed, bpf: 'tcp', samplingRate: 4 });
    const tcp = traffic.flatMap((p, i) => (p.kind === 'tcp' && p.tags === 0 ? [i] : []));
    expect(await numbers(ring)).toEqual(tcp.filter((_, k) => k % 4 === 0));
    ring.close();
  });
});

describe('direction and socket mode', () => {
  const file = path.join(dir, 'sll-dir.pcap');
  const types = [PKT_HOST, PKT_OUTGOING, PKT_OUTGOING, 3, PKT_HOST];
  writePcapFile(file, types.map((t, i) => ({ tsSec: 1_700_000_000, tsNsec: i * 1000, data: sllFrame(t, 0x0800, buildIpPacket({ src: '10.0.0.1', dst: '10.0.0.2' }, { kind: 'udp', sport: i, dport: 1 })) })), { linkType: 113 });

  it('filters Linux cooked captures on the direction they record', async () => {
    for (const [dirName, want] of [['rx', [0, 3, 4]], ['tx', [1, 2]], ['both', [0, 1, 2, 3, 4]]] as const) {
      const ring = Ring.open({ file, direction: dirName });
      expect(ring.direction).toBe(dirName);
      expect(await numbers(ring)).toEqual(want);
      ring.close();
    }
  });

  it('refuses rx/tx on a file that records no direction', () => {
    const ring = Ring.open({ file: mixed });
    ring.setDirection('both');
    expect(() => ring.setDirection('rx')).toThrow(expect.objectContaining({
      code: 'PFW_NOT_SUPPORTED',
      message: `setDirection('rx') cannot apply to capture file "${mixed}": its link type EN10MB (1) records no direction (only Linux cooked captures do); use 'both'`,
    }));
    ring.close();
  });

  it('a file ring reads only: writes and write modes are refused', () => {
    const ring = Ring.open({ file: mixed });
    expect(ring.socketMode).toBe('read');
    expect(() => ring.writePacketData(new Uint8Array(60))).toThrow(expect.objectContaining({
      code: 'PFW_WRONG_SOCKET_MODE', message: "writePacketData(): the ring's socket mode is 'read'; call setSocketMode('both') first",
    }));
    expect(() => ring.setSocketMode('both')).toThrow(expect.objectContaining({
      code: 'PFW_NOT_SUPPORTED', message: "a capture-file ring can only read: socket mode 'both' needs a live ring",
    }));
    ring.close();
  });
});

/** Packet number -> ring index, over N file rings of one cluster. */
async function partition(file: string, type: ClusterTypeName, n: number): Promise<{ owner: Map<number, number>; dup: number; total: number; byRing: number[][] }> {
  const owner = new Map<number, number>();
  let dup = 0;
  let total = 0;
  const byRing: number[][] = [];
  for (let k = 0; k < n; k++) {
    const ring = Ring.open({ file, cluster: { id: 7, type }, clusterSlot: { index: k, count: n } });
    const got = await numbers(ring);
    ring.close();
    byRing.push(got);
    for (const i of got) {
      total++;
      if (owner.has(i)) dup++;
      owner.set(i, k);
    }
  }
  return { owner, dup, total, byRing };
}

describe('software clusters over a file', () => {
  for (const type of CLUSTER_TYPE_NAMES) {
    for (const n of [2, 3, 4]) {
      it(`${type}, ${n} rings: every packet exactly once, on the ring the formula names`, async () => {
        const { owner, dup, total, byRing } = await partition(mixed, type, n);
        expect(dup).toBe(0);
        expect(total).toBe(traffic.length);
        if (type === 'round-robin') {
          traffic.forEach((_, i) => expect(owner.get(i)).toBe(i % n));
          const sizes = byRing.map((r) => r.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          return;
        }
        const flowRing = new Map<string, number>();
        const datagramRing = new Map<string, number>();
        traffic.forEach((p, i) => {
          const k = owner.get(i)!;
          if (p.kind === 'frag') {
            // every fragment where the datagram's first fragment went
            if (!datagramRing.has(p.datagram!)) datagramRing.set(p.datagram!, k);
            expect(k).toBe(datagramRing.get(p.datagram!));
            return;
          }
          expect(k).toBe(clusterHash(p.data, type) % n);
          if (p.flow) {
            // both directions of a flow on one ring
            if (!flowRing.has(p.flow)) flowRing.set(p.flow, k);
            expect(k).toBe(flowRing.get(p.flow));
          }
        });
      });
    }
  }

  it('the hash column is the cluster type\'s hash (per-flow-5-tuple without a cluster)', async () => {
    for (const type of [undefined, 'per-flow', 'per-flow-2-tuple', 'round-robin'] as const) {
      const ring = Ring.open(type ? { file: mixed, cluster: { id: 1, type } } : { file: mixed });
      const hashes: number[] = [];
      for await (const b of ring) for (let i = 0; i < b.count; i++) hashes.push(b.hash[i]!);
      ring.close();
      const colType = type === undefined || type === 'round-robin' ? 'per-flow-5-tuple' : type;
      traffic.forEach((p, i) => {
        if (p.kind !== 'frag') expect(hashes[i]).toBe(clusterHash(p.data, colType));
      });
    }
  });

  const shared = sharedPcaps()?.filter((r) => !r.unsupported) ?? [];
  it.skipIf(shared.length === 0)('every shared capture: 3 rings per type see every packet exactly once', async () => {
    for (const row of shared) {
      const fingerprint = (b: Batch, i: number) => `${b.tsSec[i]}.${b.tsNsec[i]}/${b.caplen[i]}/${b.hash[i]}/${Buffer.from(b.data.subarray(b.dataOff[i]!, b.dataOff[i]! + b.caplen[i]!)).toString('base64')}`;
      const all = async (opts: object) => {
        const ring = Ring.open({ file: row.file, ...opts });
        const out: string[] = [];
        try {
          for await (const b of ring) for (let i = 0; i < b.count; i++) out.push(fingerprint(b, i));
        } catch (e) {
          if ((e as { code?: string }).code !== 'PFW_CAPTURE_DAMAGED') throw e;
        }
        ring.close();
        return out;
      };
      for (const type of CLUSTER_TYPE_NAMES) {
        const whole = await all({ cluster: { id: 1, type } });
        const parts: string[] = [];
        for (let k = 0; k < 3; k++) parts.push(...(await all({ cluster: { id: 1, type }, clusterSlot: { index: k, count: 3 } })));
        expect(parts.sort(), `${row.localPath} ${type}`).toEqual(whole.sort());
      }
    }
  });

  it('setCluster() and removeFromCluster() on an open file ring', async () => {
    const ring = Ring.open({ file: mixed, cluster: { id: 1, type: 'round-robin' }, clusterSlot: { index: 1, count: 2 }, maxBatch: 10 });
    expect(ring.cluster).toEqual({ id: 1, type: 'round-robin' });
    // maxBatch counts the packets read from the file: 10 read, the odd ones kept
    const b = (await ring.nextBatch())!;
    expect(Array.from(b.tsNsec.subarray(0, b.count))).toEqual([1, 3, 5, 7, 9].map((i) => i * 1000));
    ring.removeFromCluster();
    expect(ring.cluster).toBeNull();
    const rest = await numbers(ring);
    expect(rest).toEqual(traffic.map((_, i) => i).filter((i) => i >= 10));
    ring.close();
  });
});

describe('close', () => {
  it('is idempotent; reading afterwards throws a clear error; a pending nextBatch() resolves null', async () => {
    const ring = Ring.open({ file: mixed });
    ring.close();
    ring.close();
    expect(ring.closed).toBe(true);
    expect(() => ring.readBatch()).toThrow(expect.objectContaining({
      code: 'PFW_RING_CLOSED', message: 'readBatch(): the ring is closed; open a new one with Ring.open()',
    }));
    await expect(ring.nextBatch()).rejects.toThrow('nextBatch(): the ring is closed; open a new one with Ring.open()');
    expect(() => ring.readPacketData()).toThrow('readPacketData(): the ring is closed; open a new one with Ring.open()');
    expect(() => ring.setBPFFilter('tcp')).toThrow('setBPFFilter(): the ring is closed; open a new one with Ring.open()');
    expect(() => ring.enable()).toThrow('enable(): the ring is closed; open a new one with Ring.open()');
    ring.release(); // nothing to do, no throw
  });

  it('a second nextBatch() while one is pending is refused', async () => {
    // matches nothing, one packet per fetch: the read spans turns of the event loop
    const ring = Ring.open({ file: mixed, bpf: 'arp and ether src 01:02:03:04:05:06', maxBatch: 1 });
    const first = ring.nextBatch();
    await expect(ring.nextBatch()).rejects.toThrow(expect.objectContaining({
      code: 'PFW_RING_BUSY', message: 'nextBatch(): another nextBatch() on this ring has not settled yet; await it first',
    }));
    expect(await first).toBeNull();
    ring.close();
  });

  it('close() while nextBatch() waits resolves it with null', async () => {
    const ring = Ring.open({ file: mixed, bpf: 'arp and ether src 01:02:03:04:05:06', maxBatch: 1 });
    const pending = ring.nextBatch();
    ring.close();
    expect(await pending).toBeNull();
  });
});

const pair = isRoot() ? createVethPair('rwait') : null;
afterAll(() => pair?.cleanup());

describe('waiting through the event loop (live, on a veth)', () => {
  if (!pair) {
    it.skip(NEEDS_ROOT, () => {});
    return;
  }
  const frame = buildFrame({ ip: { src: '10.9.0.1', dst: '10.9.0.2' }, l4: { kind: 'udp', sport: 7, dport: 7 } });
  const open = () => Ring.open({ device: pair!.captureIf, blockSize: 1 << 16, blockCount: 4, snaplen: 2048, retireTimeoutMs: 5 });

  it('nextBatch() waits without blocking the JS thread, and wakes when a packet comes', async () => {
    const reader = open();
    const writer = open();
    writer.setSocketMode('write');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const pending = reader.nextBatch();
    await new Promise((r) => setTimeout(r, 60));
    const ticksWhileWaiting = ticks;
    writer.writePacketData(frame);
    const b = (await pending)!;
    clearInterval(timer);
    expect(ticksWhileWaiting).toBeGreaterThan(3);
    expect(b.count).toBe(1);
    expect(Array.from(b.packet(0))).toEqual(Array.from(frame));
    reader.close();
    writer.close();
  });

  it('close() while nextBatch() waits resolves it with null', async () => {
    const ring = open();
    const pending = ring.nextBatch();
    setTimeout(() => ring.close(), 20);
    expect(await pending).toBeNull();
  });

  it('disable() while nextBatch() waits rejects it: the ring is not enabled', async () => {
    const ring = open();
    const pending = ring.nextBatch();
    setTimeout(() => ring.disable(), 20);
    await expect(pending).rejects.toThrow('nextBatch(): the ring is not enabled; call ring.enable() first');
    ring.close();
  });

  it('for await ends when the ring is closed from outside', async () => {
    const ring = open();
    setTimeout(() => ring.close(), 30);
    let n = 0;
    for await (const b of ring) n += b.count;
    expect(n).toBe(0);
  });
});

describe('invalid arguments', () => {
  const ring = Ring.open({ file: mixed });
  afterAll(() => ring.close());
  const cases: [string, () => unknown, string][] = [
    ['setBPFFilter(42)', () => ring.setBPFFilter(42 as never), 'setBPFFilter: expr must be a non-empty BPF expression such as \'tcp port 80\', got 42'],
    ['setBPFFilter(" ")', () => ring.setBPFFilter(' '), 'setBPFFilter: expr must be a non-empty BPF expression such as \'tcp port 80\', got " "'],
    ['setDirection("in")', () => ring.setDirection('in' as never), 'setDirection: direction must be \'rx\', \'tx\' or \'both\' (or Direction.Rx, .Tx, .Both), got "in"'],
    ['setDirection(3)', () => ring.setDirection(3), 'setDirection: direction must be \'rx\', \'tx\' or \'both\' (or Direction.Rx, .Tx, .Both), got 3'],
    ['setSocketMode("rw")', () => ring.setSocketMode('rw' as never), 'setSocketMode: mode must be \'read\', \'write\' or \'both\' (or SocketMode.Read, .Write, .Both), got "rw"'],
    ['setSamplingRate(0)', () => ring.setSamplingRate(0), 'setSamplingRate: rate must be an integer >= 1 (1 keeps every packet, n keeps 1 of every n), got 0'],
    ['setSamplingRate(1.5)', () => ring.setSamplingRate(1.5), 'setSamplingRate: rate must be an integer >= 1 (1 keeps every packet, n keeps 1 of every n), got 1.5'],
    ['setApplicationName(1)', () => ring.setApplicationName(1 as never), 'setApplicationName: name must be a string, got 1'],
    ['setCluster(1, "per-host")', () => ring.setCluster(1, 'per-host' as never), 'setCluster: type must be one of per-flow (0), round-robin (1), per-flow-2-tuple (2), per-flow-4-tuple (3), per-flow-5-tuple (4), per-flow-tcp-5-tuple (5), got "per-host"'],
    ['setCluster(-1, 0)', () => ring.setCluster(-1, 0), 'setCluster: id must be an integer >= 0, got -1'],
    ['writePacketData("x")', () => ring.writePacketData('x' as never), 'writePacketData: bytes must be a Uint8Array (or Buffer)'],
    ['readPacketDataTo([])', () => ring.readPacketDataTo([] as never), 'readPacketDataTo: buffer must be a Uint8Array (or Buffer)'],
  ];
  for (const [name, f, message] of cases) {
    it(name, () => {
      expect(f).toThrow(expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message, name: 'PfwArgumentError' }));
    });
  }
});
