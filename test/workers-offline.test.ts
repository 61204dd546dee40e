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
import { Supervisor } from '@pfwork/workers';
import { limiter } from './support/limit.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-workers-offline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const scriptable = path.join(fixtures, 'scriptable-handler.ts');
const WORKERS = 3;

const demo = path.join(tmp, 'demo.pcap');
writeDemoCapture(demo);
const edge = path.join(tmp, 'edge.pcap');
writeEdgeCapture(edge);

type PktRecord = PacketFields & { type: 'pkt'; worker: number; n: number; key: string };

/** What a run produced, whether it ran through the CLI or the library. */
interface Outcome {
  code: number | null;
  pkts: PktRecord[];
  report: Record<string, unknown> | undefined;
  workerStats: Record<string, unknown>[];
  total: Record<string, unknown> | undefined;
  errors: { code?: unknown; msg?: unknown }[];
  /** The run's warnings (a worker that crashed says how): shown when a check fails. */
  warnings: string[];
}

/** Sorted multiset of packet identities. */
const sorted = (keys: string[]) => [...keys].sort();

function fromCli(r: PfworkRun): Outcome {
  return {
    code: r.code,
    pkts: r.records.filter((x) => x.type === 'pkt') as unknown as PktRecord[],
    report: r.records.find((x) => x.type === 'report'),
    workerStats: r.records.filter((x) => x.type === 'stats' && x.scope === 'worker'),
    total: r.records.find((x) => x.type === 'stats' && x.scope === 'total'),
    errors: r.logs.filter((l) => l.level === 'error'),
    warnings: r.logs.filter((l) => l.level === 'warn').map((l) => `${String(l.worker ?? '-')}: ${String(l.msg)}`),
  };
}

/** The same run through the library (one process fewer than the CLI): Supervisor events instead of stdout. */
async function viaSupervisor(file: string, clusterType: string): Promise<Outcome> {
  const sup = new Supervisor(
    { capture: { read: file }, workers: { count: WORKERS }, cluster: { type: clusterType as 'per-flow' }, handler: { path: scriptable } },
    { output: null },
  );
  const pkts: PktRecord[] = [];
  const errors: { code?: unknown; msg?: unknown }[] = [];
  const warnings: string[] = [];
  sup.on('record', (r) => pkts.push(r as PktRecord));
  sup.on('log', (l) => {
    if (l.level === 'warn' || l.level === 'error') warnings.push(`${l.worker ?? '-'}: ${l.msg}`);
  });
  sup.on('error', (e) => errors.push({ code: e.code, msg: e.message }));
  const result = await sup.run();
  return {
    code: result.code,
    pkts,
    report: { handler: 'scriptable', workers: WORKERS, report: result.report },
    workerStats: result.stats.workers as unknown as Record<string, unknown>[],
    total: { ...result.stats.total },
    errors,
    warnings,
  };
}

function checkRun(r: Outcome, file: string, clusterType: string): void {
  const expected = readCapturePackets(file).map(packetKey);
  const pkts = r.pkts;
  // nothing lost, nothing twice
  expect(pkts.length, `records for ${file}`).toBe(expected.length);
  expect(sorted(pkts.map((p) => p.key))).toEqual(sorted(expected));
  // every worker numbered its own packets 1..k without a gap
  for (let w = 0; w < WORKERS; w++) {
    const ns = pkts.filter((p) => p.worker === w).map((p) => p.n);
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => i + 1));
  }
  if (clusterType !== 'round-robin') expect([...splitFlows(pkts, clusterType).keys()]).toEqual([]);
  // the final report and stats agree with what was emitted
  expect(r.report).toMatchObject({ handler: 'scriptable', workers: WORKERS, report: { packets: expected.length } });
  expect(r.workerStats.map((s) => s.worker)).toEqual([0, 1, 2]);
  for (const s of r.workerStats) {
    expect(s.received).toBe(pkts.filter((p) => p.worker === s.worker).length);
    expect(s, r.warnings.join('\n')).toMatchObject({ handlerErrors: 0, restarts: 0, dropped: 0 });
  }
  expect(r.total).toMatchObject({ received: expected.length, records: expected.length });
}

/** Two runs at a time (each is a supervisor and 3 workers on a shared 2-core machine). */
const slot = limiter(2);
const LONG = 240_000;

const cli = async (file: string, clusterType: string) => {
  const r = await slot(() => pfwork(['start', '--read', file, '--workers', String(WORKERS), '--handler', scriptable, '--cluster-type', clusterType], { timeoutMs: 120_000 }));
  // the summary comes last
  expect(r.records.at(-1)).toMatchObject({ type: 'stats', scope: 'total' });
  return fromCli(r);
};

describe.concurrent('our generated captures, through the pfwork command', () => {
  for (const [name, file, types] of [
    ['demo', demo, ['per-flow', 'round-robin']],
    ['edge', edge, ['per-flow', 'per-flow-2-tuple', 'per-flow-4-tuple', 'per-flow-5-tuple', 'per-flow-tcp-5-tuple']],
  ] as const) {
    for (const type of types) {
      test(`${name} capture, --cluster-type ${type}: every packet once, flows never split`, async () => {
        const r = await cli(file, type);
        expect(r.errors).toEqual([]);
        expect(r.code).toBe(0);
        expect(r.workerStats.every((s) => s.state === 'done')).toBe(true);
        checkRun(r, file, type);
      }, LONG);
    }
  }
});

const shared = sharedPcaps();
const HASHED = ['per-flow', 'per-flow-2-tuple', 'per-flow-4-tuple', 'per-flow-5-tuple', 'per-flow-tcp-5-tuple'];

describe.skipIf(!shared).concurrent(`shared captures, through the Supervisor API${shared ? '' : ` (${SHARED_PCAPS_SKIP})`}`, () => {
  (shared ?? []).forEach((row, i) => {
    const type = HASHED[i % HASHED.length]!;
    test(`${row.localPath} (${type})`, async () => {
      const r = await slot(() => viaSupervisor(row.file, type));
      if (row.unsupported) {
        // a link type pfwork cannot decode: refused at open, clearly, once
        expect(r.code).toBe(1);
        expect(r.errors.map((e) => e.code)).toEqual(['PFW_UNSUPPORTED_LINKTYPE']);
        expect(r.pkts).toEqual([]);
        return;
      }
      if (row.damaged) {
        // every packet before the damage is kept (as many as tshark read), each once;
        // the damage is reported once; exit 1
        expect(r.code).toBe(1);
        expect(r.errors.map((e) => e.code)).toEqual(['PFW_CAPTURE_DAMAGED']);
        expect(r.pkts.length).toBe(row.packets);
        expect(new Set(r.pkts.map((p) => p.key)).size).toBe(row.packets);
        expect(r.total).toMatchObject({ received: row.packets });
        return;
      }
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      checkRun(r, row.file, type);
    }, LONG);
  });
});
