/**
 * Offline, multi-process: `pfwork start --read F --workers 3 --handler
 * <one record per packet>` over our own generated captures and every capture
 * in ../shared/pcaps. The union of the workers' records is exactly the file's
 * packets (nothing lost, nothing twice, checked against an independent
 * reader), no flow appears under two workers for hashed cluster types, and the
 * final stats and merged report agree with the records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeDemoCapture } from '../examples/data/make-demo-pcap.js';
import { packetKey, readCapturePackets } from './support/capture-packets.js';
import { writeEdgeCapture } from './support/edge-capture.js';
import { splitFlows, type PacketFields } from './support/flow-keys.js';
import { SHARED_PCAPS_SKIP, sharedPcaps } from './support/pcaps.js';
import { fixtures, pfwork, type PfworkRun } from './support/run-pfwork.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-workers-offline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const scriptable = path.join(fixtures, 'scriptable-handler.ts');
const WORKERS = 3;

const demo = path.join(tmp, 'demo.pcap');
writeDemoCapture(demo);
const edge = path.join(tmp, 'edge.pcap');
writeEdgeCapture(edge);

type PktRecord = PacketFields & { type: 'pkt'; worker: number; n: number; key: string };

/** Sorted multiset of packet identities. */
const sorted = (keys: string[]) => [...keys].sort();

function checkRun(r: PfworkRun, file: string, clusterType: string): void {
  const expected = readCapturePackets(file).map(packetKey);
  const pkts = r.records.filter((x) => x.type === 'pkt') as unknown as PktRecord[];
  // nothing lost, nothing twice
  expect(pkts.length, `records for ${file}`).toBe(expected.length);
  expect(sorted(pkts.map((p) => p.key))).toEqual(sorted(expected));
  // every worker numbered its own packets 1..k without a gap
  for (let w = 0; w < WORKERS; w++) {
    const ns = pkts.filter((p) => p.worker === w).map((p) => p.n);
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => i + 1));
  }
  if (clusterType !== 'round-robin') expect([...splitFlows(pkts, clusterType).keys()]).toEqual([]);
  // the final records agree with what was emitted
  const report = r.records.find((x) => x.type === 'report');
  expect(report).toMatchObject({ handler: 'scriptable', workers: WORKERS, report: { packets: expected.length } });
  const stats = r.records.filter((x) => x.type === 'stats' && x.scope === 'worker');
  expect(stats.map((s) => s.worker)).toEqual([0, 1, 2]);
  for (const s of stats) {
    expect(s.received).toBe(pkts.filter((p) => p.worker === s.worker).length);
    expect(s).toMatchObject({ handlerErrors: 0, restarts: 0, dropped: 0, state: 'done' });
  }
  expect(r.records.find((x) => x.type === 'stats' && x.scope === 'total')).toMatchObject({ received: expected.length, records: expected.length });
  // the summary comes last
  expect(r.records.at(-1)).toMatchObject({ type: 'stats', scope: 'total' });
}

const run = (file: string, clusterType: string) =>
  pfwork(['start', '--read', file, '--workers', String(WORKERS), '--handler', scriptable, '--cluster-type', clusterType]);

describe.concurrent('our generated captures', () => {
  for (const [name, file, types] of [
    ['demo', demo, ['per-flow', 'per-flow-5-tuple', 'round-robin']],
    ['edge', edge, ['per-flow', 'per-flow-2-tuple', 'per-flow-4-tuple', 'per-flow-tcp-5-tuple']],
  ] as const) {
    for (const type of types) {
      test(`${name} capture, --cluster-type ${type}: every packet once, flows never split`, async () => {
        const r = await run(file, type);
        expect(r.stderr.split('\n').filter((l) => l.includes('"level":"error"'))).toEqual([]);
        expect(r.code).toBe(0);
        checkRun(r, file, type);
      });
    }
  }
});

const shared = sharedPcaps();
const HASHED = ['per-flow', 'per-flow-2-tuple', 'per-flow-4-tuple', 'per-flow-5-tuple', 'per-flow-tcp-5-tuple'];

describe.skipIf(!shared).concurrent(`shared captures${shared ? '' : ` (${SHARED_PCAPS_SKIP})`}`, () => {
  const rows = (shared ?? []).filter((row) => !row.damaged);
  rows.forEach((row, i) => {
    const type = HASHED[i % HASHED.length]!;
    test(`${row.localPath} (--cluster-type ${type})`, async () => {
      const r = await run(row.file, type);
      expect(r.code, r.stderr).toBe(0);
      checkRun(r, row.file, type);
    });
  });
});
