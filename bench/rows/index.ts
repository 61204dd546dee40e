/** Every row, in table order (RUN_ORDER below is the order they run in). */
import { baselineA, baselineA2, baselineB, baselineBRaw, nativePath, nativePathSlots } from './baselines.js';
import { liveC, liveNativeRow, livePfworkRow } from './live.js';
import { pfworkFileRow } from './pfwork-file.js';
import type { Row } from './types.js';

export const ROWS: Row[] = [
  baselineA,
  baselineA2,
  baselineB,
  baselineBRaw,
  nativePath,
  nativePathSlots,
  pfworkFileRow('flows-1', 1, 'flows'),
  pfworkFileRow('handler-1', 1, 'handler'),
  pfworkFileRow('flows-2', 2, 'flows'),
  pfworkFileRow('handler-2', 2, 'handler'),
  liveC,
  liveNativeRow('live-ring', false),
  liveNativeRow('live-native', true),
  livePfworkRow('live-1', 1, 'live-rate'),
  livePfworkRow('live-2', 2, 'live-rate'),
  livePfworkRow('live-2-max', 2, 'max'),
];

/**
 * The order rows run in within a round: each row next to the row its target
 * compares it with (1 worker after Baseline A, 2 workers after 1, the live
 * worker after the C reader), so the pair sees the machine at nearly the same
 * moment (lib/paired.ts); two Baseline A at once (the machine's own 2-core
 * scaling, printed beside the 2-worker targets) right before Baseline A; the
 * native path in one process and in two (also printed there) back to back.
 * node_pcap (~25 s a run) comes after.
 */
export const RUN_ORDER = ['a-2', 'a', 'flows-1', 'flows-2', 'handler-1', 'handler-2', 'native', 'native-2', 'b', 'b-raw', 'live-c', 'live-1', 'live-ring', 'live-native', 'live-2', 'live-2-max'];

/** `rows` sorted by RUN_ORDER (a row missing from it runs last). */
export function inRunOrder(rows: readonly Row[]): Row[] {
  const at = (r: Row) => {
    const i = RUN_ORDER.indexOf(r.id);
    return i < 0 ? RUN_ORDER.length : i;
  };
  return [...rows].sort((x, y) => at(x) - at(y));
}
