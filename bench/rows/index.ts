/** Every row, in table order. */
import { baselineA, baselineB, baselineBRaw, nativePath } from './baselines.js';
import { liveC, livePfworkRow } from './live.js';
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
  livePfworkRow('live-1', 1, 'live-rate'),
  livePfworkRow('live-2', 2, 'live-rate'),
  livePfworkRow('live-2-max', 2, 'max'),
];
