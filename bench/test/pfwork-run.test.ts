/**
 * The bench's pfwork rows run the real `pfwork start` (lib/pfwork-run.ts):
 * a run reports the workers' figures from their probes and, with 2 workers
 * over a file, what the supervisor's cluster index thread cost, read from
 * its log line (the workers' CPU leaves it out; the 2-worker targets print
 * its share).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoCapture } from '../../examples/data/make-demo-pcap.js';
import { HANDLERS, startPfwork } from '../lib/pfwork-run.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-bench-pfwork-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const demo = path.join(tmp, 'demo.pcap');
const packets = writeDemoCapture(demo);

const run = (workers: number) =>
  startPfwork({ input: { read: demo }, workers, handler: HANDLERS.flowsOnly, flows: true, prefix: path.join(tmp, `w${workers}`) }).done;

describe('a pfwork file row run', () => {
  it('with 2 workers: every packet, and the index thread CPU and waits beside the workers\' CPU', async () => {
    const r = await run(2);
    expect(r.packets).toBe(packets);
    expect(r.perWorkerPackets).toHaveLength(2);
    expect(r.indexCpuSeconds).toBeGreaterThan(0);
    expect(r.indexWaitedSeconds).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('with 1 worker: no index, no index figures', async () => {
    const r = await run(1);
    expect(r.packets).toBe(packets);
    expect(r.indexCpuSeconds).toBeUndefined();
  }, 60_000);
});
