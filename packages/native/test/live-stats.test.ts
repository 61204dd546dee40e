/**
 * Accounting of the AF_PACKET ring, live on a veth pair: `received` counts the
 * packets the kernel put into the ring, `dropped` those that passed the filter
 * but found no room, so received + dropped is exactly what was sent; and a ring
 * that is read keeps up with 100,000 packets per second without a drop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrame, PcapWriter } from '../../core/src/craft/index.js';
import { isRoot, NEEDS_ROOT, createVethPair, type VethPair } from '../../../test/support/netns.js';
import { startInjector, type Injector } from '../../../test/support/inject.js';
import { Ring } from '../src/ring.js';
import { scratchDir, sleep, waitFor } from './support/live.js';

const root = isRoot();
if (!root) console.warn(`live-stats.test.ts skipped: ${NEEDS_ROOT}`);

let pair: VethPair;
let injector: Injector;
let scratch: ReturnType<typeof scratchDir>;

/** Writes `n` 64-byte UDP frames numbered 0..n-1 (last 4 bytes) to a pcap file. */
function writeNumbered(name: string, n: number): string {
  const template = buildFrame({
    ip: { src: '10.3.0.1', dst: '10.3.0.2' },
    l4: { kind: 'udp', sport: 4000, dport: 5000 },
    payload: new Uint8Array(64 - 42),
  });
  template[40] = 0; // UDP checksum 0 = none (IPv4), so numbering needs no checksum
  template[41] = 0;
  const file = scratch.file(name);
  const w = new PcapWriter(file);
  const frame = template.slice();
  const dv = new DataView(frame.buffer);
  for (let i = 0; i < n; i++) {
    dv.setUint32(frame.length - 4, i);
    w.write({ tsSec: 0, tsNsec: 0, data: frame });
  }
  w.close();
  return file;
}

/** Reads every batch until close, recording each packet's number (no copies). */
function numberReader(ring: Ring): { seen: Uint32Array; count: () => number; ordered: () => boolean; done: Promise<void> } {
  const seen = new Uint32Array(200_000);
  let count = 0;
  let last = -1;
  let ordered = true;
  const done = (async () => {
    for (;;) {
      const b = await ring.nextBatch();
      if (b === null) return;
      const dv = new DataView(b.data.buffer, b.data.byteOffset, b.data.byteLength);
      for (let i = 0; i < b.count; i++) {
        const n = dv.getUint32(b.dataOff[i]! + b.caplen[i]! - 4);
        if (n < seen.length) seen[n]!++;
        if (n <= last) ordered = false;
        last = n;
        count++;
      }
    }
  })();
  return { seen, count: () => count, ordered: () => ordered, done };
}

describe.skipIf(!root)('AF_PACKET ring accounting on a veth pair', () => {
  beforeAll(() => {
    pair = createVethPair('stats');
    injector = startInjector(pair);
    scratch = scratchDir('live-stats');
  });
  afterAll(async () => {
    await injector?.close();
    pair?.cleanup();
    scratch?.cleanup();
  });

  it('a tiny ring nobody reads drops, and received + dropped equals what was sent', async () => {
    const file = writeNumbered('drops.pcap', 2000);
    const ring = Ring.open({ device: pair.captureIf, snaplen: 256, blockSize: 4096, blockCount: 2, retireTimeoutMs: 5 });
    const r = await injector.inject({ file });
    expect(r.sent).toBe(2000);
    await sleep(30);
    const s = ring.stats();
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.received).toBeGreaterThan(0);
    expect(s.received + s.dropped).toBe(2000);
    // what the ring holds is exactly what it counted as received
    let read = 0;
    for (;;) {
      const b = ring.readBatch();
      if (typeof b === 'number') break;
      read += b.count;
    }
    expect(read).toBe(s.received);
    // the counters are running totals: reading again adds nothing
    expect(ring.stats()).toMatchObject({ received: s.received, dropped: s.dropped, delivered: read });
    ring.close();
    expect(ring.stats()).toMatchObject({ received: s.received, dropped: s.dropped });
  });

  it('100,000 packets at full generator speed: received + dropped equals what was sent', async () => {
    const file = writeNumbered('full.pcap', 100_000);
    const ring = Ring.open({ device: pair.captureIf, snaplen: 128, blockSize: 1 << 20, blockCount: 32 });
    const reader = numberReader(ring);
    const r = await injector.inject({ file });
    expect(r.sent).toBe(100_000);
    const s0 = ring.stats();
    await waitFor(() => reader.count() + s0.dropped >= r.sent, 10_000);
    await sleep(30);
    const s = ring.stats();
    ring.close();
    await reader.done;
    expect(s.received + s.dropped).toBe(r.sent);
    expect(reader.count()).toBe(s.received);
    // nothing arrived twice
    expect(reader.seen.subarray(0, r.sent).every((c) => c <= 1)).toBe(true);
  });

  it('100,000 packets at 100,000 packets/s: no drop, every packet once, in order', async () => {
    const file = writeNumbered('paced.pcap', 100_000);
    const ring = Ring.open({ device: pair.captureIf, snaplen: 128, blockSize: 1 << 20, blockCount: 32 });
    const reader = numberReader(ring);
    const r = await injector.inject({ file, rate: 100_000 });
    expect(r.sent).toBe(100_000);
    // paced, not a burst: it took about a second
    expect(r.elapsedMs).toBeGreaterThan(900);
    await waitFor(() => reader.count() >= r.sent, 10_000);
    await sleep(30);
    const s = ring.stats();
    ring.close();
    await reader.done;
    expect(s).toMatchObject({ received: 100_000, dropped: 0 });
    expect(reader.count()).toBe(100_000);
    expect(reader.seen.subarray(0, 100_000).every((c) => c === 1)).toBe(true);
    expect(reader.ordered()).toBe(true);
  });
});
