/**
 * The cluster index of a capture file (cpp/cluster_index.h, src/cluster-index.ts):
 * a ring that reads its slot through the index must get exactly what a ring
 * that reads every record and keeps its slot gets: the same packets in the
 * same order (timestamps, lengths, bytes, hash), the same flow records in the
 * same order, the same counters and the same damage error at the same packet.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPcaps, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { clusterHash, createClusterIndex, Ring, type ClusterIndex, type ClusterTypeName, type FlowTableOptions, type PfwError } from '../src/index.js';
import { buildFrame, mixedTraffic, writePcapFile, writePcapng } from './support/capture-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'pfw-cluster-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Short idle timeouts: the synthetic capture's gaps end flows of every class mid-file.
const FLOWS: FlowTableOptions = { tcpIdleTimeoutSec: 9, udpIdleTimeoutSec: 4, icmpIdleTimeoutSec: 2, otherIdleTimeoutSec: 3, fragmentTimeoutSec: 5 };

interface Reading {
  /** One line per packet: time, lengths, hash, sha1 of the bytes. */
  packets: string[];
  /** The flow records' NDJSON lines, in the order the ring handed them over. */
  records: string[];
  received: number;
  /** The ipLen column: each packet's own parse (the 512-slot test gives every packet a different one). */
  ipLens: number[];
  error?: string;
}

async function readSlot(file: string, type: ClusterTypeName, slot: number, count: number, index: ClusterIndex | null, snaplen?: number): Promise<Reading> {
  const ring = Ring.open({
    file,
    cluster: { id: 7, type },
    clusterSlot: { index: slot, count },
    flows: FLOWS,
    ...(snaplen ? { snaplen } : {}),
    ...(index ? { clusterIndexFd: index.fd } : {}),
  });
  const out: Reading = { packets: [], records: [], received: 0, ipLens: [] };
  try {
    for await (const b of ring) {
      for (let i = 0; i < b.count; i++) {
        const digest = createHash('sha1').update(b.data.subarray(b.dataOff[i]!, b.dataOff[i]! + b.caplen[i]!)).digest('hex');
        out.packets.push(`${b.tsSec[i]}.${b.tsNsec[i]} ${b.caplen[i]}/${b.len[i]} ${b.hash[i]} ${digest} ${b.l4Off[i]} ${b.payloadOff[i]} ${b.sport[i]}>${b.dport[i]} ${b.tcpFlags[i]}`);
        out.ipLens.push(b.ipLen[i]!);
      }
      const text = b.flows!.ndjson(slot);
      if (text) out.records.push(...text.trimEnd().split('\n'));
    }
  } catch (e) {
    out.error = `${(e as PfwError).code}: ${(e as PfwError).message}`;
    const text = ring.flushFlows('stop').ndjson(slot);
    if (text) out.records.push(...text.trimEnd().split('\n'));
  }
  out.received = ring.stats().received;
  ring.close();
  return out;
}

/**
 * Every slot read both ways must match; returns the indexed readings. The
 * indexed slots are read at the same time, as workers read them (a slot's
 * ring that fills up holds the writer back until its reader consumes).
 */
async function expectSameSlots(file: string, type: ClusterTypeName, count: number, o: { snaplen?: number; slotBytes?: number } = {}): Promise<Reading[]> {
  const index = createClusterIndex({ file, clusterType: type, count, ...o });
  const slots = Array.from({ length: count }, (_, slot) => slot);
  let readings: Reading[];
  try {
    readings = await Promise.all(slots.map((slot) => readSlot(file, type, slot, count, index, o.snaplen)));
    expect(index.status().done).toBe(true);
  } finally {
    index.close();
  }
  for (const slot of slots) {
    const indexed = readings[slot]!;
    const whole = await readSlot(file, type, slot, count, null, o.snaplen);
    expect(indexed.packets.length, `${file} slot ${slot}/${count}`).toBe(whole.packets.length);
    expect(indexed.packets, `${file} slot ${slot}/${count}`).toEqual(whole.packets);
    expect(indexed.records, `${file} slot ${slot}/${count}: flow records`).toEqual(whole.records);
    expect(indexed.received).toBe(whole.received);
    expect(indexed.error).toBe(whole.error);
  }
  return readings;
}

/**
 * mixedTraffic (TCP, UDP, ICMP, v4/v6, VLANs, fragmented datagrams, ARP) with
 * idle gaps that end flows of every class mid-file, packets older than the
 * file's clock (timestamps going backwards), and some datagrams whose
 * fragments arrive last-first.
 */
