/**
 * Live: `pfwork start --interface <veth> --workers 4` on a veth pair inside a
 * network namespace this file creates, with traffic injected on the other end
 * by the project's own injector. Every packet is counted once, flows are never
 * split over workers, the stats equal what was sent; a crashed worker is
 * restarted in the same fanout slot; SIGTERM drains and every flow is reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writePcapFile } from '@pfwork/core/craft';
import { demoPackets } from '../examples/data/make-demo-pcap.js';
import { untaggedKey, readCapturePackets } from './support/capture-packets.js';
import { edgeFrames } from './support/edge-capture.js';
import { splitFlows, type PacketFields } from './support/flow-keys.js';
import { runInject } from './support/inject.js';
import { NEEDS_ROOT, createVethPair, isRoot, type VethPair } from './support/netns.js';
import { fixtures, startPfwork, type PfworkRun, type RunningPfwork } from './support/run-pfwork.js';
import { buildFrame } from '@pfwork/core/craft';

const root = isRoot();
const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-workers-live-'));
let pair: VethPair | null = null;
afterAll(() => {
  pair?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});
const scriptable = path.join(fixtures, 'scriptable-handler.ts');
// fanout group ids are per network namespace and the capture ends live in the root one: be unique
const clusterBase = 20_000 + (process.pid % 20_000);
const LONG = 240_000;

type Pkt = PacketFields & { type: 'pkt'; worker: number; body: string };
const pkts = (r: PfworkRun) => r.records.filter((x) => x.type === 'pkt') as unknown as Pkt[];

/**
 * The traffic: the demo capture's frames (TCP, DNS, ICMP, IPv6, VLAN) and the
 * edge frames (QinQ, MPLS, PPPoE, IPv6 extension headers, SCTP). No IPv4
 * fragments: the kernel reassembles them before fanout (PACKET_FANOUT_FLAG_DEFRAG),
 * so they are not counted frame by frame (packages/native's live tests cover that).
 */
function traffic(): string {
  const file = path.join(tmp, 'traffic.pcap');
  const frames = [...demoPackets().map((p) => p.data), ...edgeFrames().map((s) => buildFrame(s))];
  writePcapFile(file, frames.map((data, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, data })));
  return file;
}

/** Waits until the stats lines on stderr show every worker running. */
async function allRunning(p: RunningPfwork, workers: number): Promise<void> {
  await p.waitForStderr(new RegExp(`^\\{"type":"stats".*${Array(workers).fill('"state":"running"').join('.*')}`));
}

/** Waits until the total received in the stats lines reaches `n`. */
async function received(p: RunningPfwork, n: number): Promise<void> {
  await p.waitForStderr(new RegExp(`^\\{"type":"stats","time":"[^"]*","total":\\{"received":${n},`));
}

const running = new Set<RunningPfwork>();
afterAll(() => {
  for (const p of running) p.child.kill('SIGKILL');
});
function start(args: string[]): RunningPfwork {
  const p = startPfwork(args);
  running.add(p);
  void p.done.finally(() => running.delete(p)).catch(() => {});
  return p;
}

const live = (cluster: number, extra: string[] = []) => [
  'start', '--interface', pair!.captureIf, '--workers', '4', '--cluster-id', String(cluster),
  '--handler', scriptable, '--stats-interval', '0.2', ...extra,
];

describe.skipIf(!root)(`live capture on a veth pair${root ? '' : ` (skipped: ${NEEDS_ROOT})`}`, () => {
  test('4 workers: every packet counted once, flows never split, stats equal what was sent, SIGTERM reports every flow', async () => {
    pair = createVethPair('wlive');
    const file = traffic();
    const sentFrames = readCapturePackets(file);
    const p = start(live(clusterBase, ['--cluster-type', 'per-flow', '--flows']));
    await allRunning(p, 4);
    const report = await runInject(pair, { file, rate: 20_000 });
    expect(report.sent).toBe(sentFrames.length);
    await received(p, report.sent);
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const got = pkts(r);
    // every packet once: the multiset of frames captured is the multiset sent
    expect(got.map((x) => x.body).sort()).toEqual(sentFrames.map((f) => untaggedKey(f.data)).sort());
    // spread over the 4 workers, no flow split
    expect(new Set(got.map((x) => x.worker)).size).toBe(4);
    expect([...splitFlows(got, 'per-flow').keys()]).toEqual([]);
    // the stats say the same
    const total = r.records.find((x) => x.type === 'stats' && x.scope === 'total')!;
    expect(total).toMatchObject({ received: report.sent, dropped: 0, handlerErrors: 0, restarts: 0 });
    for (const s of r.records.filter((x) => x.type === 'stats' && x.scope === 'worker')) {
      expect(s.received).toBe(got.filter((x) => x.worker === s.worker).length);
    }
    // every flow reported at the stop, with all its packets
    const flows = r.records.filter((x) => x.type === 'flow') as { worker: number; orig_pkts: number; resp_pkts: number }[];
    for (let w = 0; w < 4; w++) {
      const ip = got.filter((x) => x.worker === w && x.src !== '').length;
      expect(flows.filter((f) => f.worker === w).reduce((n, f) => n + f.orig_pkts + f.resp_pkts, 0), `worker ${w}`).toBe(ip);
    }
  }, LONG);

  test('a crashed worker is restarted in the same fanout slot: its flows keep arriving at its index', async () => {
    pair ??= createVethPair('wlive');
    const file = traffic();
    const once = path.join(tmp, 'crash-once');
    const cfg = path.join(tmp, 'crash.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cfg, JSON.stringify({ handler: { config: { exitOn: { packet: 100, worker: 1, onceFile: once } } } }));
    const p = start(live(clusterBase + 1, ['--cluster-type', 'per-flow-5-tuple', '--config', cfg]));
    await allRunning(p, 4);
    const first = await runInject(pair, { file, rate: 20_000 });
    // worker 1 crashed at its 100th packet and is back, in the same slot
    await p.waitForStderr(/worker 1 crashed \(exit code 1\); restarting in 100 ms/);
    await p.waitForStderr(/"worker":1,"pid":\d+,"state":"running","restarts":1,/, undefined, true);
    // the same traffic again: every flow must land where it landed before the crash
    const second = await runInject(pair, { file, rate: 20_000 });
    expect(second.sent).toBe(first.sent);
    // the new process of worker 1 is fed (it had counted fewer than 100 before the crash)
    await p.waitForStderr(/"worker":1,"pid":\d+,"state":"running","restarts":1,"packetsPerSec":[^,]+,"bytesPerSec":[^,]+,"received":\d{3,},/, undefined, true);
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const got = pkts(r);
    expect([...splitFlows(got, 'per-flow-5-tuple').keys()]).toEqual([]);
    const w1 = r.records.find((x) => x.type === 'stats' && x.worker === 1)!;
    expect(w1).toMatchObject({ restarts: 1 });
    // worker 1's second process saw packets (the slot was kept and fed)
    expect(got.filter((x) => x.worker === 1).length).toBeGreaterThan(100);
  }, LONG);

  test('--duration ends a live run by itself: drained, summary printed, exit 0', async () => {
    pair ??= createVethPair('wlive');
    const t0 = Date.now();
    const r = await start(live(clusterBase + 2, ['--duration', '1'])).done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.records.filter((x) => x.type === 'stats' && x.scope === 'worker').map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(r.records.find((x) => x.type === 'report')).toMatchObject({ handler: 'scriptable', workers: 4 });
  }, LONG);
});
