/**
 * bench/programs/cluster-index-writer.ts (the index writer's cost per record,
 * docs/bench.md) must index every record of the file and report the CPU the
 * writer took; a bad argument is a usage error, not a figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../gen/generate.js';
import { PROGRAMS_DIR, REPO_ROOT } from '../lib/paths.js';
import { runProgram } from '../lib/spawn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pfw-bench-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const program = path.join(PROGRAMS_DIR, 'cluster-index-writer.ts');

describe('cluster-index-writer program', () => {
  it('indexes every record of the file for 3 slots and reports its CPU time', async () => {
    const file = path.join(dir, 'small.pcap');
    generateCapture(file, { packets: 20_000, flows: 500, seed: 3 });
    const r = await runProgram('cluster-index-writer', process.execPath, ['--import', 'tsx', program, file, '--slots', '3'], { cwd: REPO_ROOT });
    expect(r.packets).toBe(20_000);
    expect(r.cpuSeconds).toBeGreaterThan(0);
    expect(r.indexBytes).toBeGreaterThan(0);
  });

  it('refuses a single slot (nothing to index) with its usage line', async () => {
    await expect(
      runProgram('cluster-index-writer', process.execPath, ['--import', 'tsx', program, path.join(dir, 'small.pcap'), '--slots', '1'], { cwd: REPO_ROOT }),
    ).rejects.toThrow(/usage: cluster-index-writer/);
  });
});
