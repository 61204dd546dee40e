/**
 * IndexStallWatch (src/supervisor/index-watch.ts) over a real cluster index:
 * slot 0 is read, slot 1 is not, so the writer waits for slot 1 once its
 * ring is full. The watch is given the time (poll(now)) so the test does not
 * sleep through the 5 s a supervisor waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFrame, writePcapFile } from '@pfwork/core/craft';
import { createClusterIndex, Ring } from '@pfwork/native';
import { IndexStallWatch } from '../src/supervisor/index-watch.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-index-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'flows.pcap');
// 4000 packets over 200 UDP flows: each slot gets far more than its 512-word ring
const frames = Array.from({ length: 4000 }, (_, i) => buildFrame({ ip: { src: '10.1.0.1', dst: '10.1.0.2' }, l4: { kind: 'udp', sport: 1000 + (i % 200), dport: 53 } }));
writePcapFile(file, frames.map((data, i) => ({ tsSec: 1_700_000_000, tsNsec: i, data })));

const until = async (what: () => boolean) => {
  for (let i = 0; i < 1000 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
};

async function readAll(ring: Ring): Promise<number> {
  let n = 0;
  for await (const b of ring) n += b.count;
  ring.close();
  return n;
}

describe('IndexStallWatch', () => {
  it('reports the worker the index waits for once it has not moved for stallMs, once, and when it moves on', async () => {
    const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: 2, slotBytes: 4096 });
    const open = (slot: number) =>
      Ring.open({ file, cluster: { id: 1, type: 'per-flow-5-tuple' }, clusterSlot: { index: slot, count: 2 }, clusterIndexFd: index.fd });
    try {
      const slot0 = readAll(open(0));
      await until(() => index.status().waitingFor === 1);
      const watch = new IndexStallWatch(index, 5000);
      expect(watch.poll(0)).toBeNull(); // starts watching
      expect(watch.poll(4999)).toBeNull(); // not long enough
      const stalled = watch.poll(5000);
      expect(stalled).toMatchObject({ event: 'stalled', stall: { worker: 1, waitedMs: 5000 } });
      expect(stalled!.stall.records).toBe(index.status().records);
      expect(stalled!.stall.records).toBeLessThan(4000);
      expect(watch.poll(9000)).toBeNull(); // said once
      const slot1 = readAll(open(1));
      await until(() => index.status().done);
      expect(watch.poll(9500)).toMatchObject({ event: 'resumed', stall: { worker: 1, waitedMs: 9500 } });
      expect(watch.poll(20000)).toBeNull(); // done: nothing to say
      expect((await slot0) + (await slot1)).toBe(4000);
    } finally {
      index.close();
    }
  });
});
