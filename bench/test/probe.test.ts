/**
 * The bench handlers' probe (bench/handlers/probe.ts): a worker that finishes
 * first must not run the probe's full GCs while another worker is still
 * measured, so finish() returns only once every worker of the run has taken
 * its t1 (the end barrier), and the figures it returns are those of its own
 * window.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startProbe } from '../handlers/probe.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the probe of a 2-worker run', () => {
  it("returns from finish() only once the other worker has taken its t1; each t1 is the worker's own", async () => {
    const out = path.join(dir, 'run');
    // Both workers of the run, in one process: each waits for the other at the start barrier.
    const [first, second] = await Promise.all([startProbe(0, 2, out), startProbe(1, 2, out)]);
    let firstReturned = false;
    const firstDone = first.finish().then((p) => {
      firstReturned = true;
      return p;
    });
    await sleep(150);
    expect(existsSync(`${out}.0.done`), 'worker 0 marks its t1 at once').toBe(true);
    expect(firstReturned, 'worker 0 waits for worker 1').toBe(false);
    const secondFinishes = performance.timeOrigin + performance.now();
    const b = await second.finish();
    const a = await firstDone;
    expect(a.t1).toBeLessThan(secondFinishes);
    expect(b.t1).toBeGreaterThanOrEqual(secondFinishes);
    expect(a.t1 - a.t0).toBeGreaterThan(0);
    expect(a.heapAtClose).toBeGreaterThan(0);
    expect(b.heapAtClose).toBeGreaterThan(0);
  });
});
