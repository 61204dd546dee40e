/**
 * Comparing our flow records with tshark's per-flow tables
 * (`*.tshark-flows.tsv` beside the shared captures). Both sides become
 * CmpFlow rows: `a` is the first sender (our originator), counts per
 * direction, the VLAN ids as a set, first/last time in exact nanoseconds.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { flowRecordAt, type FlowColumns, type FlowRecord } from '@pfwork/core';
import { readTsharkFlows } from './pcaps.js';

export interface CmpSide {
  pkts: number;
  bytes: number;
}

export interface CmpFlow {
  /** Human-readable identity, as the differences fixture names flows. */
  id: string;
  proto: number;
  a: string;
  aPort: number | null;
  b: string;
  bPort: number | null;
  a2b: CmpSide;
  b2a: CmpSide;
  /** VLAN ids seen, numerically sorted, comma-separated ('' untagged). */
  vlans: string;
  firstNs: bigint;
  lastNs: bigint;
}

const TSHARK_PROTOS: Record<string, number> = { ICMP: 1, TCP: 6, UDP: 17, GRE: 47, ICMPV6: 58, PIM: 103, SCTP: 132 };

/** tshark's protocol text ('UDP', 'UDP/no-l4(data)', 'IPPROTO_44/no-l4(-)') as a number. */
export function tsharkProtoNumber(text: string): number {
  const base = text.split('/')[0]!;
  const m = /^IPPROTO_(\d+)$/.exec(base);
  if (m) return Number(m[1]);
  const n = TSHARK_PROTOS[base];
  if (n === undefined) throw new Error(`tshark protocol "${text}" has no number here: add it to TSHARK_PROTOS`);
  return n;
}

