/**
 * The targets of issue 6, each evaluated from rows of the same run, as the
 * median of the ratios within each round (lib/paired.ts). A target whose
 * rows did not run is "n/a" (never a silent PASS).
 */
import { pairedRatio } from './paired.js';
import { cpuNsOf, ppsOf } from './report.js';
import { median } from './stats.js';
import type { RowSummary } from './summary.js';

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetResult {
  /** The row the verdict is printed on. */
  row: string;
  text: string;
  measured: string;
  verdict: Verdict;
}

/** Heap growth over the whole file below this is "flat" (a leak per packet would be megabytes). */
export const FLAT_HEAP_BYTES = 1 << 20;

const x = (v: number) => `${v.toFixed(2)}x`;

/** Median over a row's runs of the index thread's CPU over all the run's CPU (workers' and index's); undefined without figures. */
function indexShare(row: RowSummary | undefined): number | undefined {
  const shares: number[] = [];
  for (const r of row?.runs ?? []) {
    const index = r.indexCpuSeconds;
    if (typeof index === 'number' && typeof r.cpuSeconds === 'number' && index + r.cpuSeconds > 0) shares.push(index / (index + r.cpuSeconds));
  }
  return shares.length ? median(shares) : undefined;
}

export function evaluateTargets(rows: Map<string, RowSummary>, liveRate: number): TargetResult[] {
  const out: TargetResult[] = [];
  const ratio = (row: string, text: string, num: string, den: string, min: number, what: string) => {
    const r = pairedRatio(rows.get(num), rows.get(den), ppsOf);
    if (r === undefined) return out.push({ row, text, measured: '', verdict: 'n/a' });
    out.push({ row, text, measured: `${x(r)} ${what}`, verdict: r >= min ? 'PASS' : 'MISS' });
  };
  ratio('flows-1', '>= 0.8x A', 'flows-1', 'a', 0.8, 'A');
  ratio('handler-1', '>= 0.5x A', 'handler-1', 'a', 0.5, 'A');
  ratio('handler-1', '>= 5x B', 'handler-1', 'b', 5, 'B');
  // Beside the 2-worker verdicts: what two Baseline A processes at once reach
  // against one in the same rounds (the machine's own 2-core scaling for this
  // work), and the native path in two slot processes through the cluster index
  // against one process (the index design's own scaling, no worker runtime).
  const scaling = pairedRatio(rows.get('a-2'), rows.get('a'), ppsOf);
  const nativeScaling = pairedRatio(rows.get('native-2'), rows.get('native'), ppsOf);
  const context = [
    ...(scaling === undefined ? [] : [`2 Baseline A at once: ${x(scaling)}`]),
    ...(nativeScaling === undefined ? [] : [`native path in 2 slots: ${x(nativeScaling)}`]),
  ];
  // ...and the share of the 2-worker run's CPU that the supervisor's index
  // thread took (the workers' CPU in the row's figures leaves it out): what
  // a 2-worker run adds on the same two cores (docs/bench.md).
  const beside = (row: string) => {
    const share = indexShare(rows.get(row));
    const all = [...context, ...(share === undefined ? [] : [`index thread ${(share * 100).toFixed(0)}% of the run's CPU`])];
    return all.length ? ` (${all.join('; ')})` : '';
  };
  ratio('flows-2', '>= 1.6x 1 worker', 'flows-2', 'flows-1', 1.6, `1 worker${beside('flows-2')}`);
  ratio('handler-2', '>= 1.6x 1 worker', 'handler-2', 'handler-1', 1.6, `1 worker${beside('handler-2')}`);

  const live = pairedRatio(rows.get('live-1'), rows.get('live-c'), cpuNsOf);
  if (live === undefined) out.push({ row: 'live-1', text: 'CPU/pkt <= 1.5x C reader', measured: '', verdict: 'n/a' });
  else out.push({ row: 'live-1', text: 'CPU/pkt <= 1.5x C reader', measured: `${x(live)} C`, verdict: live <= 1.5 ? 'PASS' : 'MISS' });

  const l2 = rows.get('live-2');
  if (l2?.drops === undefined) out.push({ row: 'live-2', text: `no drops at ${liveRate / 1000} kpps`, measured: '', verdict: 'n/a' });
  else {
    // the target only holds if the injector actually reached the rate
    const reached = (l2.injectPps ?? 0) >= 0.95 * liveRate;
    out.push({
      row: 'live-2',
      text: `no drops at ${liveRate / 1000} kpps`,
      measured: `${l2.drops} dropped${reached ? '' : `, injector reached only ${Math.round((l2.injectPps ?? 0) / 1000)} kpps`}`,
      verdict: l2.drops === 0 && reached ? 'PASS' : 'MISS',
    });
  }

  for (const id of ['flows-1', 'handler-1', 'flows-2', 'handler-2']) {
    const r = rows.get(id);
    if (r?.heapGrowth === undefined) continue;
    out.push({
      row: id,
      text: 'JS heap flat',
      measured: `${r.heapGrowth >= 0 ? '+' : ''}${(r.heapGrowth / 1024).toFixed(0)} kB`,
      verdict: r.heapGrowth < FLAT_HEAP_BYTES ? 'PASS' : 'MISS',
    });
  }
  return out;
}