function writeSynthetic(file: string, flows: number): number {
  const packets = mixedTraffic(flows);
  for (let i = 0; i + 2 < packets.length; i++) {
    const p = packets[i]!;
    if (p.kind === 'frag' && packets[i + 2]!.datagram === p.datagram && (i % 3 === 0)) {
      [packets[i], packets[i + 2]] = [packets[i + 2]!, p];
      i += 2;
    }
  }
  let t = 0;
  const records = packets.map((p, i) => {
    t += i % 53 === 0 ? 6_000 : i % 11 === 0 ? 900 : 7;
    const ms = i % 31 === 0 ? Math.max(0, t - 3_000) : t;
    return { tsSec: 1_700_000_000 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1_000_000 + i, data: p.data };
  });
  writePcapFile(file, records, { nanosecond: true });
  return records.length;
}

describe('a ring reading its slot through the cluster index', () => {
  const synthetic = path.join(dir, 'synthetic.pcap');
  const packets = writeSynthetic(synthetic, 900);

  it('gets the packets, hashes and flow records of reading every record (2, 3 and 5 slots, three cluster types)', async () => {
    let seen = 0;
    for (const [type, count] of [['per-flow-5-tuple', 2], ['per-flow', 3], ['per-flow-2-tuple', 5]] as const) {
      const slots = await expectSameSlots(synthetic, type, count);
      const total = slots.reduce((n, s) => n + s.packets.length, 0);
      expect(total).toBe(packets); // every packet in exactly one slot
      expect(slots.every((s) => s.packets.length > 0 && s.records.length > 0)).toBe(true);
      seen += slots.reduce((n, s) => n + s.records.filter((r) => r.includes('"idle"')).length, 0);
    }
    expect(seen).toBeGreaterThan(100); // the gaps ended flows mid-file: the clock entries mattered
  });

  it("a packet older than the file's clock, and the end of the file: flows end as they do for a ring reading every record", async () => {
    // Flow A (UDP, idle timeout 4 s) at T; packets of other slots' flows at
    // T+100 s; A again at T+1 s. A ring reading everything saw the clock reach
    // T+100 before A's second packet, so A ended "idle" and the second packet
    // began a new flow; a ring given only its own records must be told that
    // time (a clock entry) or it would extend A instead. At the end, flow C
    // (A's slot, last seen long before the file's last packet) ends "idle"
    // too, not at the end of the input.
    const udp = (sport: number) => buildFrame({ ip: { src: '10.9.0.1', dst: '10.9.0.2' }, l4: { kind: 'udp', sport, dport: 53 } });
    const slotOf = (frame: Uint8Array) => clusterHash(frame, 'per-flow-5-tuple') % 2;
    const a = udp(1000);
    const mine = slotOf(a);
    const candidates = Array.from({ length: 40 }, (_, i) => udp(2000 + i));
    const c = candidates.find((f) => slotOf(f) === mine)!;
    const others = candidates.filter((f) => slotOf(f) !== mine).slice(0, 3);
    const T = 1_700_000_000;
    const file = path.join(dir, 'clock.pcap');
    writePcapFile(file, [
      { tsSec: T, tsNsec: 0, data: a },
      { tsSec: T, tsNsec: 1, data: c },
      ...others.map((data, i) => ({ tsSec: T + 100, tsNsec: i, data })),
      { tsSec: T + 1, tsNsec: 0, data: a },
      ...others.map((data, i) => ({ tsSec: T + 200, tsNsec: i, data })),
    ]);
    const slots = await expectSameSlots(file, 'per-flow-5-tuple', 2);
    const ends = slots[mine]!.records.map((r) => (JSON.parse(r) as { end_reason: string }).end_reason);
    expect(ends).toEqual(['idle', 'idle', 'idle']); // A, C, then A's second flow
  });

  it('512 slots, one of them taking a whole 3000-packet flow: the same packets and parse (payload lengths differ)', async () => {
    const file = path.join(dir, 'one-flow.pcap');
    // each packet parses differently (its payload length): the ipLen column shows each one's own parse
    const frame = (i: number) => buildFrame({ ip: { src: '10.7.0.1', dst: '10.7.0.2' }, l4: { kind: 'tcp', sport: 4242, dport: 80, flags: 'A' }, payload: new Uint8Array(i % 50) });
    writePcapFile(file, Array.from({ length: 3000 }, (_, i) => ({ tsSec: 1_700_000_000 + Math.floor(i / 100), tsNsec: i, data: frame(i) })));
    const slot = clusterHash(frame(0), 'per-flow-5-tuple') % 512;
    // rings of 64 KiB (8192 words: the writer keeps room for 2 words per
    // record, and the whole flow fits, so the index completes before the slot
    // is read); 512 of the default 512 KiB would take 256 MiB
    const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: 512, slotBytes: 65536 });
    try {
      while (!index.status().done) await new Promise((r) => setTimeout(r, 5));
      const indexed = await readSlot(file, 'per-flow-5-tuple', slot, 512, index);
      const whole = await readSlot(file, 'per-flow-5-tuple', slot, 512, null);
      expect(indexed.packets).toHaveLength(3000);
      expect(indexed.packets).toEqual(whole.packets);
      expect(indexed.records).toEqual(whole.records);
      expect(indexed.ipLens).toEqual(whole.ipLens);
    } finally {
      index.close();
    }
  });

  it("rings far smaller than a slot's share (512 words): the writer waits for the readers lap after lap, nothing lost or reordered", async () => {
    for (const [type, count] of [['per-flow-5-tuple', 2], ['per-flow', 3]] as const) {
      const slots = await expectSameSlots(synthetic, type, count, { slotBytes: 4096 });
      expect(slots.reduce((n, s) => n + s.packets.length, 0)).toBe(packets);
      expect(Math.min(...slots.map((s) => s.packets.length))).toBeGreaterThan(2 * 512); // two laps at least
    }
  });

  it('with a snaplen that cuts packets', async () => {
    await expectSameSlots(synthetic, 'per-flow-5-tuple', 2, { snaplen: 60 });
  });

  it('on every shared classic pcap capture, damaged ones included (same error, same packet)', async (ctx) => {
    const rows = sharedPcaps();
    if (!rows) return ctx.skip(SHARED_PCAPS_SKIP);
    let indexed = 0;
    for (const row of rows) {
      if (row.unsupported) continue;
      let index: ClusterIndex;
      try {
        index = createClusterIndex({ file: row.file, clusterType: 'per-flow-5-tuple', count: 2 });
      } catch (e) {
        expect((e as PfwError).code).toBe('PFW_NOT_SUPPORTED'); // pcapng, PPI: each worker reads the file
        continue;
      }
      index.close();
      await expectSameSlots(row.file, 'per-flow-5-tuple', 2);
      indexed++;
    }
    expect(indexed).toBeGreaterThan(20);
  });

  it('hands over to libpcap where the file is damaged: the same packets before it, the same error', async () => {
    const cut = path.join(dir, 'cut.pcap');
    writeFileSync(cut, readFileSync(synthetic));
    truncateSync(cut, readFileSync(synthetic).length - 25); // inside the last records
    const slots = await expectSameSlots(cut, 'per-flow-5-tuple', 2);
    expect(slots.some((s) => s.error?.startsWith('PFW_CAPTURE_DAMAGED'))).toBe(true);
  });

  it('reads on, through libpcap, what was appended to the file after it was indexed', async () => {
    const grown = path.join(dir, 'grown.pcap');
    writeFileSync(grown, readFileSync(synthetic));
    const index = createClusterIndex({ file: grown, clusterType: 'per-flow-5-tuple', count: 2 });
    while (!index.status().done) await new Promise((r) => setTimeout(r, 5));
    const before = index.status().handoverOffset;
    // the same records once more, one hour later
    const more = path.join(dir, 'more.pcap');
    writeSynthetic(more, 900);
    appendFileSync(grown, readFileSync(more).subarray(24));
    try {
      for (let slot = 0; slot < 2; slot++) {
        const indexed = await readSlot(grown, 'per-flow-5-tuple', slot, 2, index);
        const whole = await readSlot(grown, 'per-flow-5-tuple', slot, 2, null);
        expect(indexed.packets).toEqual(whole.packets);
        expect(indexed.records).toEqual(whole.records);
      }
    } finally {
      index.close();
    }
    expect(before).toBe(readFileSync(synthetic).length);
  });
});

