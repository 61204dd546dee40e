/**
 * The README's first handler runs as written: saved as my-handler.ts in the
 * checkout (where a user would put it), `pfwork check` accepts it and
 * `pfwork start` over the demo capture (a private copy) merges its report.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDemoCapture } from '../examples/data/make-demo-pcap.js';
import { pfwork, repoRoot } from './support/run-pfwork.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const start = readme.indexOf('// my-handler.ts');
const code = readme.slice(start, readme.indexOf('```', start));

describe('README handler', () => {
  it('is checked and runs over the demo capture with 2 workers', async () => {
    expect(start).toBeGreaterThan(0);
    const dir = path.join(repoRoot, 'test/.tmp', `readme-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'my-handler.ts');
    writeFileSync(file, code);
    try {
      const check = await pfwork(['check', '--handler', file]);
      expect(check.code).toBe(0);
      expect(check.records[0]).toMatchObject({ type: 'check', ok: true, handler: 'syn-counter', config: { port: 80 } });
      const demo = path.join(dir, 'demo.pcap');
      writeDemoCapture(demo);
      const run = await pfwork(['start', '--workers', '2', '--read', demo, '--handler', file]);
      expect(run.code).toBe(0);
      const report = run.records.find((r) => r.type === 'report') as { report: { syns: number } };
      const resets = run.records.filter((r) => r.type === 'reset');
      expect(report.report.syns).toBeGreaterThan(0);
      expect(resets.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
