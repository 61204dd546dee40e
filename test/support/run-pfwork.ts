/**
 * Runs the real `pfwork` command (bin/pfwork.mjs through tsx, no build step)
 * as a child process and collects what it wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const workersRoot = path.join(repoRoot, 'packages/workers');
export const pfworkBin = path.join(workersRoot, 'bin/pfwork.mjs');
export const fixtures = path.join(workersRoot, 'test/fixtures');

export interface PfworkRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON. */
  records: Record<string, unknown>[];
  /** stderr lines that are JSON objects (logs and stats when stderr is not a TTY). */
  logs: Record<string, unknown>[];
}

export interface RunningPfwork {
  child: ChildProcess;
  done: Promise<PfworkRun>;
  /**
   * Resolves when stderr has printed a line matching `re` (`fresh`: a line
   * printed after this call, not one already there).
   */
  waitForStderr(re: RegExp, timeoutMs?: number, fresh?: boolean): Promise<string>;
}

function parseLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not JSON: a plain log line
    }
  }
  return out;
}

/** Starts `pfwork ...args`; `done` resolves when it exits (rejects after timeoutMs). */
export function startPfwork(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): RunningPfwork {
  const child = spawn(process.execPath, [pfworkBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...watchers]) {
      const m = stderr.slice(w.from).split('\n').find((l) => w.re.test(l));
      if (m) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const done = new Promise<PfworkRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pfwork ${args.join(' ')} did not exit within ${timeoutMs} ms\nstderr (end):\n${stderr.slice(-1500)}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, records: parseLines(stdout), logs: parseLines(stderr) });
    });
  });
  return {
    child,
    done,
    waitForStderr(re, ms = 90_000, fresh = false) {
      return new Promise((resolve, reject) => {
        const from = fresh ? stderr.length : 0;
        const m = fresh ? undefined : stderr.split('\n').find((l) => re.test(l));
        if (m) return resolve(m);
        const t = setTimeout(() => reject(new Error(`stderr never matched ${re} within ${ms} ms:\n${stderr.slice(-1500)}`)), ms);
        watchers.push({ re, from, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    },
  };
}

/** Runs `pfwork ...args` to completion. */
export function pfwork(args: string[], opts?: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<PfworkRun> {
  return startPfwork(args, opts).done;
}