/** Runs fixtures/index-slot-reader.ts on `index` (descriptor 4): it reads `batches` batches of `slot` and dies (SIGKILL). */
function dyingReader(file: string, index: ClusterIndex, slot: number, batches: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/index-slot-reader.ts'), file, String(slot), String(index.count), String(batches)], {
      stdio: ['ignore', 'pipe', 'inherit', 'ignore', index.fd],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(out.trim()) : reject(new Error(`reader exited ${_code} ${signal}: ${out}`))));
  });
}

const waitFor = async (what: () => boolean) => {
  for (let i = 0; i < 1000 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
};

/** This process's threads named as the index writer names its thread (their ids). */
const writerThreads = () =>
  readdirSync('/proc/self/task').filter((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'pfw-index';
    } catch {
      return false; // the thread ended meanwhile
    }
  });

describe("the index's rings: back-pressure, one ring per slot, release and detach", () => {
  const file = path.join(dir, 'rings.pcap');
  const packets = writeSynthetic(file, 300);
  const open = (index: ClusterIndex, slot: number) =>
    Ring.open({ file, cluster: { id: 1, type: 'per-flow-5-tuple' }, clusterSlot: { index: slot, count: 2 }, clusterIndexFd: index.fd });

  it('a slot nobody reads holds the writer once its ring is full (status().waitingFor names it, waitedSeconds counts the wait); detach() lets it go on without; the writer is the thread pfw-index', async () => {
    const before = new Set(writerThreads());
    const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: 2, slotBytes: 4096 });
    try {
      const reading = readSlot(file, 'per-flow-5-tuple', 0, 2, index);
      await waitFor(() => index.status().waitingFor === 1);
      const held = index.status();
      expect(held).toMatchObject({ done: false, waitingFor: 1 });
      expect(writerThreads().filter((t) => !before.has(t))).toHaveLength(1); // named, for top -H
      expect(held.records).toBeLessThan(packets);
      expect(held.bytes).toBeGreaterThanOrEqual(2 * 4096); // the rings, whatever the file's size
      await new Promise((r) => setTimeout(r, 200)); // held at least this long
      index.detach(1);
      const got = await reading;
      const done = index.status();
      expect(done).toMatchObject({ done: true, records: packets, waitingFor: null });
      // the writer's costs: mostly waiting here, for the slot nobody read
      expect(done.waitedSeconds).toBeGreaterThanOrEqual(0.19);
      expect(done.seconds).toBeGreaterThanOrEqual(done.waitedSeconds);
      expect(done.cpuSeconds).toBeGreaterThan(0);
      expect(done.cpuSeconds).toBeLessThan(done.seconds - done.waitedSeconds + 0.05);
      expect(got.packets).toEqual((await readSlot(file, 'per-flow-5-tuple', 0, 2, null)).packets);
      expect(() => open(index, 1)).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH', message: expect.stringContaining('a slot is read once') }));
    } finally {
      index.close();
    }
    expect(writerThreads().filter((t) => !before.has(t))).toEqual([]); // close() joined it
  });

  it('one ring per slot: a second is refused; a ring closed before reading leaves the slot to another, one closed after reading does not', async () => {
    const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: 2, start: false });
    try {
      const first = open(index, 0);
      expect(() => open(index, 0)).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH', message: expect.stringContaining('slot 0 is read through it by another ring') }));
      first.close(); // read nothing
      const second = open(index, 0);
      index.start();
      expect((await second.nextBatch())!.count).toBeGreaterThan(0);
      second.close(); // read some: the rest of slot 0 is nobody's, and the writer does not wait for it
      expect(() => open(index, 0)).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH' }));
      const other = await readSlot(file, 'per-flow-5-tuple', 1, 2, index);
      expect(other.packets).toEqual((await readSlot(file, 'per-flow-5-tuple', 1, 2, null)).packets);
    } finally {
      index.close();
    }
  });

  it("release() after a reader's process died: true if it had read nothing (the slot is read through the index again), false if it had (the writer goes on without it)", async () => {
    const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: 2, slotBytes: 4096 });
    try {
      expect(await dyingReader(file, index, 1, 0)).toBe('read 0');
      expect(() => open(index, 1)).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH' })); // its claim outlived it
      expect(index.release(1)).toBe(true);
      const reading1 = readSlot(file, 'per-flow-5-tuple', 1, 2, index); // through the index, from its first record
      const died = await dyingReader(file, index, 0, 1);
      expect(Number(died.split(' ')[1])).toBeGreaterThan(0);
      await waitFor(() => index.status().waitingFor === 0);
      expect(index.status().waitingFor).toBe(0); // slot 0's ring full, its reader dead
      expect(index.release(0)).toBe(false);
      const slot1 = await reading1;
      expect(slot1.packets).toEqual((await readSlot(file, 'per-flow-5-tuple', 1, 2, null)).packets);
      expect(index.status()).toMatchObject({ done: true, records: packets });
    } finally {
      index.close();
    }
  });
});

