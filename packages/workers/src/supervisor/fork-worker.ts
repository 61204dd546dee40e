/**
 * Forking one worker process: the entry module, tsx's loader (so .ts handlers
 * and our own TypeScript load without a build step), the inherited ring
 * socket, the uid/gid to run as.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { UserIds } from './user.js';

/** The descriptor number a worker finds its inherited ring socket or cluster index at (stdio index 4: after stdin, stdout, stderr, ipc). */
export const RING_FD_IN_WORKER = 4;

/** Our worker entry (worker/entry.ts). */
export const DEFAULT_WORKER_MODULE = fileURLToPath(new URL('../worker/entry.ts', import.meta.url));

/**
 * `--import <tsx>` as an absolute URL, so workers find tsx whatever the
 * working directory (a bare `--import tsx` resolves from the cwd).
 */
export function tsxExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx')];
}

export interface ForkWorkerOptions {
  module: string;
  execArgv: string[];
  /** 'pipe': the worker's stdout/stderr come back as streams (forwarded as log lines); 'inherit': shared with ours. */
  output: 'pipe' | 'inherit';
  /** A ring socket or a file's cluster index to hand over (appears at RING_FD_IN_WORKER in the worker). */
  ringFd?: number;
  user?: UserIds;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function forkWorker(o: ForkWorkerOptions): ChildProcess {
  const out = o.output === 'pipe' ? 'pipe' : 'inherit';
  const stdio: StdioOptions = ['ignore', out, out, 'ipc'];
  if (o.ringFd !== undefined) stdio.push(o.ringFd);
  return fork(o.module, [], {
    execArgv: o.execArgv,
    stdio,
    env: o.env ?? process.env,
    cwd: o.cwd,
    // 'advanced' (V8's structured clone): a RecordsMessage carries up to
    // megabytes of NDJSON text, which 'json' would escape quote by quote and
    // the supervisor would parse back (measured: ~2 us per flow record as
    // JSON against ~0.25 us as a V8 serialisation; docs/bench.md).
    serialization: 'advanced',
    ...(o.user ? { uid: o.user.uid, gid: o.user.gid } : {}),
  });
}
