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
  tcpCloseDelaySec: intField(SECONDS, 1, 86400)
    .default(5)
    .describe('A TCP flow that closed (both FINs acknowledged, or a RST) is reported after this long without packets (end_reason "fin" or "rst"); Zeek\'s tcp_close_delay.'),
  fragmentTimeoutSec: intField(SECONDS, 1, 86400)
    .default(30)
    .describe('Fragments held for a first fragment that does not come are counted, without ports, after this long (as Linux\'s ipfrag_time).'),
  maxFlows: intField('an integer from 1 to 100000000', 1, 100_000_000)
    .default(1_000_000)
    .describe('Flows one worker tracks at once; when full, the oldest idle flow is ended (end_reason "evicted") and counted.'),
  maxFragments: intField('an integer from 1 to 10000000', 1, 10_000_000)
    .default(16384)
    .describe('Fragmented datagrams one worker follows at once (fragments held for their first fragment); when full, held fragments are counted without ports.'),
});

export type FlowsOptions = z.input<typeof flowsSchema>;
export type ResolvedFlowsOptions = z.output<typeof flowsSchema>;