function endpoint(addr: string, port: number | null): string {
  if (port === null) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** "1537044271.794779000" (or "-1953631157.1404616000") as nanoseconds. */
export function tsharkTimeNs(text: string): bigint {
  const neg = text.startsWith('-');
  const [s, f = ''] = (neg ? text.slice(1) : text).split('.');
  const v = BigInt(s!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  return neg ? -v : v;
}

/** tshark's IP flows of a capture (non-IP rows are not flows for us). */
export function tsharkCmpFlows(captureFile: string): CmpFlow[] {
  return readTsharkFlows(`${captureFile}.tshark-flows.tsv`)
    .filter((r) => r.proto !== 'non-ip')
    .map((r) => {
      const aPort = r.a_port === '-' ? null : Number(r.a_port);
      const bPort = r.b_port === '-' ? null : Number(r.b_port);
      const protoText = r.proto!.replace(/\(.*\)$/, '');
      const vlans = r.vlan_ids === '-' ? '' : r.vlan_ids!.split(',').map(Number).sort((x, y) => x - y).join(',');
      return {
        id: `${protoText} ${endpoint(r.a_addr!, aPort)} ${endpoint(r.b_addr!, bPort)}`,
        proto: tsharkProtoNumber(r.proto!),
        a: r.a_addr!,
        aPort,
        b: r.b_addr!,
        bPort,
        a2b: { pkts: Number(r.pkts_a2b), bytes: Number(r.ip_bytes_a2b) },
        b2a: { pkts: Number(r.pkts_b2a), bytes: Number(r.ip_bytes_b2a) },
        vlans,
        firstNs: tsharkTimeNs(r.first_ts!),
        lastNs: tsharkTimeNs(r.last_ts!),
      };
    });
}

const PORTED = new Set(['tcp', 'udp', 'sctp', 'icmp', 'icmp6']);

/**
 * One flow record as a CmpFlow; id like `udp 10.0.0.1:53 10.0.0.2:5353 vlan 5`.
 * `noPorts`: the flow has no transport ports (FlowKeyFlag.NoPorts).
 */
export function recordCmpFlow(r: FlowRecord, lastNs: bigint, noPorts: boolean): CmpFlow {
  const ported = PORTED.has(r.proto) && !noPorts;
  const aPort = ported ? r['id.orig_p'] : null;
  const bPort = ported ? r['id.resp_p'] : null;
  const vl = [r.vlan, r.inner_vlan ?? 0].filter((v) => v > 0);
  const vlanText = vl.length ? ` vlan ${vl.join('.')}` : '';
  return {
    id: `${r.proto} ${endpoint(r['id.orig_h'], aPort)} ${endpoint(r['id.resp_h'], bPort)}${vlanText}`,
    proto: PROTO_NUMBERS[r.proto] ?? Number(r.proto),
    a: r['id.orig_h'],
    aPort,
    b: r['id.resp_h'],
    bPort,
    a2b: { pkts: r.orig_pkts, bytes: r.orig_ip_bytes },
    b2a: { pkts: r.resp_pkts, bytes: r.resp_ip_bytes },
    vlans: vl.sort((x, y) => x - y).join(','),
    firstNs: BigInt(r.ts_ns),
    lastNs,
  };
}

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmp6: 58, sctp: 132 };

/** Our flow records (FlowBatch rows) as CmpFlows. */
export function ourCmpFlows(batch: FlowColumns & { keyFlags: ArrayLike<number> }): CmpFlow[] {
  const out: CmpFlow[] = [];
  for (let i = 0; i < batch.count; i++) {
    const lastNs = BigInt(batch.lastSec[i]!) * 1_000_000_000n + BigInt(batch.lastNsec[i]!);
    out.push(recordCmpFlow(flowRecordAt(batch, i, 0), lastNs, (batch.keyFlags[i]! & 2) !== 0));
  }
  return out;
}

/**
 * A flow record as `pfwork start --flows` prints it (parsed NDJSON) as a
 * CmpFlow. The last packet's time is `ts_ns + round(duration * 1e9)` (exact,
 * docs/flows.md). The record has no NoPorts flag: a TCP/UDP/SCTP flow with
 * both ports 0 is taken as a flow without ports (fragments whose first
 * fragment never came), which is what the table writes for those.
 */
export function cliCmpFlow(r: FlowRecord): CmpFlow {
  const lastNs = BigInt(r.ts_ns) + BigInt(Math.round(r.duration * 1e9));
  const noPorts = r.proto !== 'icmp' && r.proto !== 'icmp6' && r['id.orig_p'] === 0 && r['id.resp_p'] === 0;
  return recordCmpFlow(r, lastNs, noPorts);
}

/** One entry of test/fixtures/flows-tshark-differences.json. */
export interface DifferenceEntry {
  capture: string;
  rule: string;
  /** tshark rows (CmpFlow ids) counted together... */
  tshark: string[];
  /** ...and the flows of ours that hold the same packets. */
  ours: string[];
  /** 'time': first/last packet times are not compared (see the rule's reason). */
  ignore?: string[];
  /** Frames tshark counts that the flow table does not see as IP, by sender address. */
  notCounted?: Record<string, CmpSide>;
  /** The rule that explains notCounted. */
  notCountedRule?: string;
}

export interface DifferencesFixture {
  rules: Record<string, string>;
  differences: DifferenceEntry[];
}

export function readDifferences(file: string): DifferencesFixture {
  return JSON.parse(readFileSync(file, 'utf8')) as DifferencesFixture;
}

/** Packets and IP bytes per sending address over a group of flows (plus `extra`). */
export function totalsBySender(flows: CmpFlow[], extra: Record<string, CmpSide> = {}): Record<string, CmpSide> {
  const t: Record<string, CmpSide> = {};
  for (const [addr, s] of Object.entries(extra)) t[addr] = { ...s };
  const add = (addr: string, s: CmpSide) => {
    if (!s.pkts) return;
    const x = (t[addr] ??= { pkts: 0, bytes: 0 });
    x.pkts += s.pkts;
    x.bytes += s.bytes;
  };
  for (const f of flows) {
    add(f.a, f.a2b);
    add(f.b, f.b2a);
  }
  return t;
}

/** The parts of a CmpFlow that must agree one to one (ids differ by construction). */
export function comparable(f: CmpFlow, withPorts: boolean) {
  return {
    proto: f.proto,
    a: f.a,
    b: f.b,
    ...(withPorts ? { aPort: f.aPort, bPort: f.bPort } : {}),
    a2b: f.a2b,
    b2a: f.b2a,
    vlans: f.vlans,
    firstNs: f.firstNs,
    lastNs: f.lastNs,
  };
}

function pick(flows: CmpFlow[], id: string, side: string): CmpFlow {
  const found = flows.filter((f) => f.id === id);
  if (found.length !== 1) {
    throw new Error(`differences fixture names ${side} flow "${id}" ${found.length} times; flows here:\n  ${flows.map((f) => f.id).join('\n  ')}`);
  }
  return found[0]!;
}

const span = (fs: CmpFlow[]) => ({
  first: fs.reduce((m, f) => (f.firstNs < m ? f.firstNs : m), fs[0]!.firstNs),
  last: fs.reduce((m, f) => (f.lastNs > m ? f.lastNs : m), fs[0]!.lastNs),
});

/**
 * Asserts that our flows of a capture agree with tshark's table, flow by
 * flow, except the fixture's listed differences for that capture (each group
 * must then hold the same packets and bytes per sender and, unless ignored,
 * the same first and last packet time).
 */
export function expectAgreesWithTshark(localPath: string, ours: CmpFlow[], theirs: CmpFlow[], fixture: DifferencesFixture): void {
  const usedT = new Set<CmpFlow>();
  const usedO = new Set<CmpFlow>();

  for (const d of fixture.differences.filter((x) => x.capture === localPath)) {
    const t = d.tshark.map((id) => pick(theirs, id, 'tshark'));
    const o = d.ours.map((id) => pick(ours, id, 'our'));
    t.forEach((f) => usedT.add(f));
    o.forEach((f) => usedO.add(f));
    const what = `${d.rule}: [${d.tshark.join(' | ')}] vs [${d.ours.join(' | ')}]`;
    expect(totalsBySender(o, d.notCounted), what).toEqual(totalsBySender(t));
    if (!d.ignore?.includes('time')) expect(span(o), what).toEqual(span(t));
  }

  const restO = ours.filter((f) => !usedO.has(f));
  for (const t of theirs.filter((f) => !usedT.has(f))) {
    const withPorts = t.aPort !== null;
    const match = restO.filter(
      (o) => o.proto === t.proto && o.a === t.a && o.b === t.b && (!withPorts || (o.aPort === t.aPort && o.bPort === t.bPort)),
    );
    expect(match.map((m) => m.id), `tshark flow ${t.id}: our candidates`).toHaveLength(1);
    expect(comparable(match[0]!, withPorts), t.id).toEqual(comparable(t, withPorts));
    restO.splice(restO.indexOf(match[0]!), 1);
  }
  expect(restO.map((f) => f.id), 'flows of ours that tshark does not have').toEqual([]);
}
