/**
 * Flow records from the native flow table's columns: strings (addresses,
 * history, tunnel parents) are built here, once per finished flow, never per
 * packet. Core does not import @pfwork/native: FlowColumns is the shape of its
 * FlowBatch, declared structurally.
 */
import { formatIPv4At, formatIPv6 } from '../decode/address.js';
import { FLOW_END_REASONS, type FlowEndReason, type FlowRecord } from './flow-record.js';

/** The outer-layer columns of a FlowBatch (see @pfwork/native's TunnelColumns). */
export interface FlowTunnelColumns {
  readonly id: ArrayLike<number>;
  readonly sport: ArrayLike<number>;
  readonly dport: ArrayLike<number>;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly type: ArrayLike<number>;
  readonly ipVersion: ArrayLike<number>;
  readonly hasId: ArrayLike<number>;
}

/** What flowRecordAt reads: @pfwork/native's FlowBatch has this shape. */
export interface FlowColumns {
  readonly count: number;
  readonly firstSec: ArrayLike<number>;
  readonly firstNsec: ArrayLike<number>;
  readonly lastSec: ArrayLike<number>;
  readonly lastNsec: ArrayLike<number>;
  readonly origPkts: ArrayLike<number>;
  readonly origBytes: ArrayLike<number>;
  readonly respPkts: ArrayLike<number>;
  readonly respBytes: ArrayLike<number>;
  readonly origAddr: Uint8Array;
  readonly respAddr: Uint8Array;
  readonly origPort: ArrayLike<number>;
  readonly respPort: ArrayLike<number>;
  readonly vlan: ArrayLike<number>;
  readonly innerVlan: ArrayLike<number>;
  readonly proto: ArrayLike<number>;
  readonly ipVersion: ArrayLike<number>;
  readonly endReason: ArrayLike<number>;
  readonly tunnelStart: ArrayLike<number>;
  readonly tunnelCount: ArrayLike<number>;
  readonly tunnels: FlowTunnelColumns;
  history(i: number): string;
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' };

/**
 * The record's `proto`: 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', or the number as text.
 * @example protoName(47) // '47'
 */
export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

const TUNNEL_NAMES = ['', 'ip', 'gre', 'erspan', 'vxlan', 'geneve', 'gtp-u', 'teredo'];
const TUNNEL_ID_NAMES = ['', '', 'key', 'session', 'vni', 'vni', 'teid', ''];

/** 16 address bytes at row `i` as text (IPv4 in the first 4 when version is 4). */
export function addressAt(bytes: Uint8Array, i: number, version: number): string {
  return version === 6 ? formatIPv6(bytes, i * 16) : formatIPv4At(bytes, i * 16);
}

function endpoint(addr: string, version: number, port: number, ported: boolean): string {
  if (!ported) return addr;
  return version === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/**
 * One tunnel layer as text: `<type> <src> <dst>[ <id name>=<id>]`, ports
 * only for UDP-based tunnels (IPv6 in brackets), e.g.
 * `vxlan 10.0.0.1:52102 10.0.0.2:4789 vni=42`, `gre 1.1.1.1 2.2.2.2 key=7`.
 */
export function tunnelText(t: FlowTunnelColumns, row: number): string {
  const type = t.type[row]!;
  const v = t.ipVersion[row]!;
  const ported = type >= 4; // vxlan, geneve, gtp-u, teredo
  const src = endpoint(addressAt(t.src, row, v), v, t.sport[row]!, ported);
  const dst = endpoint(addressAt(t.dst, row, v), v, t.dport[row]!, ported);
  const idName = TUNNEL_ID_NAMES[type] ?? '';
  const id = t.hasId[row] && idName ? ` ${idName}=${t.id[row]}` : '';
  return `${TUNNEL_NAMES[type] ?? String(type)} ${src} ${dst}${id}`;
}

/** Seconds + nanoseconds as an exact decimal string of nanoseconds. */
export function nsText(sec: number, nsec: number): string {
  return sec > 0 ? `${sec}${String(nsec).padStart(9, '0')}` : String(nsec);
}

/**
 * Row `i` of a FlowBatch as a FlowRecord (DESIGN section 6 field order,
 * then ts_ns, and inner_vlan / tunnel_parents when they apply).
 *
 * @example
 *   for (let i = 0; i < batch.count; i++) emit(flowRecordAt(batch, i, ctx.worker.index));
 */
export function flowRecordAt(c: FlowColumns, i: number, worker: number): FlowRecord {
  const v = c.ipVersion[i]!;
  const firstSec = c.firstSec[i]!;
  const firstNsec = c.firstNsec[i]!;
  const record: {
    -readonly [K in keyof FlowRecord]: FlowRecord[K];
  } = {
    type: 'flow',
    worker,
    ts: firstSec + firstNsec / 1e9,
    duration: c.lastSec[i]! - firstSec + (c.lastNsec[i]! - firstNsec) / 1e9,
    proto: protoName(c.proto[i]!),
    'id.orig_h': addressAt(c.origAddr, i, v),
    'id.orig_p': c.origPort[i]!,
    'id.resp_h': addressAt(c.respAddr, i, v),
    'id.resp_p': c.respPort[i]!,
    vlan: c.vlan[i]!,
    orig_pkts: c.origPkts[i]!,
    orig_ip_bytes: c.origBytes[i]!,
    resp_pkts: c.respPkts[i]!,
    resp_ip_bytes: c.respBytes[i]!,
    history: c.history(i),
    end_reason: (FLOW_END_REASONS[c.endReason[i]!] ?? 'end') as FlowEndReason,
    ts_ns: nsText(firstSec, firstNsec),
  };
  const inner = c.innerVlan[i]!;
  if (inner) record.inner_vlan = inner;
  const n = c.tunnelCount[i]!;
  if (n) {
    const start = c.tunnelStart[i]!;
    const parents: string[] = [];
    for (let k = 0; k < n; k++) parents.push(tunnelText(c.tunnels, start + k));
    record.tunnel_parents = parents;
  }
  return record;
}

// Characters JSON.stringify escapes in a string: quote, backslash, controls, lone surrogates.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON text; the quick path for the plain strings flows are made of. */
function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A number as JSON text (NaN and the infinities are null, as JSON.stringify writes them). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/**
 * Row `i` of a FlowBatch as its NDJSON line (no newline), written straight
 * from the columns: exactly `JSON.stringify(flowRecordAt(c, i, worker))`
 * (same keys in the same order, same numbers, same escaping), without
 * building the record object. `--flows` uses it when no `flow` hook needs
 * the object; test/flows-record-line.test.ts checks the equality on every
 * flow of the shared and generated captures.
 *
 * @example
 *   for (let i = 0; i < batch.count; i++) sink.emitLine(flowRecordLineAt(batch, i, worker));
 */
export function flowRecordLineAt(c: FlowColumns, i: number, worker: number): string {
  const v = c.ipVersion[i]!;
  const firstSec = c.firstSec[i]!;
  const firstNsec = c.firstNsec[i]!;
  // Addresses, proto names, end reasons and ts_ns are digits, dots, colons and
  // letters by construction: they never need escaping. history comes from C++.
  let line =
    `{"type":"flow","worker":${jsonNumber(worker)}` +
    `,"ts":${jsonNumber(firstSec + firstNsec / 1e9)}` +
    `,"duration":${jsonNumber(c.lastSec[i]! - firstSec + (c.lastNsec[i]! - firstNsec) / 1e9)}` +
    `,"proto":${jsonString(protoName(c.proto[i]!))}` +
    `,"id.orig_h":"${addressAt(c.origAddr, i, v)}"` +
    `,"id.orig_p":${jsonNumber(c.origPort[i]!)}` +
    `,"id.resp_h":"${addressAt(c.respAddr, i, v)}"` +
    `,"id.resp_p":${jsonNumber(c.respPort[i]!)}` +
    `,"vlan":${jsonNumber(c.vlan[i]!)}` +
    `,"orig_pkts":${jsonNumber(c.origPkts[i]!)}` +
    `,"orig_ip_bytes":${jsonNumber(c.origBytes[i]!)}` +
    `,"resp_pkts":${jsonNumber(c.respPkts[i]!)}` +
    `,"resp_ip_bytes":${jsonNumber(c.respBytes[i]!)}` +
    `,"history":${jsonString(c.history(i))}` +
    `,"end_reason":"${FLOW_END_REASONS[c.endReason[i]!] ?? 'end'}"` +
    `,"ts_ns":"${nsText(firstSec, firstNsec)}"`;
  const inner = c.innerVlan[i]!;
  if (inner) line += `,"inner_vlan":${jsonNumber(inner)}`;
  const n = c.tunnelCount[i]!;
  if (n) {
    const start = c.tunnelStart[i]!;
    line += ',"tunnel_parents":[';
    for (let k = 0; k < n; k++) line += (k ? ',' : '') + jsonString(tunnelText(c.tunnels, start + k));
    line += ']';
  }
  line += '}';
  // The pieces above make a rope of ~35 strings; a 100,000-flow batch appended
  // as ropes costs more to flatten and collect than JSON.stringify's flat text.
  // charCodeAt flattens a rope in place (V8); the check keeps it from being elided.
  if (line.charCodeAt(0) !== 123) throw new Error('flowRecordLineAt: internal error: the line does not start with {');
  return line;
}

/** Every row of a FlowBatch as FlowRecords. */
export function flowRecords(c: FlowColumns, worker: number): FlowRecord[] {
  const out: FlowRecord[] = new Array(c.count);
  for (let i = 0; i < c.count; i++) out[i] = flowRecordAt(c, i, worker);
  return out;
}

/** The NDJSON line of a record (no trailing newline). */
export function flowRecordJson(r: FlowRecord): string {
  return JSON.stringify(r);
}
