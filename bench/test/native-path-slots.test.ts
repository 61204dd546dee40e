/**
 * bench/programs/native-path-slots.ts (the native path in N processes through
 * the cluster index, a context row): its slots together must read every
 * packet of the file and end the same flows as the one-process native path;
 * a bad argument is a usage error, not a figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../gen/generate.js';
import { PROGRAMS_DIR, REPO_ROOT } from '../lib/paths.js';
import { runProgram } from '../lib/spawn.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pfw-bench-slots-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const program = path.join(PROGRAMS_DIR, 'native-path-slots.ts');
const run = (...args: string[]) => runProgram('native-path-slots', process.execPath, ['--import', 'tsx', program, ...args], { cwd: REPO_ROOT });

describe('native-path-slots program', () => {
  const file = path.join(dir, 'small.pcap');
  generateCapture(file, { packets: 20_000, flows: 500, seed: 5 });

  it('reads every packet in 2 and 3 slots and ends the flows one process ends, with the writer counted', async () => {
    const one = await runProgram('native-path', process.execPath, ['--import', 'tsx', path.join(PROGRAMS_DIR, 'native-path.ts'), file], { cwd: REPO_ROOT });
    for (const slots of ['2', '3']) {
      const r = await run(file, '--slots', slots);
      expect(r.packets).toBe(20_000);
      expect(r.flows).toBe(one.flows);
      expect(r.rssKb).toHaveLength(Number(slots));
      expect(r.writerCpuSeconds).toBeGreaterThan(0);
      expect(r.cpuSeconds).toBeGreaterThan(r.writerCpuSeconds as number);
    }
  });

  it('refuses a single slot with its usage line', async () => {
    await expect(run(file, '--slots', '1')).rejects.toThrow(/usage: native-path-slots/);
  });
});
