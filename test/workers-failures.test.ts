/**
 * Failure paths, with the scriptable fixture handler over the generated demo
 * capture: a hook that throws is counted and the run goes on; a crash is
 * restarted with backoff in the same slot (and a file worker resumes without
 * losing or repeating records); a hang is killed after the kill timeout on
 * stop; too many crashes end the run with a clear error; SIGTERM drains.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDemoCapture } from '../examples/data/make-demo-pcap.js';
import { packetKey, readCapturePackets } from './support/capture-packets.js';
import { limiter } from './support/limit.js';
import { childNames, processAlive, threadNames } from './support/proc.js';
import { fixtures, pfwork as runPfwork, repoRoot, startPfwork as startRun, type PfworkRun } from './support/run-pfwork.js';

/** Two runs at a time (a supervisor and 3 workers each, on a shared 2-core machine). */
const slot = limiter(2);
const LONG = 240_000;
const pfwork = (args: string[]) => slot(() => runPfwork(args));
/** Starts a run when a slot is free; the slot is held until the run exits. */
function startPfwork(args: string[], env?: NodeJS.ProcessEnv): Promise<ReturnType<typeof startRun>> {
  return new Promise((resolve) => {
    void slot(async () => {
      const p = startRun(args, { env });
      resolve(p);
      await p.done.catch(() => {});
    });
  });
}

const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-workers-failures-'));
chmodSync(tmp, 0o755); // --user nobody reads the capture from here
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const scriptable = path.join(fixtures, 'scriptable-handler.ts');
const demo = path.join(tmp, 'demo.pcap');
writeDemoCapture(demo);
const expectedKeys = readCapturePackets(demo).map(packetKey).sort();

let n = 0;
/** A config file with these options (and the scriptable handler's config). */
function config(options: Record<string, unknown>): string {
  const file = path.join(tmp, `config-${++n}.json`);
  writeFileSync(file, JSON.stringify(options));
  return file;
}

const start = (cfg: Record<string, unknown>, extra: string[] = []) =>
  ['start', '--read', demo, '--workers', '3', '--handler', scriptable, '--config', config(cfg), ...extra];

type Pkt = { type: 'pkt'; worker: number; key: string };
const pkts = (r: PfworkRun) => r.records.filter((x) => x.type === 'pkt') as unknown as Pkt[];
const workerStats = (r: PfworkRun) => r.records.filter((x) => x.type === 'stats' && x.scope === 'worker');
const errors = (r: PfworkRun) => r.logs.filter((l) => l.type === 'log' && l.level === 'error');

/** Which worker each packet went to in a run without failures. */
let cleanSlots: Map<string, number>;
beforeAll(async () => {
  const clean = await pfwork(start({}));
  expect(clean.code).toBe(0);
  cleanSlots = new Map(pkts(clean).map((p) => [p.key, p.worker]));
}, LONG);

