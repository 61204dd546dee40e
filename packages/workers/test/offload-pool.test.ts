import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { OffloadPool } from '../src/offload/offload-pool.js';
import { fixtures } from '../../../test/support/run-pfwork.js';

const module = path.join(fixtures, 'offload-sleep.ts');

describe('OffloadPool (piscina, bounded queue)', () => {
  test('runs the module\'s default export in a thread (TypeScript, no build step)', async () => {
    const pool = new OffloadPool({ module, threads: 1, maxQueue: 4 });
    try {
      await expect(pool.run({ n: 21, ms: 0 })).resolves.toBe(42);
      expect(pool.counters).toEqual({ run: 1, dropped: 0, errors: 0 });
    } finally {
      await pool.close();
    }
  });

  test('a full queue drops and counts the task instead of waiting', async () => {
    const pool = new OffloadPool({ module, threads: 1, maxQueue: 2 });
    try {
      const t0 = performance.now();
      const results = Array.from({ length: 10 }, (_, n) => pool.run({ n, ms: 100 }));
      // run() never waited on the 100 ms tasks
      expect(performance.now() - t0).toBeLessThan(80);
      const accepted = results.filter((r) => r !== undefined);
      expect(results.filter((r) => r === undefined).length).toBe(pool.dropped);
      expect(pool.dropped).toBeGreaterThanOrEqual(7);
      expect(accepted.length).toBeLessThanOrEqual(3); // one running + two queued
      await Promise.all(accepted);
      expect(pool.counters.run).toBe(accepted.length);
      expect(pool.pending).toBe(0);
    } finally {
      await pool.close();
    }
  });

  test('a task that throws rejects its promise and is counted', async () => {
    const pool = new OffloadPool({ module, threads: 1, maxQueue: 4 });
    try {
      await expect(pool.run({ n: -1, ms: 0 })).rejects.toThrow('negative: -1');
      expect(pool.counters.errors).toBe(1);
    } finally {
      await pool.close();
    }
  });

  test('close() lets queued tasks finish; run() after close drops', async () => {
    const pool = new OffloadPool({ module, threads: 1, maxQueue: 8 });
    const p = [pool.run({ n: 1, ms: 30 }), pool.run({ n: 2, ms: 30 })];
    await pool.close();
    await expect(Promise.all(p)).resolves.toEqual([2, 4]);
    expect(pool.run({ n: 3, ms: 0 })).toBeUndefined();
    expect(pool.dropped).toBe(1);
  });

  test('bad sizes are refused with PFW_OFFLOAD_OPTIONS', () => {
    expect(() => new OffloadPool({ module, threads: 0 })).toThrow('offload threads must be a positive integer, got 0');
  });
});
