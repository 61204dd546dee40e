/**
 * The verdicts printed under the table: each target of issue 6 computed from
 * the rows of the same run, MISS below the bar, n/a (never PASS) when a row it
 * needs did not run, and the live drop target only when the rate was reached.
 */
import { describe, expect, it } from 'vitest';
import { median } from '../lib/stats.js';
import type { ProgramReport } from '../lib/report.js';
import type { RowSummary } from '../lib/summary.js';
import { evaluateTargets, FLAT_HEAP_BYTES } from '../lib/targets.js';
import { ROWS, RUN_ORDER, inRunOrder } from '../rows/index.js';

/**
 * Rows of one round: `pps` becomes a run of that rate, `cpuNsPerPacket` a run
 * of that CPU time (targets read the runs, paired by round).
 */
function rows(list: Partial<RowSummary>[]): Map<string, RowSummary> {
  return new Map(
    list.map((r) => {
      const runs: ProgramReport[] = r.runs ?? [];
      if (!r.runs && (r.pps !== undefined || r.cpuNsPerPacket !== undefined)) {
        const packets = 1_000_000;
        runs.push({ packets, seconds: packets / (r.pps ?? packets), cpuSeconds: ((r.cpuNsPerPacket ?? 0) * packets) / 1e9, round: 1 });
      }
      return [r.id!, { title: r.id!, section: 'file', ...r, runs } as RowSummary];
    }),
  );
}

/** Runs of `rates` packets/s, rounds 1, 2, ... (undefined: the row did not run that round). */
const runsAt = (rates: (number | undefined)[]): ProgramReport[] =>
  rates.flatMap((pps, i) => (pps === undefined ? [] : [{ packets: pps, seconds: 1, round: i + 1 }]));

const find = (t: ReturnType<typeof evaluateTargets>, row: string, text: string) => t.find((x) => x.row === row && x.text === text)!;

