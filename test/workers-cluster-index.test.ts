/**
 * `pfwork start --read F --workers N`: the supervisor indexes the file once
 * and each worker reads its slot through the index (ring-plan.ts). Every
 * worker must write exactly the records it writes when it reads the whole
 * file itself (PFWORK_NO_CLUSTER_INDEX=1): the same packets and the same flow
 * records, in the same order; and a file the index cannot take is read the
 * old way, saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeDemoCapture } from '../examples/data/make-demo-pcap.js';
import { writeEdgeCapture } from './support/edge-capture.js';
import { fixtures, pfwork, type PfworkRun } from './support/run-pfwork.js';
import { SHARED_PCAPS_SKIP, sharedPcaps } from './support/pcaps.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-workers-cluster-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const scriptable = path.join(fixtures, 'scriptable-handler.ts');
const demo = path.join(tmp, 'demo.pcap');
writeDemoCapture(demo);
const edge = path.join(tmp, 'edge.pcap');
writeEdgeCapture(edge);

const capturePlan = (r: PfworkRun) => String(r.logs.find((l) => String(l.msg).startsWith('capture:'))?.msg);

/** Each worker's records (packets, then flows), in the order the worker wrote them. */
function perWorker(r: PfworkRun, workers: number): string[][] {
  const out: string[][] = Array.from({ length: workers }, () => []);
  for (const rec of r.records) {
    if (rec.type !== 'pkt' && rec.type !== 'flow') continue;
    out[rec.worker as number]!.push(JSON.stringify(rec));
  }
  return out;
}

async function both(file: string, workers: number, extra: string[] = []): Promise<{ indexed: PfworkRun; whole: PfworkRun }> {
  const args = ['start', '--read', file, '--workers', String(workers), '--handler', scriptable, '--flows', ...extra];
  const [indexed, whole] = await Promise.all([pfwork(args), pfwork(args, { env: { PFWORK_NO_CLUSTER_INDEX: '1' } })]);
  expect(indexed.code, indexed.stderr).toBe(0);
  expect(whole.code, whole.stderr).toBe(0);
  return { indexed, whole };
}

describe('pfwork start --read with several workers reads through the cluster index', () => {
  test.each([
    { name: 'demo', file: demo, workers: 2, type: 'per-flow' },
    { name: 'edge', file: edge, workers: 3, type: 'per-flow-5-tuple' },
    { name: 'edge', file: edge, workers: 2, type: 'per-flow-2-tuple' },
  ])('$name capture, $workers workers, $type: each worker writes what it writes reading the whole file, and the log says what indexing cost', async ({ file, workers, type }) => {
    const { indexed, whole } = await both(file, workers, ['--cluster-type', type]);
    expect(capturePlan(indexed)).toContain(`indexed once for ${workers} workers`);
    expect(capturePlan(whole)).toContain('every worker reads the whole file (PFWORK_NO_CLUSTER_INDEX)');
    const a = perWorker(indexed, workers);
    const b = perWorker(whole, workers);
    for (let w = 0; w < workers; w++) {
      expect(a[w]!.length, `worker ${w}`).toBeGreaterThan(0);
      expect(a[w], `worker ${w}`).toEqual(b[w]);
    }
    // what indexing cost, said once at the end; nothing of the kind without the index
    const cost = indexed.logs.filter((l) => String(l.msg).startsWith('cluster index:'));
    expect(cost).toHaveLength(1);
    const packets = indexed.records.filter((rec) => rec.type === 'pkt').length;
    expect(cost[0]).toMatchObject({ level: 'info', indexRecords: packets });
    const { indexSeconds, indexCpuSeconds, indexWaitedSeconds } = cost[0] as Record<string, number>;
    expect(indexCpuSeconds).toBeGreaterThan(0);
    expect(indexCpuSeconds + indexWaitedSeconds).toBeLessThanOrEqual(indexSeconds! + 0.01);
    expect(String(cost[0]!.msg)).toMatch(/^cluster index: \d+ packets indexed in \d+\.\d+ m?s; its thread \(pfw-index\) used \d+\.\d+ m?s of CPU and waited \d+\.\d+ m?s for workers a ring behind$/);
    expect(whole.logs.filter((l) => String(l.msg).startsWith('cluster index:'))).toEqual([]);
  }, 60_000);

  test('a pcapng file is read whole by every worker, and the log says why', async (ctx) => {
    const rows = sharedPcaps();
    if (!rows) return ctx.skip(SHARED_PCAPS_SKIP);
    const ng = rows.find((r) => r.file.endsWith('.pcapng') && !r.damaged && !r.unsupported && r.packets > 10);
    if (!ng) return ctx.skip('no undamaged pcapng capture among the shared ones');
    const r = await pfwork(['start', '--read', ng.file, '--workers', '2', '--handler', scriptable]);
    expect(r.code, r.stderr).toBe(0);
    expect(capturePlan(r)).toMatch(/every worker reads the whole file: capture file .* cannot be indexed for a cluster: not a classic pcap file/);
    expect(r.records.filter((x) => x.type === 'pkt')).toHaveLength(ng.packets);
  }, 60_000);
});
