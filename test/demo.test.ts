/**
 * `npm run demo`'s job (scripts/demo.sh after set-up): pfwork start with 2
 * workers over the bundled capture, then the readable summary.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/pcaps.js';

describe('npm run demo', () => {
  it('runs 2 workers over the bundled capture and prints a summary that adds up', () => {
    const out = execFileSync('bash', [path.join(repoRoot, 'scripts/demo.sh')], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const total = Number(/pfwork demo: (\d+) packets from examples\/data\/demo\.pcap, 2 workers/.exec(out)?.[1]);
    const perWorker = [...out.matchAll(/worker (\d): +(\d+) packets +\d+ bytes +(\d+) flows/g)];
    expect(perWorker.map((m) => Number(m[1]))).toEqual([0, 1]);
    expect(perWorker.reduce((n, m) => n + Number(m[2]), 0)).toBe(total);
    expect(total).toBeGreaterThan(1000);
    const ndjson = /Every record .*: (\S+\.ndjson)/.exec(out)![1]!;
    const flows = readFileSync(ndjson, 'utf8').split('\n').filter((l) => l.includes('"type":"flow"'));
    expect(out).toContain(`Flows: ${flows.length} (`);
    expect(perWorker.reduce((n, m) => n + Number(m[3]), 0)).toBe(flows.length);
    expect(out).toMatch(/Top talkers by bytes/);
  }, 120_000);
});
