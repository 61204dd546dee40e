/**
 * Builds the libpfring STAND-IN (pfring-standin.c: records calls, returns
 * scripted results; it is not PF_RING) with the machine's gcc into a temporary
 * directory, and reads its call log. Tests skip with STANDIN_SKIP when gcc is
 * missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pfring-standin.c');

export const HAVE_GCC = spawnSync('gcc', ['--version']).status === 0;
export const STANDIN_SKIP = 'needs gcc to build the libpfring stand-in (apt-get install gcc)';

/** full: every symbol; no-consumer: lacks pfring_set_cluster_consumer (< 8.7); old: also lacks pfring_set_socket_mode, reports 5.6.0. */
export type StandinVariant = 'full' | 'no-consumer' | 'old';

export interface Standin {
  dir: string;
  /** Absolute path of libpfring-standin[-variant].so. */
  lib(variant?: StandinVariant): string;
  logPath: string;
  scriptPath: string;
  /** Writes the script read at the next pfring_open (see the header of pfring-standin.c). */
  script(lines: string[]): void;
  /** The calls recorded since the last clearLog(), in order. */
  calls(): StandinCall[];
  clearLog(): void;
  cleanup(): void;
}

export interface StandinCall {
  call: string;
  rc: number;
  [arg: string]: unknown;
}

const defines: Record<StandinVariant, string[]> = {
  full: [],
  'no-consumer': ['-DSTANDIN_NO_CLUSTER_CONSUMER'],
  old: ['-DSTANDIN_OLD'],
};

/**
 * Compiles the requested variants (default: all three) and sets
 * PFWORK_STANDIN_LOG / PFWORK_STANDIN_SCRIPT for this process.
 */
export function buildStandin(variants: StandinVariant[] = ['full', 'no-consumer', 'old']): Standin {
  const dir = mkdtempSync(path.join(tmpdir(), 'pfw-pfring-standin-'));
  const name = (v: StandinVariant) => path.join(dir, v === 'full' ? 'libpfring-standin.so' : `libpfring-standin-${v}.so`);
  for (const v of variants) {
    // Deliberately not linked with -lpcap: pfwork must make libpcap global first.
    execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-Wall', '-Wextra', '-Werror', ...defines[v], '-o', name(v), source, '-lpthread'], {
      stdio: 'pipe',
    });
  }
  const logPath = path.join(dir, 'calls.ndjson');
  const scriptPath = path.join(dir, 'script.txt');
  writeFileSync(logPath, '');
  writeFileSync(scriptPath, '');
  process.env.PFWORK_STANDIN_LOG = logPath;
  process.env.PFWORK_STANDIN_SCRIPT = scriptPath;
  return {
    dir,
    lib: (v = 'full') => name(v),
    logPath,
    scriptPath,
    script: (lines) => writeFileSync(scriptPath, lines.join('\n') + '\n'),
    calls: () =>
      existsSync(logPath)
        ? readFileSync(logPath, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as StandinCall)
        : [],
    // The stand-in appends with O_APPEND semantics ("a"): truncating is safe.
    clearLog: () => writeFileSync(logPath, ''),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One `packet` script line: bytes as hex, ts split in sec/nsec. */
export function packetLine(p: { sec: number; nsec: number; ifindex: number; rx: boolean; bytes: Uint8Array; len?: number }): string {
  const hex = Buffer.from(p.bytes).toString('hex');
  return `packet ${p.sec} ${p.nsec} ${p.ifindex} ${p.rx ? 1 : 0} ${p.len ?? p.bytes.length} ${hex}`;
}
