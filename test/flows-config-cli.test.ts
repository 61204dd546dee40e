/**
 * `flows.*` options of a `--config` file reach the native flow table of every
 * worker: `pfwork start --read F --flows --config C`, on a generated capture
 * where the gap after a TCP close decides the records.
 *
 * One TCP connection closes with FIN, FIN, ACK; 2 s later one more ACK comes
 * on the same 5-tuple. With `flows.tcpCloseDelaySec` 3 the ACK is inside the
 * close delay and counts in the closed flow (one record); with 1 the closed
 * flow has been reported (end_reason "fin") and the ACK starts a new flow.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '@pfwork/core';
import { buildFrame, writePcapFile, type PcapRecord } from '@pfwork/core/craft';
import { pfwork, type PfworkRun } from './support/run-pfwork.js';

const tmp = mkdtempSync(path.join(tmpdir(), `pfw-flows-config-cli-${process.pid}-`));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const C = '10.0.0.1';
const S = '10.0.0.2';
const T0 = 1_700_000_000;

/** [ms after T0, from the client?, flags, seq, ack]: the FINs are acknowledged, so the flow is closed. */
const PACKETS: [number, boolean, string, number, number][] = [
  [0, true, 'S', 1000, 0],
  [100, false, 'SA', 5000, 1001],
  [200, true, 'A', 1001, 5001],
  [300, true, 'FA', 1001, 5001],
  [400, false, 'FA', 5001, 1002],
  [500, true, 'A', 1002, 5002],
  [2500, true, 'A', 1002, 5002], // 2 s after the close
];

const capture = path.join(tmp, 'fin-then-ack.pcap');
writePcapFile(
  capture,
  PACKETS.map(([ms, fromClient, flags, seq, ack]): PcapRecord => ({
    tsSec: T0 + Math.floor(ms / 1000),
    tsNsec: (ms % 1000) * 1_000_000,
    data: buildFrame({
      ip: fromClient ? { src: C, dst: S } : { src: S, dst: C },
      l4: { kind: 'tcp', sport: fromClient ? 40000 : 80, dport: fromClient ? 80 : 40000, flags, seq, ack },
    }),
  })),
);

/** `pfwork start --read <capture> --flows --workers 1 --config <{ flows }>`: its flow records. */
async function flowsWith(flows: Record<string, number>): Promise<FlowRecord[]> {
  const config = path.join(tmp, `flows-${Object.values(flows).join('-')}.json`);
  writeFileSync(config, JSON.stringify({ flows }));
  const r: PfworkRun = await pfwork(['start', '--read', capture, '--flows', '--workers', '1', '--config', config]);
  expect(r.code, r.stderr.slice(-1500)).toBe(0);
  return (r.records.filter((x) => x.type === 'flow') as unknown as FlowRecord[]).sort((a, b) => a.ts - b.ts);
}

describe('flows.tcpCloseDelaySec from --config', () => {
  const within = flowsWith({ tcpCloseDelaySec: 3 });
  const beyond = flowsWith({ tcpCloseDelaySec: 1 });

  it('a packet 2 s after the close, with a 3 s close delay, counts in the closed flow', async () => {
    const flows = await within;
    expect(flows.map((f) => [f['id.orig_h'], f['id.orig_p'], f.orig_pkts, f.resp_pkts])).toEqual([[C, 40000, 5, 2]]);
  });

  it('with a 1 s close delay the closed flow is reported with end_reason "fin" and the packet starts a new flow', async () => {
    const flows = await beyond;
    expect(flows.map((f) => [f['id.orig_h'], f['id.orig_p'], f.orig_pkts, f.resp_pkts])).toEqual([
      [C, 40000, 4, 2],
      [C, 40000, 1, 0],
    ]);
    expect(flows[0]!.end_reason).toBe('fin');
    expect(flows[0]!.history).toContain('F');
  });
});
