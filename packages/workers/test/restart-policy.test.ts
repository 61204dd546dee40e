import { describe, expect, test } from 'vitest';
import { DEFAULT_RESTART_POLICY, RestartPolicy } from '../src/supervisor/restart-policy.js';

/** Crashes `ms` after every start, returns the decisions. */
function crashLoop(p: RestartPolicy, times: number, ms = 1) {
  let now = 1_000_000;
  const out = [];
  for (let i = 0; i < times; i++) {
    p.started(now);
    now += ms;
    const d = p.crashed(now);
    out.push(d);
    if (d.restart) now += d.delayMs;
  }
  return out;
}

describe('RestartPolicy (PM2-style)', () => {
  test('defaults: x1.5 from 100 ms, capped at 15 s, stable after 30 s, 16 unstable restarts', () => {
    expect(DEFAULT_RESTART_POLICY).toEqual({ restartDelayMs: 100, restartBackoff: 1.5, maxRestartDelayMs: 15_000, stableAfterMs: 30_000, maxUnstableRestarts: 16 });
  });

  test('delays grow x1.5 from 100 ms and are capped at 15 s', () => {
    const d = crashLoop(new RestartPolicy(), 16).map((x) => (x.restart ? x.delayMs : -1));
    expect(d.slice(0, 6)).toEqual([100, 150, 225, 338, 506, 759]);
    expect(Math.max(...d)).toBe(15_000);
    expect(d.at(-1)).toBe(15_000);
  });

  test('the 17th crash without a stable run gives up', () => {
    const d = crashLoop(new RestartPolicy(), 17);
    expect(d.slice(0, 16).every((x) => x.restart)).toBe(true);
    expect(d[16]).toEqual({ restart: false, unstableRestarts: 16 });
  });

  test('a run of 30 s resets the delay and the unstable count', () => {
    const p = new RestartPolicy();
    crashLoop(p, 5);
    expect(p.unstableRestarts).toBe(5);
    p.started(10_000_000);
    const d = p.crashed(10_000_000 + 30_000);
    expect(d).toEqual({ restart: true, delayMs: 100, unstableRestarts: 1 });
  });

  test('a run just short of stable does not reset', () => {
    const p = new RestartPolicy();
    crashLoop(p, 2);
    p.started(10_000_000);
    expect(p.crashed(10_000_000 + 29_999)).toEqual({ restart: true, delayMs: 225, unstableRestarts: 3 });
  });

  test('maxUnstableRestarts 0 never restarts', () => {
    expect(crashLoop(new RestartPolicy({ maxUnstableRestarts: 0 }), 1)[0]).toEqual({ restart: false, unstableRestarts: 0 });
  });
});
