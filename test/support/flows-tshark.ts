/**
 * Comparing our flow records with tshark's per-flow tables
 * (`*.tshark-flows.tsv` beside the shared captures). Both sides become
 * CmpFlow rows: `a` is the first sender (our originator), counts per
 * direction, the VLAN ids as a set, first/last time in exact nanoseconds.
 */
import { readFileSync } from 'node:fs';
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

/** Our flow records (FlowBatch rows) as CmpFlows; ids like `udp 10.0.0.1:53 10.0.0.2:5353 vlan 5`. */
export function ourCmpFlows(batch: FlowColumns & { keyFlags: ArrayLike<number> }): CmpFlow[] {
  const out: CmpFlow[] = [];
  for (let i = 0; i < batch.count; i++) {
    const r: FlowRecord = flowRecordAt(batch, i, 0);
    const ported = PORTED.has(r.proto) && !(batch.keyFlags[i]! & 2);
    const aPort = ported ? r['id.orig_p'] : null;
    const bPort = ported ? r['id.resp_p'] : null;
    const vl = [r.vlan, r.inner_vlan ?? 0].filter((v) => v > 0);
    const vlanText = vl.length ? ` vlan ${vl.join('.')}` : '';
    out.push({
      id: `${r.proto} ${endpoint(r['id.orig_h'], aPort)} ${endpoint(r['id.resp_h'], bPort)}${vlanText}`,
      proto: batch.proto[i]!,
      a: r['id.orig_h'],
      aPort,
      b: r['id.resp_h'],
      bPort,
      a2b: { pkts: r.orig_pkts, bytes: r.orig_ip_bytes },
      b2a: { pkts: r.resp_pkts, bytes: r.resp_ip_bytes },
      vlans: vl.sort((x, y) => x - y).join(','),
      firstNs: BigInt(r.ts_ns),
      lastNs: BigInt(batch.lastSec[i]!) * 1_000_000_000n + BigInt(batch.lastNsec[i]!),
    });
  }
  return out;
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
