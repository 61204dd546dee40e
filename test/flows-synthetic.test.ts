/**
 * The synthetic capture (synthetic/scapy_known_flows.pcap: IPv4 TCP, IPv6 UDP,
 * QinQ, VXLAN with inner ICMP, a three-fragment UDP datagram) against its
 * truth table, exactly: the same flows and nothing else, packets per
 * direction, and what the notes say (VLAN ids, the VXLAN network identifier).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowRecords, type FlowRecord } from '@pfwork/core';
import { Ring } from '@pfwork/native';
import { sharedPcapsDir } from './support/pcaps.js';

const FILE = path.join(sharedPcapsDir, 'synthetic/scapy_known_flows.pcap');
const TRUTH = `${FILE}.truth.tsv`;

interface Truth {
  proto: string;
  a: string;
  aPort: number | null;
  b: string;
  bPort: number | null;
  a2b: number;
  b2a: number;
  note: string;
}

const ENDPOINT = String.raw`(\[[0-9a-f:]+\]:\d+|[\d.]+(?::\d+)?)`;
const FLOW = new RegExp(`^(\\w+) ${ENDPOINT}-${ENDPOINT}(?: \\((.*)\\))?$`);

function endpoint(text: string): [string, number | null] {
  const v6 = /^\[(.+)\]:(\d+)$/.exec(text);
  if (v6) return [v6[1]!, Number(v6[2])];
  const [addr, port] = text.split(':');
  return [addr!, port === undefined ? null : Number(port)];
}

function readTruth(): Truth[] {
  const [header, ...lines] = readFileSync(TRUTH, 'utf8').split('\n').filter((l) => l.trim());
  expect(header).toBe('flow\tpkts_a2b\tpkts_b2a\tnote');
  return lines.map((line) => {
    const [flow, a2b, b2a, note] = line.split('\t');
    const m = FLOW.exec(flow!);
    if (!m) throw new Error(`truth table flow not understood: ${flow}`);
    const [a, aPort] = endpoint(m[2]!);
    const [b, bPort] = endpoint(m[3]!);
    return { proto: m[1]!.toLowerCase(), a, aPort, b, bPort, a2b: parseInt(a2b!, 10), b2a: parseInt(b2a!, 10), note: `${m[4] ?? ''} ${note}` };
  });
}

describe.skipIf(!existsSync(TRUTH))('the synthetic capture matches its truth table exactly', () => {
  it('same flows, same packets per direction, VLANs and VXLAN id as noted', async () => {
    const ring = Ring.open({ file: FILE, flows: true });
    const records: FlowRecord[] = [];
    for await (const b of ring) records.push(...flowRecords(b.flows!, 0));
    ring.close();
    const truth = readTruth();
    expect(truth).toHaveLength(5);
    expect(records).toHaveLength(truth.length);
    for (const t of truth) {
      const r = records.filter((x) => x.proto === t.proto && x['id.orig_h'] === t.a && x['id.resp_h'] === t.b);
      expect(r.map((x) => x['id.orig_h']), `${t.proto} ${t.a} ${t.b}`).toHaveLength(1);
      const f = r[0]!;
      if (t.aPort !== null) expect([f['id.orig_p'], f['id.resp_p']]).toEqual([t.aPort, t.bPort]);
      expect([f.orig_pkts, f.resp_pkts], t.note).toEqual([t.a2b, t.b2a]);
      const qinq = /QinQ (\d+)\/(\d+)/.exec(t.note);
      if (qinq) expect([f.vlan, f.inner_vlan]).toEqual([Number(qinq[1]), Number(qinq[2])]);
      else expect([f.vlan, f.inner_vlan]).toEqual([0, undefined]);
      const vni = /VXLAN vni (\d+)/.exec(t.note);
      if (vni) expect(f.tunnel_parents).toEqual([expect.stringMatching(new RegExp(`^vxlan \\S+:\\d+ \\S+:4789 vni=${vni[1]}$`))]);
      else expect(f.tunnel_parents).toBeUndefined();
    }
  });
});
