/**
 * Runs the real `pfwork start` command (the CLI users run) with a bench
 * handler, and turns what it leaves behind into a ProgramReport: the workers'
 * probe files (timing, CPU, heap, RSS: handlers/probe.ts) and the final
 * per-worker stats records at the end of its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkerProbe } from '../handlers/probe.js';
import { BENCH_DIR, REPO_ROOT } from './paths.js';
import type { ProgramReport } from './report.js';

export const PFWORK_BIN = path.join(REPO_ROOT, 'packages/workers/bin/pfwork.mjs');
export const HANDLERS = {
  flowsOnly: path.join(BENCH_DIR, 'handlers/flows-only.ts'),
  count5tuple: path.join(BENCH_DIR, 'handlers/count-5tuple.ts'),
};

export interface PfworkRun {
  /** --read FILE or --interface IF. */
  input: { read: string } | { interface: string };
  workers: number;
  handler: string;
  flows: boolean;
  /** Scratch path prefix for config, output and probe files. */
  prefix: string;
  /** Write a V8 CPU profile of every worker's capture window here (handlers/probe.ts). */
  cpuProfDir?: string | null;
}

interface WorkerStats {
  type: 'stats';
  scope: 'worker' | 'total';
  worker?: number;
  received: number;
  dropped: number;
  flows: number;
  handlerErrors: number;
  firstError: { hook: string; message: string } | null;
}

export interface StartedPfwork {
  child: ChildProcess;
  /** Resolves once every worker's setup() ran (the rings are open). */
  ready: Promise<void>;
  /** Resolves with the report once the command exits. */
  done: Promise<ProgramReport>;
}

/** The last `bytes` of a file (the stats records come last). */
function tail(file: string, bytes: number): string {
  const size = statSync(file).size;
  const n = Math.min(size, bytes);
  const buf = Buffer.alloc(n);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, n, size - n);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

function lastStats(output: string, workers: number): WorkerStats[] {
  const found: WorkerStats[] = [];
  for (const line of tail(output, 1 << 18).split('\n')) {
    if (!line.startsWith('{"type":"stats"')) continue;
    try {
      const s = JSON.parse(line) as WorkerStats;
      if (s.scope === 'worker') found[s.worker ?? found.length] = s;
    } catch {
      // a line cut by the tail window
    }
  }
  if (found.filter(Boolean).length !== workers) throw new Error(`pfwork's output ${output} ends without the final stats of ${workers} worker(s)`);
  return found;
}

/**
 * What the supervisor's cluster index thread cost in a file run with 2 or
 * more workers, from its last log line ("cluster index: ..."): its CPU, which
 * the workers' cpuSeconds do not include, and how long it waited for them.
 */
function indexCost(stderr: string): { indexCpuSeconds: number; indexWaitedSeconds: number } | Record<string, never> {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.includes('"cluster index: ')) continue;
    try {
      const l = JSON.parse(line) as { indexCpuSeconds?: unknown; indexWaitedSeconds?: unknown };
      if (typeof l.indexCpuSeconds === 'number' && typeof l.indexWaitedSeconds === 'number') {
        return { indexCpuSeconds: l.indexCpuSeconds, indexWaitedSeconds: l.indexWaitedSeconds };
      }
    } catch {
      // a line cut by the stderr window
    }
  }
  return {};
}

/** Starts `pfwork start ...`; stop a live run with child.kill('SIGINT') (it drains). */
export function startPfwork(run: PfworkRun): StartedPfwork {
  const config = `${run.prefix}.config.json`;
  const output = `${run.prefix}.out.ndjson`;
  const handlerConfig = { out: run.prefix, ...(run.cpuProfDir ? { cpuProfDir: run.cpuProfDir } : {}) };
  writeFileSync(config, JSON.stringify({ handler: { path: run.handler, config: handlerConfig } }, null, 2));
  const args = [
    PFWORK_BIN, 'start',
    ...('read' in run.input ? ['--read', run.input.read] : ['--interface', run.input.interface]),
    '--workers', String(run.workers),
    '--config', config,
    '--output', output,
    ...(run.flows ? ['--flows'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const probeFile = (i: number) => `${run.prefix}.${i}.json`;
  const ready = new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      let all = true;
      for (let i = 0; i < run.workers; i++) if (!existsSync(`${run.prefix}.${i}.ready`)) all = false;
      if (all) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`pfwork exited (${child.exitCode}) before its workers were ready:\n${stderr.split('\n').slice(-15).join('\n')}`));
      }
    }, 20);
  });
  ready.catch(() => {});
  const done = exited.then((code): ProgramReport => {
    const fail = (why: string) => {
      const lastError = stderr
        .split('\n')
        .filter((l) => l.includes('"level":"error"'))
        .map((l) => {
          try {
            return (JSON.parse(l) as { msg?: string }).msg ?? l;
          } catch {
            return l;
          }
        })
        .pop();
      return new Error(`pfwork ${why}${lastError ? `: ${lastError}` : ''}\n(pfwork ${args.slice(1).join(' ')})\n${stderr.split('\n').slice(-10).join('\n')}`);
    };
    if (code !== 0) throw fail(`exited with ${code}`);
    const probes: WorkerProbe[] = [];
    for (let i = 0; i < run.workers; i++) {
      if (!existsSync(probeFile(i))) throw fail(`left no probe for worker ${i}`);
      probes.push(JSON.parse(readFileSync(probeFile(i), 'utf8')) as WorkerProbe);
    }
    const stats = lastStats(output, run.workers);
    const errors = stats.reduce((n, s) => n + s.handlerErrors, 0);
    if (errors) throw fail(`counted ${errors} handler error(s), first: ${JSON.stringify(stats.find((s) => s.firstError)?.firstError)}`);
    const handlerFlows = probes.every((p) => typeof p.flows === 'number') ? probes.reduce((n, p) => n + (p.flows as number), 0) : undefined;
    const index = indexCost(stderr);
    return {
      packets: stats.reduce((n, s) => n + s.received, 0),
      seconds: (Math.max(...probes.map((p) => p.t1)) - Math.min(...probes.map((p) => p.t0))) / 1000,
      cpuSeconds: probes.reduce((n, p) => n + p.cpuSeconds, 0),
      /** The workers' CPU only: the supervisor (writing records) is not counted. */
      cpuSecondsPerWorker: probes.map((p) => p.cpuSeconds),
      flows: run.flows ? stats.reduce((n, s) => n + s.flows, 0) : handlerFlows,
      drops: stats.reduce((n, s) => n + s.dropped, 0),
      rssKb: probes.map((p) => p.rssKb),
      heapStart: Math.max(...probes.map((p) => p.heapStart)),
      heapEnd: Math.max(...probes.map((p) => p.heapEnd)),
      heapGrowth: Math.max(...probes.map((p) => p.heapEnd - p.heapStart)),
      heapGrowthAtClose: Math.max(...probes.map((p) => p.heapAtClose - p.heapStart)),
      minorGcs: probes.reduce((n, p) => n + p.minorGcs, 0),
      majorGcs: probes.reduce((n, p) => n + p.majorGcs, 0),
      perWorkerPackets: stats.map((s) => s.received),
      ...index,
    };
  });
  return { child, ready, done };
}
