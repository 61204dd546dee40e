/**
 * Supervision options: the restart policy (like PM2's exponential backoff)
 * and the graceful-stop timeout.
 */
import type { z } from 'zod';
import { intField, numberField, section } from './fields.js';

export const supervisionSchema = section('supervision', {
  /** First restart delay after a crash. */
  restartDelayMs: intField('an integer from 1 to 3600000 (milliseconds)', 1, 3_600_000).default(100),
  /** Each further restart waits this many times longer. */
  restartBackoff: numberField('a number >= 1', 1, true, 100).default(1.5),
  /** The delay never grows beyond this. */
  maxRestartDelayMs: intField('an integer from 1 to 3600000 (milliseconds)', 1, 3_600_000).default(15_000),
  /** A worker that ran this long is stable again: its delay and unstable count reset. */
  stableAfterMs: intField('an integer from 1 to 86400000 (milliseconds)', 1, 86_400_000).default(30_000),
  /** Give up (exit 1) after this many restarts without a stable run; 0 never restarts. */
  maxUnstableRestarts: intField('an integer >= 0', 0).default(16),
  /** After a stop request, workers still running after this long are killed. */
  killTimeoutMs: intField('an integer from 1 to 600000 (milliseconds)', 1, 600_000).default(5000),
});

export type SupervisionOptions = z.input<typeof supervisionSchema>;
export type ResolvedSupervisionOptions = z.output<typeof supervisionSchema>;
