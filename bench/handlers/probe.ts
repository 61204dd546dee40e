/**
 * Measurement shared by the bench handlers, taken inside each worker so that
 * process start-up (tsx, module loading) is not counted: wall time and CPU from
 * setup() (the ring is open, capture starts next) to close() (after the last
 * packet and the flow flush), JS heap after a full GC before capture starts and
 * when the worker exits, peak RSS. Each worker writes its figures to
 * `${out}.${index}.json` as it exits.
 *
 * Why the heap is read at exit: close() runs right after the end-of-input
 * flow flush, while every flow's record still waits in the worker to be sent
 * (tens of MB for 100,000 flows); that is output in flight, not growth.
 * At exit the records are gone and what is left is what the run retained.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface WorkerProbe {
  worker: number;
  pid: number;
  /** performance.timeOrigin + performance.now() at setup and close (ms since the epoch, sub-ms). */
  t0: number;
  t1: number;
  cpuSeconds: number;
  /** Heap used after a full GC: before capture starts (before the start barrier), and when the worker exits (its output sent). */
  heapStart: number;
  heapEnd: number;
  /** Heap used after a full GC in close(), once every worker has taken its t1: includes the records of the end-of-input flow flush not sent yet. */
  heapAtClose: number;
  rssKb: number;
  /** Garbage collections during the run: young generation (scavenges) and full (mark-compact). */
  minorGcs: number;
  majorGcs: number;
  [k: string]: unknown;
}

// A full GC on demand without --expose-gc on the worker's command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const now = () => performance.timeOrigin + performance.now();

// Time for V8's concurrent sweeping after a full GC (an 11 MB heap here).
const GC_SETTLE_MS = 50;
// The end barrier gives up after this long (a worker that died never writes its marker).
const END_BARRIER_MS = 120_000;

/** A barrier: until every worker of the run has written `${out}.${i}.${marker}` (or the time is up). */
async function waitForAll(count: number, out: string, marker: 'ready' | 'done', timeoutMs = Infinity): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; i < count; i++) while (!existsSync(`${out}.${i}.${marker}`) && Date.now() < until) await sleep(2);
}

/**
 * Starts a probe (await it in setup); finish() (in close) writes the figures.
 * Writes `${out}.${worker}.ready`, then waits until every worker of the run
 * has (a start barrier: workers forked one after the other on a busy machine
 * would otherwise start capturing at different times, and the run's wall time
 * would measure process start-up). Live runs inject once all are ready.
 *
 * The probe's own full GCs stay out of every worker's window: the one for
 * heapStart runs before the start barrier, with time for V8's helper threads
 * to finish sweeping after it; the ones for heapAtClose and heapEnd run after
 * an end barrier (finish() waits until every worker has taken its t1). On two
 * cores shared by two workers, a worker that finished first otherwise ran
 * these GCs (~110 ms of CPU, perf) on the cores the other was still
 * measured on, which a 1-worker run never pays inside its window.
 */
export async function startProbe(worker: number, count: number, out: string, cpuProfDir?: string) {
  const heapStart = heapAfterGc();
  await sleep(GC_SETTLE_MS);
  writeFileSync(`${out}.${worker}.ready`, '');
  await waitForAll(count, out, 'ready');
  const profiler = cpuProfDir ? await startProfiler() : undefined;
  let minorGcs = 0;
  let majorGcs = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e.detail as { kind?: number } | undefined)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcs++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
    }
  });
  gcs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = now();
  return {
    async finish(extra: Record<string, unknown> = {}): Promise<WorkerProbe> {
      const t1 = now();
      const cpu = process.cpuUsage(cpu0);
      writeFileSync(`${out}.${worker}.done`, '');
      await waitForAll(count, out, 'done', END_BARRIER_MS);
      if (profiler && cpuProfDir) {
        mkdirSync(cpuProfDir, { recursive: true });
        const file = path.join(cpuProfDir, `${path.basename(out)}.worker${worker}.cpuprofile`);
        writeFileSync(file, JSON.stringify(await profiler.stop()));
      }
      gcs.disconnect();
      const probe: WorkerProbe = {
        worker,
        pid: process.pid,
        t0,
        t1,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        heapStart,
        heapEnd: 0,
        heapAtClose: heapAfterGc(),
        rssKb: 0,
        minorGcs,
        majorGcs,
        ...extra,
      };
      // the worker exits (process.exit) once its last messages are sent
      process.once('exit', () => {
        probe.heapEnd = heapAfterGc();
        probe.rssKb = process.resourceUsage().maxRSS;
        writeFileSync(`${out}.${worker}.json`, JSON.stringify(probe) + '\n');
      });
      return probe;
    },
  };
}

/**
 * The V8 CPU profiler over the capture window only (the inspector's Profiler,
 * as --cpu-prof uses; that flag cannot reach forked workers). Open the
 * .cpuprofile in Chrome DevTools or speedscope.
 */
async function startProfiler(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      return profile;
    },
  };
}