describe.concurrent('failure paths', () => {
  test('a hook that throws is counted per worker and the run goes on', async () => {
    const r = await pfwork(start({ handler: { config: { throwEvery: 10 } } }));
    expect(r.code).toBe(0);
    expect(pkts(r).map((p) => p.key).sort()).toEqual(expectedKeys);
    let thrown = 0;
    for (const s of workerStats(r)) {
      const mine = pkts(r).filter((p) => p.worker === s.worker).length;
      expect(s.handlerErrors).toBe(Math.floor(mine / 10));
      expect(s.firstError).toEqual({ hook: 'packet', message: 'thrown on purpose at packet 10' });
      thrown += Math.floor(mine / 10);
    }
    expect(r.records.find((x) => x.scope === 'total')).toMatchObject({ handlerErrors: thrown });
    // reported once per worker as it happens, not once per exception
    const warnings = r.logs.filter((l) => String(l.msg).includes('a handler hook threw (thrown on purpose at packet 10)'));
    expect(warnings.length).toBe(3);
  }, LONG);

  test('a crash is restarted with backoff; the worker keeps its slot and resumes without loss or repeat', async () => {
    const once = path.join(tmp, 'crashed-once');
    const r = await pfwork(start({ handler: { config: { exitOn: { packet: 400, worker: 1, onceFile: once, code: 9 } } } }));
    expect(r.code).toBe(0);
    expect(r.logs.some((l) => l.msg === 'worker 1 crashed (exit code 9); restarting in 100 ms (restart 1 of at most 16 without a stable run)')).toBe(true);
    // it had read from the cluster index's ring: its successor reads the whole file for its slot
    expect(r.logs.some((l) => String(l.msg).startsWith('worker 1 had read part of its share of the cluster index'))).toBe(true);
    const got = pkts(r);
    expect(got.map((p) => p.key).sort()).toEqual(expectedKeys);
    // every packet is on the worker it was on in a run without the crash
    for (const p of got) expect(p.worker, p.key).toBe(cleanSlots.get(p.key));
    const w1 = workerStats(r).find((s) => s.worker === 1)!;
    expect(w1).toMatchObject({ restarts: 1, state: 'done' });
    expect(r.records.find((x) => x.type === 'report')).toMatchObject({ report: { packets: expectedKeys.length } });
  }, LONG);

  test('too many crashes end the run with a clear error and exit 1', async () => {
    const r = await pfwork(
      start({
        handler: { config: { exitOn: { packet: 1, worker: 0 } } },
        supervision: { restartDelayMs: 10, maxRestartDelayMs: 40, maxUnstableRestarts: 3 },
      }),
    );
    expect(r.code).toBe(1);
    expect(errors(r).map((e) => e.msg)).toContain(
      "worker 0 crashed 4 times without running stably (last: exit code 1); giving up after 3 restarts. Look at the worker's errors above; the restart policy is supervision.maxUnstableRestarts / supervision.stableAfterMs",
    );
    expect(errors(r).find((e) => e.code === 'PFW_TOO_MANY_RESTARTS')).toBeDefined();
    expect(workerStats(r).find((s) => s.worker === 0)).toMatchObject({ restarts: 3, state: 'failed' });
  }, LONG);

  /**
   * A run whose worker 0 spins forever in its 5th packet() while workers 1 and
   * 2 reach the end of the file; resolves once both are done and worker 0 is
   * really spinning (it writes its onceFile first): a stop that reached worker
   * 0 before its 5th packet (still starting, or waiting for the cluster index)
   * would drain it cleanly.
   */
  async function startHung(killTimeoutMs: number) {
    // one name per run: these tests run concurrently, and a shared onceFile would let only one worker 0 hang
    const hung = path.join(tmp, `hung-${randomUUID()}`);
    const p = await startPfwork(start({ handler: { config: { hangOn: { packet: 5, worker: 0, onceFile: hung } } }, supervision: { killTimeoutMs } }, ['--stats-interval', '0.2']));
    await p.waitForStderr(/"state":"done".*"state":"done"/);
    for (let i = 0; i < 500 && !existsSync(hung); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(hung), 'worker 0 reached its 5th packet').toBe(true);
    return p;
  }

  test('a worker stuck in its handler holds the cluster index and the others: the log says which worker, ps names the workers and the index thread; a stop still ends the run', async () => {
    const hung = path.join(tmp, `hung-${randomUUID()}`);
    // rings of 512 packets (the demo capture gives each of the 3 workers ~1,100)
    const p = await startPfwork(start({ handler: { config: { hangOn: { packet: 5, worker: 0, onceFile: hung } } }, capture: { batchSize: 32 }, supervision: { killTimeoutMs: 1000 } }), {
      PFWORK_CLUSTER_INDEX_SLOT_BYTES: '4096',
    });
    await p.waitForStderr(/worker 0 holds the others back: the cluster index has waited \d+ s for it/);
    // ...and ps/top name them: the workers by slot, the supervisor's thread that waits for worker 0
    expect(childNames(p.child.pid!)).toEqual(['pfw-worker-0', 'pfw-worker-1', 'pfw-worker-2']);
    expect(threadNames(p.child.pid!)).toContain('pfw-index');
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code).toBe(1); // worker 0 killed after the kill timeout
    expect(r.logs.find((l) => String(l.msg).startsWith('worker 0 holds the others back'))).toMatchObject({ level: 'warn', worker: 0 });
    // workers 1 and 2 were held with it: each delivered less than its share
    for (const w of [1, 2]) {
      const share = [...cleanSlots.values()].filter((x) => x === w).length;
      expect(pkts(r).filter((x) => x.worker === w).length).toBeLessThan(share);
    }
  }, LONG);

  test('a hang is killed after the kill timeout on stop (exit 1, PFW_KILL_TIMEOUT)', async () => {
    const p = await startHung(1000);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const r = await p.done;
    const took = Date.now() - t0;
    expect(r.code).toBe(1);
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(5000);
    expect(errors(r).map((e) => e.msg)).toContain(
      'worker 0 did not finish draining within 1000 ms and was killed; its last records and report may be incomplete',
    );
    expect(workerStats(r).map((s) => s.state)).toEqual(['killed', 'done', 'done']);
  }, LONG);

  test('a supervisor killed outright (SIGKILL) takes a worker stuck in its handler with it: no orphan spins on', async () => {
    const p = await startHung(60_000);
    const line = await p.waitForStderr(/"type":"stats".*"workers":\[\{"worker":0,"pid":\d+/);
    const pid = Number(/"workers":\[\{"worker":0,"pid":(\d+)/.exec(line)![1]);
    const alive = () => processAlive(pid);
    expect(alive(), 'worker 0 runs (stuck in its 5th packet)').toBe(true);
    p.child.kill('SIGKILL');
    await p.done;
    for (let i = 0; i < 250 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(), `worker 0 (pid ${pid}) outlived its supervisor`).toBe(false);
  }, LONG);

  test('a second Ctrl-C kills at once instead of waiting for the kill timeout', async () => {
    const p = await startHung(60_000);
    const t0 = Date.now();
    p.child.kill('SIGINT');
    await p.waitForStderr(/SIGINT: stopping;/);
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.logs.some((l) => l.msg === 'SIGINT again: killing the workers now')).toBe(true);
    expect(errors(r).map((e) => e.msg)).toContain('worker 0 was killed (forced stop) before it finished draining; its last records and report may be incomplete');
    expect(workerStats(r).map((s) => s.state)).toEqual(['killed', 'done', 'done']);
  }, LONG);

  test('SIGTERM during a run: every worker drains, final report, stats and every flow, exit 0', async () => {
    const p = await startPfwork(start({ handler: { config: { slowMs: 2 } }, capture: { batchSize: 32 } }, ['--stats-interval', '0.2', '--flows']));
    await p.waitForStderr(/"type":"stats".*"received":[1-9]/);
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code).toBe(0);
    const got = pkts(r);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(expectedKeys.length);
    // nothing processed was lost: each worker's records equal what its stats say it received
    for (const s of workerStats(r)) {
      expect(s.state).toBe('done');
      expect(got.filter((x) => x.worker === s.worker).length).toBe(s.received);
    }
    expect(r.records.find((x) => x.type === 'report')).toMatchObject({ report: { packets: got.length, parts: 3 } });
    expect(r.logs.some((l) => String(l.msg).startsWith('SIGTERM: stopping;'))).toBe(true);
    // no flow record lost: the open flows were flushed (end_reason "stop"), and the flows
    // of each worker account for exactly the IP packets it processed
    const flows = r.records.filter((x) => x.type === 'flow') as { worker: number; orig_pkts: number; resp_pkts: number; end_reason: string }[];
    expect(flows.some((f) => f.end_reason === 'stop')).toBe(true);
    for (let w = 0; w < 3; w++) {
      const ipPackets = got.filter((x) => x.worker === w && (x as unknown as { src: string }).src !== '').length;
      const inFlows = flows.filter((f) => f.worker === w).reduce((n, f) => n + f.orig_pkts + f.resp_pkts, 0);
      expect(inFlows, `worker ${w}`).toBe(ipPackets);
    }
  }, LONG);

  test('setup() that throws stops the run before any packet (exit 1)', async () => {
    const r = await pfwork(start({ handler: { config: { failSetup: true } } }));
    expect(r.code).toBe(1);
    expect(pkts(r)).toEqual([]);
    expect(errors(r).some((e) => /^worker \d: setup failed on purpose \(failSetup\)$/.test(String(e.msg)))).toBe(true);
  }, LONG);

  test('handler.stopOnError: the first exception ends the run (exit 1)', async () => {
    const r = await pfwork(start({ handler: { stopOnError: true, config: { throwOn: { packet: 5, worker: 2 } } } }));
    expect(r.code).toBe(1);
    expect(errors(r).map((e) => e.msg)).toContain('worker 2: packet() threw and handler.stopOnError is set: thrown on purpose at packet 5');
    expect(workerStats(r).find((s) => s.worker === 2)).toMatchObject({ handlerErrors: 1, state: 'failed' });
  }, LONG);

  test('a capture file that does not exist: exit 1, reported once', async () => {
    const r = await pfwork(['start', '--read', path.join(tmp, 'missing.pcap'), '--workers', '3', '--handler', scriptable]);
    expect(r.code).toBe(1);
    expect(errors(r).length).toBe(1);
    expect(String(errors(r)[0]!.msg)).toContain('missing.pcap');
  }, LONG);

  const root = process.getuid?.() === 0;
  // Workers started as nobody load their code from this checkout: every directory above it must let others in
  // (a clone inside `mktemp -d`, mode 0700, does not).
  const closedDir = (() => {
    for (let d = repoRoot; ; d = path.dirname(d)) {
      const mode = statSync(d).mode & 0o777;
      if (!(mode & 0o001)) return `${d} is mode ${mode.toString(8)}`;
      if (d === path.dirname(d)) return undefined;
    }
  })();
  const userSkip = !root ? 'needs root to start processes as another user' : closedDir ? `user nobody cannot reach this checkout: ${closedDir}` : '';
  test.skipIf(userSkip !== '')(`--user: workers run as that user (the handler sees its uid)${userSkip ? ` (skipped: ${userSkip})` : ''}`, async () => {
    const r = await pfwork(start({ handler: { config: { identity: true, emit: 'none' } } }, ['--user', 'nobody']));
    expect(r.code, r.stderr).toBe(0);
    const ids = r.records.filter((x) => x.type === 'identity');
    expect(ids.length).toBe(3);
    for (const id of ids) expect(id).toMatchObject({ uid: 65534, gid: 65534 });
  }, LONG);

  test.skipIf(!root)(`--user: a user that cannot read what the workers load is refused before any worker starts, naming the directory (exit 78)${root ? '' : ' (skipped: needs root)'}`, async () => {
    const closed = mkdtempSync(path.join(tmp, 'closed-')); // mode 0700: nobody cannot enter
    const capture = path.join(closed, 'demo.pcap');
    writeDemoCapture(capture);
    const r = await pfwork(['start', '--read', capture, '--workers', '2', '--handler', scriptable, '--user', 'nobody']);
    expect(r.code, r.stderr).toBe(78);
    // the first thing nobody cannot read: this checkout when it is closed to others, else the capture
    const stop = closedDir ? closedDir.split(' is mode ')[0]! : closed;
    expect(r.stderr).toContain(`directory ${stop} does not let it in`);
    expect(r.stderr).toContain(`chmod o+x ${stop}`);
    expect(r.records.filter((x) => x.type === 'pkt')).toHaveLength(0);
  }, LONG);
});
