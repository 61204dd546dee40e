/**
 * Supervision options: the restart policy (PM2-style exponential backoff)
 * and the graceful-stop timeout.
 */
import type { z } from 'zod';
import { intField, numberField, section } from './fields.js';

export const supervisionSchema = section('supervision', {
  restartDelayMs: intField('an integer from 1 to 3600000 (milliseconds)', 1, 3_600_000).default(100).describe('Delay before restarting a crashed worker the first time.'),
  restartBackoff: numberField('a number >= 1', 1, true, 100).default(1.5).describe('Each further restart waits this many times longer than the one before.'),
  maxRestartDelayMs: intField('an integer from 1 to 3600000 (milliseconds)', 1, 3_600_000).default(15_000).describe('The restart delay never grows beyond this.'),
  stableAfterMs: intField('an integer from 1 to 86400000 (milliseconds)', 1, 86_400_000)
    .default(30_000)
    .describe('A worker running this long is stable again: its delay and its unstable-restart count start over.'),
  maxUnstableRestarts: intField('an integer >= 0', 0)
    .default(16)
    .describe('Give up (the run fails, exit 1) after this many restarts without a stable run in between; 0 never restarts.'),
  killTimeoutMs: intField('an integer from 1 to 600000 (milliseconds)', 1, 600_000)
    .default(5000)
    .describe('After a stop request (SIGINT/SIGTERM, end of --duration), workers still running after this long get SIGKILL.'),
});

export type SupervisionOptions = z.input<typeof supervisionSchema>;
export type ResolvedSupervisionOptions = z.output<typeof supervisionSchema>;
