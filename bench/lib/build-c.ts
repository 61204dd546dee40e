/**
 * Builds the C programs of bench/c into bench/bin with the machine's cc, -O2,
 * when a binary is missing or older than its sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BIN_DIR, C_DIR } from './paths.js';

interface CProgram {
  name: string;
  sources: string[];
  libs: string[];
}

const PROGRAMS: CProgram[] = [
  { name: 'baseline_a', sources: ['baseline_a.c', 'flowwork.h'], libs: ['-lpcap'] },
  { name: 'tpacket_reader', sources: ['tpacket_reader.c', 'flowwork.h'], libs: [] },
  { name: 'inject', sources: ['inject.c'], libs: ['-lpcap'] },
  { name: 'page_cache', sources: ['page_cache.c'], libs: [] },
];

function stale(bin: string, sources: string[]): boolean {
  if (!existsSync(bin)) return true;
  const built = statSync(bin).mtimeMs;
  return sources.some((s) => statSync(path.join(C_DIR, s)).mtimeMs > built);
}

/**
 * Compiles what is stale and returns name -> binary path. Throws with the
 * compiler's message and what to install when cc or libpcap is missing.
 */
export function buildCPrograms(log: (m: string) => void = () => {}): Record<string, string> {
  mkdirSync(BIN_DIR, { recursive: true });
  const out: Record<string, string> = {};
  for (const p of PROGRAMS) {
    const bin = path.join(BIN_DIR, p.name);
    out[p.name] = bin;
    if (!stale(bin, p.sources)) continue;
    const cc = process.env.CC || 'cc';
    const args = ['-O2', '-Wall', '-o', bin, path.join(C_DIR, p.sources[0]!), ...p.libs];
    log(`building bench/bin/${p.name} (${cc} ${args.map((a) => path.relative(process.cwd(), a) || a).join(' ')})`);
    try {
      execFileSync(cc, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(
        `compiling bench/c/${p.sources[0]} failed: ${e.stderr?.toString().trim() || e.message}\n` +
          'The C baselines need a C compiler and libpcap headers (Debian: apt-get install gcc libpcap-dev).',
      );
    }
  }
  return out;
}
