/**
 * Flow tracking options (the native flow table). Timeouts are in seconds of
 * packet time, so a file replays the same way every time.
 */
import type { z } from 'zod';
import { intField, section } from './fields.js';

const SECONDS = 'an integer from 1 to 86400 (seconds)';

export const flowsSchema = section('flows', {
  /** A TCP flow without packets for this long ends with end_reason "idle". */
  tcpIdleTimeoutSec: intField(SECONDS, 1, 86400).default(300),
  udpIdleTimeoutSec: intField(SECONDS, 1, 86400).default(60),
  icmpIdleTimeoutSec: intField(SECONDS, 1, 86400).default(30),
  /** Every other IP protocol. */
  otherIdleTimeoutSec: intField(SECONDS, 1, 86400).default(60),
  /** A flow still active after this long is reported (end_reason "active") and starts afresh. */
  activeTimeoutSec: intField(SECONDS, 1, 86400).default(1800),
  /** Table size per worker; when full, the oldest idle flow is evicted (and counted). */
  maxFlows: intField('an integer from 1 to 100000000', 1, 100_000_000).default(1_000_000),
});

export type FlowsOptions = z.input<typeof flowsSchema>;
export type ResolvedFlowsOptions = z.output<typeof flowsSchema>;
