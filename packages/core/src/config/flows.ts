/**
 * Flow tracking options (the native flow table). Timeouts count packet time,
 * so a file replays the same way every time.
 */
import type { z } from 'zod';
import { intField, section } from './fields.js';

const SECONDS = 'an integer from 1 to 86400 (seconds)';

export const flowsSchema = section('flows', {
  tcpIdleTimeoutSec: intField(SECONDS, 1, 86400).default(300).describe('A TCP flow without packets for this long ends (end_reason "idle").'),
  udpIdleTimeoutSec: intField(SECONDS, 1, 86400).default(60).describe('Idle timeout of UDP flows.'),
  icmpIdleTimeoutSec: intField(SECONDS, 1, 86400).default(30).describe('Idle timeout of ICMP and ICMPv6 flows.'),
  otherIdleTimeoutSec: intField(SECONDS, 1, 86400).default(60).describe('Idle timeout of flows of every other IP protocol.'),
  activeTimeoutSec: intField(SECONDS, 1, 86400)
    .default(1800)
    .describe('A flow open this long is reported (end_reason "active") and counted afresh, as NetFlow/IPFIX exporters do.'),
  maxFlows: intField('an integer from 1 to 100000000', 1, 100_000_000)
    .default(1_000_000)
    .describe('Flows one worker tracks at once; when full, the oldest idle flow is ended (end_reason "evicted") and counted.'),
});

export type FlowsOptions = z.input<typeof flowsSchema>;
export type ResolvedFlowsOptions = z.output<typeof flowsSchema>;