describe('a ring waiting for its index', () => {
  it('waits while the index has not started (or its writer is gone), and disable() / close() end the wait', async () => {
    const file = path.join(dir, 'wait.pcap');
    writeSynthetic(file, 20);
    const index = createClusterIndex({ file, clusterType: 'per-flow', count: 2, start: false });
    try {
      const open = () => Ring.open({ file, cluster: { id: 1, type: 'per-flow' }, clusterSlot: { index: 0, count: 2 }, clusterIndexFd: index.fd });
      const ring = open();
      const pending = ring.nextBatch();
      const outcome = await Promise.race([pending.then(() => 'batch', (e: PfwError) => e.code), new Promise((r) => setTimeout(() => r('waiting'), 50))]);
      expect(outcome).toBe('waiting');
      ring.disable(); // what a worker does when it is told to stop (its supervisor may be gone)
      await expect(pending).rejects.toMatchObject({ code: 'PFW_RING_NOT_ENABLED' });
      ring.close();
      const other = open();
      const again = other.nextBatch();
      other.close();
      await expect(again).resolves.toBeNull();
      index.start();
      const late = open();
      let n = 0;
      for await (const b of late) n += b.count;
      expect(n).toBeGreaterThan(0);
      late.close();
    } finally {
      index.close();
    }
  });
});

