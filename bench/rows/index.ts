/** Every row, in table order. */
import { baselineA, baselineB, baselineBRaw, nativePath } from './baselines.js';
import { liveC, liveNativeRow, livePfworkRow } from './live.js';
import { pfworkFileRow } from './pfwork-file.js';
import type { Row } from './types.js';

export const ROWS: Row[] = [
  baselineA,
  baselineB,
  baselineBRaw,
  nativePath,
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
