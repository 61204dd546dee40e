/**
 * Ratios between rows, paired by run: every row runs once per round, the
 * rows a target compares run back to back (rows/index.ts RUN_ORDER), and a
 * ratio is the median over rounds of the ratio within each round. The
 * machine's speed drifts by up to 2x within minutes (docs/bench.md); a ratio
 * of two medians taken over different moments moved with that drift (the
 * same build measured 0.77x and 0.92x Baseline A), a ratio within a round
 * mostly cancels it.
 */
import type { ProgramReport } from './report.js';
import { median } from './stats.js';

export interface RunsOf {
  runs: readonly ProgramReport[];
}

/**
 * Median over the rounds both rows ran of value(num's run) / value(den's
 * run); undefined when they share no round (a row skipped, failed, or runs
 * without round numbers).
 */
export function pairedRatio(
  num: RunsOf | undefined,
  den: RunsOf | undefined,
  value: (r: ProgramReport) => number | undefined,
): number | undefined {
  if (!num || !den) return undefined;
  const byRound = new Map<number, ProgramReport>();
  for (const r of den.runs) if (typeof r.round === 'number') byRound.set(r.round, r);
  const ratios: number[] = [];
  for (const r of num.runs) {
    const d = typeof r.round === 'number' ? byRound.get(r.round) : undefined;
    if (!d) continue;
    const a = value(r);
    const b = value(d);
    if (a !== undefined && b !== undefined && b > 0) ratios.push(a / b);
  }
  return ratios.length ? median(ratios) : undefined;
}