describe('createClusterIndex and clusterIndexFd refuse what they cannot do', () => {
  const file = path.join(dir, 'small.pcap');
  writeSynthetic(file, 40);

  it('a pcapng file: PFW_NOT_SUPPORTED saying why (its workers read the whole file)', () => {
    const ng = path.join(dir, 'small.pcapng');
    writePcapng(ng, mixedTraffic(4).map((p, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, data: p.data })));
    expect(() => createClusterIndex({ file: ng, clusterType: 'per-flow', count: 2 })).toThrow(
      expect.objectContaining({ code: 'PFW_NOT_SUPPORTED', message: expect.stringContaining('pcapng') }),
    );
  });

  it('PFWORK_PCAP_NO_MAP set (files read through libpcap alone): PFW_NOT_SUPPORTED, so each worker reads the file as it would', () => {
    process.env.PFWORK_PCAP_NO_MAP = '1';
    try {
      expect(() => createClusterIndex({ file, clusterType: 'per-flow', count: 2 })).toThrow(
        expect.objectContaining({ code: 'PFW_NOT_SUPPORTED', message: expect.stringContaining('PFWORK_PCAP_NO_MAP') }),
      );
    } finally {
      delete process.env.PFWORK_PCAP_NO_MAP;
    }
  });

  it('bad options, all listed', () => {
    expect(() => createClusterIndex({ file: '', clusterType: 'round-robin', count: 1, snaplen: 0 })).toThrow(
      /file must be a path.*clusterType must be a hashed cluster type.*count must be an integer from 2 to 1024.*snaplen must be/,
    );
    expect(() => createClusterIndex({ file, clusterType: 'per-flow', count: 2, slotBytes: 5000 })).toThrow(/slotBytes must be a power of two from 4096 to 1073741824, got 5000/);
    expect(() => Ring.open({ file, cluster: { id: 1, type: 'per-flow' }, clusterIndexFd: 3 })).toThrow(/clusterIndexFd needs clusterSlot with a count of 2 or more/);
    expect(() => Ring.open({ file, cluster: { id: 1, type: 'round-robin' }, clusterSlot: { index: 0, count: 2 }, clusterIndexFd: 3 })).toThrow(
      /round-robin slots need no index/,
    );
    expect(() => Ring.open({ device: 'lo', clusterIndexFd: 3 })).toThrow(/clusterIndexFd is for capture files/);
  });

  it('a ring whose cluster type, slot count, snaplen or file differs from the index: PFW_CLUSTER_MISMATCH naming the difference', () => {
    const other = path.join(dir, 'other.pcap');
    writeSynthetic(other, 10);
    const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: 2 });
    try {
      const open = (o: object) => () => Ring.open({ file, cluster: { id: 1, type: 'per-flow-5-tuple' }, clusterSlot: { index: 0, count: 2 }, clusterIndexFd: index.fd, ...o });
      expect(open({ cluster: { id: 1, type: 'per-flow-2-tuple' } })).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH', message: expect.stringContaining('cluster type 4') }));
      expect(open({ clusterSlot: { index: 0, count: 3 } })).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH', message: expect.stringContaining('built for 2 slots') }));
      expect(open({ snaplen: 100 })).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH', message: expect.stringContaining('snaplen') }));
      expect(open({ file: other })).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH', message: expect.stringContaining('another file') }));
      const ring = open({})();
      expect(() => ring.setCluster(1, 'per-flow')).toThrow(expect.objectContaining({ code: 'PFW_CLUSTER_MISMATCH' }));
      expect(() => ring.removeFromCluster()).toThrow(expect.objectContaining({ code: 'PFW_NOT_SUPPORTED' }));
      ring.close();
    } finally {
      index.close();
    }
  });
});
