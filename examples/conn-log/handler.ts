/**
 * conn-log: one Zeek conn.log-style record per finished flow, with a
 * `service` guessed from the responder port, and a summary (connections per
 * protocol and per end reason) merged across workers.
 *
 * Flow tracking is native: the worker hands each finished flow to flow();
 * with a per-flow cluster type both directions of a flow are on one worker,
 * so every record is complete.
 */
import { defineHandler, type FlowRecord } from '@pfwork/core';
import { z } from 'zod';

const SERVICES: Record<string, string> = {
  'tcp/80': 'http',
  'tcp/8080': 'http',
  'tcp/443': 'ssl',
  'tcp/22': 'ssh',
  'tcp/25': 'smtp',
  'udp/53': 'dns',
  'tcp/53': 'dns',
  'udp/123': 'ntp',
  'udp/443': 'quic',
};

interface Summary {
  conns: number;
  byProto: Record<string, number>;
  byEndReason: Record<string, number>;
  bytes: number;
}

const summary: Summary = { conns: 0, byProto: {}, byEndReason: {}, bytes: 0 };

export default defineHandler({
  name: 'conn-log',
  config: z.object({
    /** Only emit flows with at least this many packets (both directions). */
    minPackets: z.number().int().nonnegative().default(0),
  }),
  flow(flow: FlowRecord, ctx) {
    const pkts = flow.orig_pkts + flow.resp_pkts;
    summary.conns++;
    summary.byProto[flow.proto] = (summary.byProto[flow.proto] ?? 0) + 1;
    summary.byEndReason[flow.end_reason] = (summary.byEndReason[flow.end_reason] ?? 0) + 1;
    summary.bytes += flow.orig_ip_bytes + flow.resp_ip_bytes;
    if (pkts < ctx.config.minPackets) return;
    const service = SERVICES[`${flow.proto}/${flow['id.resp_p']}`] ?? '-';
    ctx.emit({ ...flow, type: 'conn', service });
  },
  report(): Summary {
    return summary;
  },
  merge(parts) {
    const total: Summary = { conns: 0, byProto: {}, byEndReason: {}, bytes: 0 };
    for (const p of parts) {
      total.conns += p.conns;
      total.bytes += p.bytes;
      for (const [k, v] of Object.entries(p.byProto)) total.byProto[k] = (total.byProto[k] ?? 0) + v;
      for (const [k, v] of Object.entries(p.byEndReason)) total.byEndReason[k] = (total.byEndReason[k] ?? 0) + v;
    }
    return total;
  },
});
