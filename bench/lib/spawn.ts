/** Runs a measured program and takes its report (the last JSON line it prints). */
import { spawn, type SpawnOptions } from 'node:child_process';
import type { ProgramReport } from './report.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` to completion, collecting output. Rejects only if it cannot be started. */
export function runToEnd(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The last line of `text` that parses as a JSON object with `key`. */
export function lastJsonWith<T = Record<string, unknown>>(text: string, key: string): T | undefined {
  const lines = text.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (key in o) return o as T;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/** Runs a program that prints a ProgramReport; throws with its output when it fails or prints none. */
export async function runProgram(what: string, cmd: string, args: string[], opts: SpawnOptions = {}): Promise<ProgramReport> {
  const r = await runToEnd(cmd, args, opts);
  const report = lastJsonWith<ProgramReport>(r.stdout, 'packets') ?? lastJsonWith<ProgramReport>(r.stdout, 'sent');
  if (r.code !== 0 || !report) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${what} failed (exit ${r.code ?? r.signal}):\n${tail}`);
  }
  return report;
}