describe('evaluateTargets', () => {
  it('passes at the bar and misses just below it', () => {
    const t = evaluateTargets(rows([{ id: 'a', pps: 1000 }, { id: 'b', pps: 100 }, { id: 'flows-1', pps: 800 }, { id: 'handler-1', pps: 499 }]), 300_000);
    expect(find(t, 'flows-1', '>= 0.8x A')).toMatchObject({ verdict: 'PASS', measured: '0.80x A' });
    expect(find(t, 'handler-1', '>= 0.5x A')).toMatchObject({ verdict: 'MISS', measured: '0.50x A' });
    expect(find(t, 'handler-1', '>= 5x B')).toMatchObject({ verdict: 'MISS', measured: '4.99x B' });
  });

  it('compares 2 workers with 1 worker of the same kind', () => {
    const t = evaluateTargets(rows([{ id: 'flows-1', pps: 100 }, { id: 'flows-2', pps: 160 }, { id: 'handler-1', pps: 100 }, { id: 'handler-2', pps: 159 }]), 300_000);
    expect(find(t, 'flows-2', '>= 1.6x 1 worker').verdict).toBe('PASS');
    expect(find(t, 'handler-2', '>= 1.6x 1 worker').verdict).toBe('MISS');
  });

  it("prints two Baseline A processes' scaling beside the 2-worker verdicts, which it does not change", () => {
    const t = evaluateTargets(
      rows([{ id: 'a', pps: 100 }, { id: 'a-2', pps: 155 }, { id: 'flows-1', pps: 100 }, { id: 'flows-2', pps: 150 }, { id: 'handler-1', pps: 100 }, { id: 'handler-2', pps: 161 }]),
      300_000,
    );
    expect(find(t, 'flows-2', '>= 1.6x 1 worker')).toMatchObject({ verdict: 'MISS', measured: '1.50x 1 worker (2 Baseline A at once: 1.55x)' });
    expect(find(t, 'handler-2', '>= 1.6x 1 worker')).toMatchObject({ verdict: 'PASS', measured: '1.61x 1 worker (2 Baseline A at once: 1.55x)' });
    const without = evaluateTargets(rows([{ id: 'flows-1', pps: 100 }, { id: 'flows-2', pps: 150 }]), 300_000);
    expect(find(without, 'flows-2', '>= 1.6x 1 worker').measured).toBe('1.50x 1 worker');
  });

  it("prints the native path's scaling in 2 slot processes beside them too, which it does not change either", () => {
    const t = evaluateTargets(
      rows([{ id: 'a', pps: 100 }, { id: 'a-2', pps: 190 }, { id: 'native', pps: 100 }, { id: 'native-2', pps: 142 }, { id: 'flows-1', pps: 100 }, { id: 'flows-2', pps: 150 }]),
      300_000,
    );
    expect(find(t, 'flows-2', '>= 1.6x 1 worker')).toMatchObject({
      verdict: 'MISS',
      measured: '1.50x 1 worker (2 Baseline A at once: 1.90x; native path in 2 slots: 1.42x)',
    });
    const alone = evaluateTargets(rows([{ id: 'native', pps: 100 }, { id: 'native-2', pps: 170 }, { id: 'flows-1', pps: 100 }, { id: 'flows-2', pps: 161 }]), 300_000);
    expect(find(alone, 'flows-2', '>= 1.6x 1 worker')).toMatchObject({ verdict: 'PASS', measured: '1.61x 1 worker (native path in 2 slots: 1.70x)' });
  });

  it("prints the index thread's share of each 2-worker row's CPU beside its verdict (the median over runs), which it does not change", () => {
    const run = (round: number, pps: number, cpuSeconds: number, indexCpuSeconds?: number): ProgramReport => ({ packets: pps, seconds: 1, cpuSeconds, round, ...(indexCpuSeconds === undefined ? {} : { indexCpuSeconds }) });
    const t = evaluateTargets(
      rows([
        { id: 'flows-1', runs: [run(1, 100, 1), run(2, 100, 1), run(3, 100, 1)] },
        // shares 0.1 / 1.0, 0.2 / 1.0, 0.3 / 1.0: median 20%
        { id: 'flows-2', runs: [run(1, 150, 0.9, 0.1), run(2, 150, 0.8, 0.2), run(3, 150, 0.7, 0.3)] },
        { id: 'handler-1', pps: 100 },
        { id: 'handler-2', pps: 161 }, // no index figures: nothing printed
      ]),
      300_000,
    );
    expect(find(t, 'flows-2', '>= 1.6x 1 worker')).toMatchObject({ verdict: 'MISS', measured: "1.50x 1 worker (index thread 20% of the run's CPU)" });
    expect(find(t, 'handler-2', '>= 1.6x 1 worker')).toMatchObject({ verdict: 'PASS', measured: '1.61x 1 worker' });
  });

  it('takes the median of the ratios within each round, not the ratio of the medians', () => {
    // The machine was fast in round 2 and slow in round 3, for both rows:
    // medians 200 and 100 would say 0.5x; within each round it is 0.8x, 0.8x, 0.5x.
    const t = evaluateTargets(rows([{ id: 'a', runs: runsAt([100, 300, 200]) }, { id: 'flows-1', runs: runsAt([80, 240, 100]) }]), 300_000);
    expect(find(t, 'flows-1', '>= 0.8x A')).toMatchObject({ verdict: 'PASS', measured: '0.80x A' });
  });

  it('pairs only the rounds both rows ran', () => {
    const t = evaluateTargets(rows([{ id: 'flows-1', runs: runsAt([100, 100, undefined]) }, { id: 'flows-2', runs: runsAt([150, undefined, 900]) }]), 300_000);
    expect(find(t, 'flows-2', '>= 1.6x 1 worker')).toMatchObject({ verdict: 'MISS', measured: '1.50x 1 worker' });
    const none = evaluateTargets(rows([{ id: 'flows-1', runs: runsAt([100]) }, { id: 'flows-2', runs: runsAt([undefined, 900]) }]), 300_000);
    expect(find(none, 'flows-2', '>= 1.6x 1 worker').verdict).toBe('n/a');
  });

  it('says n/a, never PASS, when a row a target needs did not run', () => {
    const t = evaluateTargets(rows([{ id: 'flows-1', pps: 1e9 }]), 300_000);
    expect(find(t, 'flows-1', '>= 0.8x A').verdict).toBe('n/a');
    expect(find(t, 'live-1', 'CPU/pkt <= 1.5x C reader').verdict).toBe('n/a');
    expect(find(t, 'live-2', 'no drops at 300 kpps').verdict).toBe('n/a');
  });

  it('judges live CPU per packet against the C reader', () => {
    const t = evaluateTargets(rows([{ id: 'live-c', cpuNsPerPacket: 400 }, { id: 'live-1', cpuNsPerPacket: 601 }]), 300_000);
    expect(find(t, 'live-1', 'CPU/pkt <= 1.5x C reader')).toMatchObject({ verdict: 'MISS', measured: '1.50x C' });
  });

  it('counts zero drops as a pass only if the injector reached the rate', () => {
    const ok = evaluateTargets(rows([{ id: 'live-2', drops: 0, injectPps: 290_000 }]), 300_000);
    expect(find(ok, 'live-2', 'no drops at 300 kpps').verdict).toBe('PASS');
    const slow = evaluateTargets(rows([{ id: 'live-2', drops: 0, injectPps: 200_000 }]), 300_000);
    expect(find(slow, 'live-2', 'no drops at 300 kpps')).toMatchObject({ verdict: 'MISS', measured: '0 dropped, injector reached only 200 kpps' });
    const dropped = evaluateTargets(rows([{ id: 'live-2', drops: 3, injectPps: 300_000 }]), 300_000);
    expect(find(dropped, 'live-2', 'no drops at 300 kpps').verdict).toBe('MISS');
  });

  it('calls the heap flat below 1 MiB of growth over the file', () => {
    const t = evaluateTargets(rows([{ id: 'flows-1', heapGrowth: FLAT_HEAP_BYTES - 1 }, { id: 'handler-1', heapGrowth: FLAT_HEAP_BYTES }]), 300_000);
    expect(find(t, 'flows-1', 'JS heap flat').verdict).toBe('PASS');
    expect(find(t, 'handler-1', 'JS heap flat').verdict).toBe('MISS');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of an empty list');
  });
});

describe('run order', () => {
  it('names every row once, each compared pair next to each other', () => {
    expect([...RUN_ORDER].sort()).toEqual(ROWS.map((r) => r.id).sort());
    const gap = (x: string, y: string) => Math.abs(RUN_ORDER.indexOf(x) - RUN_ORDER.indexOf(y));
    expect(gap('a-2', 'a')).toBe(1);
    expect(gap('a', 'flows-1')).toBe(1);
    expect(gap('flows-1', 'flows-2')).toBe(1);
    expect(gap('handler-1', 'handler-2')).toBe(1);
    expect(gap('live-c', 'live-1')).toBe(1);
    expect(inRunOrder(ROWS).map((r) => r.id)).toEqual(RUN_ORDER);
  });
});
