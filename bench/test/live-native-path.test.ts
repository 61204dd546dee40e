/**
 * The live context rows (`live-ring`, `live-native`) must measure the traffic
 * the C reader measures: bench/programs/live-native-path.ts on the capture end
 * of a veth pair receives every injected frame, counts every flow with the
 * flow table (and none without), and ends by itself once the link is quiet.
 * Needs root (a namespace, a veth pair, AF_PACKET); skips without it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../gen/generate.js';
import { PROGRAMS_DIR, REPO_ROOT } from '../lib/paths.js';
import type { ProgramReport } from '../lib/report.js';
import { NEEDS_ROOT, createVethPair, isRoot } from '../../test/support/netns.js';
import { runInject } from '../../test/support/inject.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pfw-bench-live-'));
const pair = isRoot() ? createVethPair('benchlive') : null;
afterAll(() => {
  pair?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const PACKETS = 3_000;
const FLOWS = 200;

/** Starts the program, injects the capture once it is ready, resolves with its report. */
async function measure(file: string, extra: string[]): Promise<ProgramReport> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROGRAMS_DIR, 'live-native-path.ts'), '--device', pair!.captureIf, '--idle-ms', '300', ...extra],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const lines: string[] = [];
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      lines.push(l);
      if (l.includes('"ready"')) resolve();
    });
    void closed.then((code) => reject(new Error(`live-native-path exited (${code}) before it was ready: ${err}`)));
  });
  const sent = await runInject(pair!, { file, rate: 50_000 });
  expect(sent.sent).toBe(PACKETS);
  expect(await closed, err).toBe(0);
  return JSON.parse(lines.at(-1)!) as ProgramReport;
}

describe.skipIf(!pair)(`bench/programs/live-native-path.ts${pair ? '' : ` (${NEEDS_ROOT})`}`, () => {
  const file = path.join(dir, 'live.pcap');
  generateCapture(file, { packets: PACKETS, flows: FLOWS, seed: 5 });

  it('with the flow table: every frame received, every flow counted, CPU measured', async () => {
    const r = await measure(file, []);
    expect(r).toMatchObject({ packets: PACKETS, drops: 0, flows: FLOWS });
    expect(r.cpuSeconds).toBeGreaterThan(0);
  }, 60_000);

  it('--no-flows: every frame received, no flow table', async () => {
    const r = await measure(file, ['--no-flows']);
    expect(r).toMatchObject({ packets: PACKETS, drops: 0 });
    expect(r.flows).toBeUndefined();
  }, 60_000);
});
