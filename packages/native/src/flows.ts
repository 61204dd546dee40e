/**
 * The native flow table (cpp/flow_table.cc): bidirectional per-flow counters
 * updated in C++ for every packet, with finished flows handed over in batches
 * (FlowBatch: one ArrayBuffer, struct of arrays; nothing is allocated per flow
 * until a field is read). docs/flows.md describes every rule.
 *
 * Turning a FlowBatch row into the JSON flow record (strings, Zeek names) is
 * @pfwork/core's job (`flowRecordAt`): native and core never import each other.
 * FlowBatch.ndjson() writes the same records' NDJSON text natively, for output
 * that needs no record object (flow-ndjson.ts).
 */
import { packedFlowsNdjson, type PackedFlows } from './flow-ndjson.js';
import { loadNative } from './loader.js';
import { LinkType } from './locate.js';
import type { Batch } from './types.js';

/** User input for a FlowTable. Times are seconds of packet time. */
export interface FlowTableOptions {
  /** A TCP flow without packets this long ends with reason idle. Default 300. */
  tcpIdleTimeoutSec?: number;
  /** Default 60. */
  udpIdleTimeoutSec?: number;
  /** ICMP and ICMPv6. Default 30. */
  icmpIdleTimeoutSec?: number;
  /** Every other IP protocol. Default 60. */
  otherIdleTimeoutSec?: number;
  /** A flow older than this is reported (reason active) at its next packet and counting starts afresh. Default 1800. */
  activeTimeoutSec?: number;
  /** A TCP flow that closed (FINs acknowledged, or RST) is reported after this long without packets (Zeek's tcp_close_delay). Default 5. */
  tcpCloseDelaySec?: number;
  /** Fragments held for a first fragment that does not come are counted without ports after this long. Default 30. */
  fragmentTimeoutSec?: number;
  /** Most flows held at once; when full, the least recently seen flow ends with reason evicted. Default 1,000,000. */
  maxFlows?: number;
  /** Most fragmented datagrams followed at once. Default 16384. */
  maxFragments?: number;
}

export type ResolvedFlowTableOptions = Required<FlowTableOptions>;

export const FLOW_TABLE_DEFAULTS: ResolvedFlowTableOptions = Object.freeze({
  tcpIdleTimeoutSec: 300,
  udpIdleTimeoutSec: 60,
  icmpIdleTimeoutSec: 30,
  otherIdleTimeoutSec: 60,
  activeTimeoutSec: 1800,
  tcpCloseDelaySec: 5,
  fragmentTimeoutSec: 30,
  maxFlows: 1_000_000,
  maxFragments: 16384,
});

/** Largest maxFlows accepted (the same bound as core's `flows.maxFlows`). */
export const MAX_FLOWS_LIMIT = 100_000_000;

/** Why a flow ended: the FlowBatch `endReason` column. Names are FlowRecord's end_reason. */
export const FlowEnd = { Fin: 0, Rst: 1, Idle: 2, Active: 3, End: 4, Stop: 5, Evicted: 6 } as const;
export const FLOW_END_NAMES = ['fin', 'rst', 'idle', 'active', 'end', 'stop', 'evicted'] as const;

/** Bits of the FlowBatch `keyFlags` column. */
export const FlowKeyFlag = {
  IPv6: 1,
  /** No transport ports: fragments whose first fragment was never seen, or ports cut off by the snap length. */
  NoPorts: 2,
  /** ICMP message without a counterpart type (unreachable...): keyed as sent, as Zeek does. */
  OneWay: 4,
} as const;

/** How a flow's layer was reached: the tunnel `type` column (cpp/tunnel.h). */
export const TunnelType = { IP: 1, GRE: 2, ERSPAN: 3, VXLAN: 4, Geneve: 5, GTPU: 6, Teredo: 7 } as const;
export const TUNNEL_TYPE_NAMES = ['', 'ip', 'gre', 'erspan', 'vxlan', 'geneve', 'gtp-u', 'teredo'] as const;

/** The outer layers of tunneled flows; flow i's are rows tunnelStart[i] .. + tunnelCount[i], outermost first. */
export interface TunnelColumns {
  /** GRE key, VXLAN/Geneve VNI, GTP-U TEID, ERSPAN session (when hasId). */
  readonly id: Uint32Array;
  /** Outer UDP ports for UDP-based tunnels (VXLAN, Geneve, GTP-U, Teredo); 0 otherwise. */
  readonly sport: Uint16Array;
  readonly dport: Uint16Array;
  /** 16 bytes per row: the outer source / destination address (IPv4: the first 4 bytes). */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** TunnelType of the tunnel this layer carries. */
  readonly type: Uint8Array;
  readonly ipVersion: Uint8Array;
  readonly hasId: Uint8Array;
}

/**
 * Finished flows, as columns (row i = flow i). Times: whole seconds in a
 * float64 (exact) + nanoseconds. Counters are float64 (exact to 2^53).
 * Addresses: 16 bytes per row (IPv4: the first 4, network order).
 * The views stay valid as long as you keep the FlowBatch (it owns its buffer).
 */
export interface FlowBatch {
  readonly count: number;
  readonly firstSec: Float64Array;
  readonly firstNsec: Uint32Array;
  readonly lastSec: Float64Array;
  readonly lastNsec: Uint32Array;
  readonly origPkts: Float64Array;
  /** IP bytes (sum of IP total lengths) sent by the originator. */
  readonly origBytes: Float64Array;
  readonly respPkts: Float64Array;
  readonly respBytes: Float64Array;
  readonly origAddr: Uint8Array;
  readonly respAddr: Uint8Array;
  /** Ports; ICMP: type and counterpart type / code (Zeek's convention); 0 without ports. */
  readonly origPort: Uint16Array;
  readonly respPort: Uint16Array;
  readonly vlan: Uint16Array;
  readonly innerVlan: Uint16Array;
  readonly proto: Uint8Array;
  readonly ipVersion: Uint8Array;
  /** FlowEnd code; FLOW_END_NAMES[code] is the record's end_reason. */
  readonly endReason: Uint8Array;
  readonly keyFlags: Uint8Array;
  /** OR of the TCP flags each side sent. */
  readonly origTcpFlags: Uint8Array;
  readonly respTcpFlags: Uint8Array;
  /** 16 ASCII bytes per row, zero-padded: Zeek's history letters (see history()). */
  readonly historyBytes: Uint8Array;
  readonly tunnelStart: Uint32Array;
  readonly tunnelCount: Uint8Array;
  readonly tunnels: TunnelColumns;
  /** Row i's history string (built when called). */
  history(i: number): string;
  /**
   * Rows [from, to) as NDJSON, written natively in one call: one string, each
   * record's line followed by '\n', exactly `flowRecordLineAt(batch, i, worker)`
   * of @pfwork/core for every row (what `--flows` writes). Default: every row.
   * Works after the table or ring that made the batch was closed (the batch
   * owns its buffer). Format a very large batch in row ranges: one JS string
   * holds at most ~536 million characters (~1.5 million records).
   * @example process.stdout.write(batch.flows.ndjson(0));
   * @throws PfwArgumentError (code PFW_INVALID_ARGUMENT) for a worker that is not an
   *   integer from 0 to 4294967295, a row range outside 0..count, or a detached buffer
   */
  ndjson(worker: number, from?: number, to?: number): string;
}

type Column = [name: string, size: number, per: number];
type Ctor = Float64ArrayConstructor | Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;
const ctorOf: Record<number, Ctor> = { 8: Float64Array, 4: Uint32Array, 2: Uint16Array, 1: Uint8Array };

// The layout rule of cpp/flow_pack.h: columns in order, each at the next multiple of its element size.
function views(buf: ArrayBuffer, cols: readonly Column[], rows: number, cursor: number): [Record<string, ArrayLike<number>>, number] {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [name, size, per] of cols) {
    cursor = Math.ceil(cursor / size) * size;
    out[name] = new ctorOf[size]!(buf, cursor, rows * per);
    cursor += size * per * rows;
  }
  return [out, cursor];
}

let columnSpec: { flows: Column[]; tunnels: Column[] } | undefined;
function spec() {
  if (!columnSpec) {
    const n = loadNative();
    columnSpec = { flows: n.flowColumns as Column[], tunnels: n.tunnelColumns as Column[] };
  }
  return columnSpec;
}

class FlowBatchView {
  readonly count: number;
  readonly tunnels: TunnelColumns;
  declare readonly historyBytes: Uint8Array;
  readonly #packed: PackedFlows;

  constructor(packed: { buffer: ArrayBuffer; count: number; tunnelCount: number } | null) {
    const { flows, tunnels } = spec();
    const buffer = packed?.buffer ?? new ArrayBuffer(0);
    this.count = packed?.count ?? 0;
    this.#packed = { buffer, count: this.count, tunnelCount: packed?.tunnelCount ?? 0 };
    const [f, end] = views(buffer, flows, this.count, 0);
    const [t] = views(buffer, tunnels, packed?.tunnelCount ?? 0, end);
    for (const [name, cols] of Object.entries(f)) (this as Record<string, unknown>)[name === 'history' ? 'historyBytes' : name] = cols;
    this.tunnels = t as unknown as TunnelColumns;
  }

  history(i: number): string {
    let s = '';
    const h = this.historyBytes;
    for (let k = i * 16; k < i * 16 + 16 && h[k]; k++) s += String.fromCharCode(h[k]!);
    return s;
  }

  ndjson(worker: number, from = 0, to = this.count): string {
    return packedFlowsNdjson(this.#packed, worker, from, to);
  }
}

type Packed = { buffer: ArrayBuffer; count: number; tunnelCount: number } | null;

let emptyView: FlowBatch | undefined;
/**
 * The view of a hand-over. A Ring hands over after every batch, and most
 * batches finish no flow: those share one empty view instead of building
 * ~30 typed arrays each (measured: ~17% of the native path's CPU time on the
 * bench capture went to constructing empty views).
 */
function flowView(packed: Packed): FlowBatch {
  if (!packed || (packed.count === 0 && packed.tunnelCount === 0)) {
    return (emptyView ??= new FlowBatchView(null) as unknown as FlowBatch);
  }
  return new FlowBatchView(packed) as unknown as FlowBatch;
}

/** The packet columns FlowTable.update reads (a Ring Batch has them all). */
export type FlowInput = Pick<Batch, 'count' | 'data' | 'dataOff' | 'caplen' | 'tsSec' | 'tsNsec'> &
  Partial<Pick<Batch, 'flags' | 'vlan'>>;

export interface FlowTableStats {
  /** Packets given to the table. */
  packets: number;
  /** Of which IP (non-IP frames are not flows). */
  ipPackets: number;
  /** Packets whose flow layer was inside a tunnel. */
  tunneled: number;
  created: number;
  finished: number;
  /** Flows ended because the table was full. */
  evicted: number;
  /** Fragments that came before their first fragment and were held. */
  fragmentsHeld: number;
  /** Fragments counted in a flow without ports (their first fragment was never seen). */
  fragmentsUnmatched: number;
  /** Fragmented datagrams forgotten early because the fragment cache was full. */
  fragmentEntriesDropped: number;
  /** Flows in the table now. */
  active: number;
  maxFlows: number;
  /** Bytes the table has allocated now (flows, index, tunnel layers, fragment cache, pending hand-over). */
  memoryBytes: number;
}

function invalid(message: string): TypeError & { code: string } {
  const err = new TypeError(message) as TypeError & { code: string };
  err.code = 'PFW_INVALID_ARGUMENT';
  return err;
}

/**
 * Every problem with these options, one message each (empty when fine).
 * @example flowTableOptionProblems({ maxFlows: 0 }) // ['flows.maxFlows must be an integer from 1 to 100000000, got 0']
 */
export function flowTableOptionProblems(options: unknown): string[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return [`flows must be true, false or an object of flow table options, got ${JSON.stringify(options)}`];
  }
  const problems: string[] = [];
  const known = Object.keys(FLOW_TABLE_DEFAULTS);
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (!known.includes(k)) {
      problems.push(`flows.${k} is not a flow table option: use one of ${known.join(', ')}`);
      continue;
    }
    const isCount = k === 'maxFlows' || k === 'maxFragments';
    const max = k === 'maxFlows' ? MAX_FLOWS_LIMIT : isCount ? 10_000_000 : 86400 * 365;
    const ok = typeof v === 'number' && Number.isFinite(v) && (isCount ? Number.isInteger(v) && v >= 1 : v > 0) && v <= max;
    if (!ok) {
      const what = isCount ? `an integer from 1 to ${max}` : `a number of seconds above 0 and at most ${max}`;
      problems.push(`flows.${k} must be ${what}, got ${JSON.stringify(v)}`);
    }
  }
  return problems;
}

/**
 * Applies defaults (FLOW_TABLE_DEFAULTS) and checks every option together.
 * @throws TypeError (code PFW_INVALID_ARGUMENT) listing every problem, e.g.
 *   `flows.maxFlows must be an integer from 1 to 100000000, got 0`
 */
export function resolveFlowTableOptions(options: FlowTableOptions = {}): ResolvedFlowTableOptions {
  const problems = flowTableOptionProblems(options);
  if (problems.length) throw invalid(problems.join('; '));
  const r: Record<string, number> = { ...FLOW_TABLE_DEFAULTS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) r[k] = v as number;
  return r as unknown as ResolvedFlowTableOptions;
}

/**
 * A flow table you feed packet batches (FlowTable.update) — for a Ring opened
 * without `flows`, for tests, and for tools. A Ring opened with `flows` keeps
 * its own table and fills `batch.flows` instead.
 *
 * Time is packet time: the clock is the newest packet timestamp seen, so a
 * capture file gives the same records every run. Live capture with long
 * silences calls advance() with the wall clock so idle flows still end.
 *
 * @example
 *   const ring = Ring.open({ file: 'trace.pcap' });          // a ring without `flows`
 *   const table = new FlowTable({ udpIdleTimeoutSec: 30 });
 *   for await (const batch of ring) handle(table.update(batch, ring.linkType));
 *   handle(table.flush('end'));                              // FlowBatch: flowRecordAt() in @pfwork/core makes records
 * @throws TypeError (code PFW_INVALID_ARGUMENT) for bad options (see resolveFlowTableOptions)
 */
export class FlowTable {
  readonly options: ResolvedFlowTableOptions;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #native: any;

  constructor(options: FlowTableOptions = {}) {
    this.options = resolveFlowTableOptions(options);
    this.#native = new (loadNative().NativeFlowTable)(this.options);
  }

  /**
   * Accounts every packet of the batch (one native call) and returns the
   * flows that finished meanwhile (timeouts, TCP closes, evictions).
   * @param linkType the frames' link type (Ring.linkType); default Ethernet
   * @throws TypeError (code PFW_INVALID_ARGUMENT) when a column has the wrong type or a packet lies outside `data`
   */
  update(batch: FlowInput, linkType: number = LinkType.Ethernet): FlowBatch {
    const hasMeta = batch.flags instanceof Uint16Array && batch.vlan instanceof Uint16Array;
    return flowView(
      this.#native.update(linkType, batch.data, batch.dataOff, batch.caplen, batch.tsSec, batch.tsNsec, batch.count,
        hasMeta ? batch.flags : null, hasMeta ? batch.vlan : null),
    );
  }

  /** The flows that finished since the last hand-over (a Ring feeding this table fills it while it builds a batch). */
  take(): FlowBatch {
    return flowView(this.#native.take());
  }

  /** @internal The native ring feeds this table from now on (Ring.open({ flows }) does this). */
  attachToRing(nativeRing: unknown): void {
    this.#native.attachToRing(nativeRing);
  }

  /** Moves the clock to this time (if later) and returns what timed out. */
  advance(tsSec: number, tsNsec = 0): FlowBatch {
    return flowView(this.#native.advance(tsSec, tsNsec));
  }

  /**
   * Ends every open flow — none is lost — and every held fragment (counted
   * without ports). Flows that had closed keep reason fin/rst.
   * @param reason 'end' (end of input, the default) or 'stop'
   */
  flush(reason: 'end' | 'stop' = 'end'): FlowBatch {
    if (reason !== 'end' && reason !== 'stop') throw invalid(`flush: reason must be 'end' or 'stop', got ${JSON.stringify(reason)}`);
    return flowView(this.#native.flush(reason === 'end' ? FlowEnd.End : FlowEnd.Stop));
  }

  stats(): FlowTableStats {
    return this.#native.stats() as FlowTableStats;
  }

  /** Frees the table (its flows are dropped: flush() first to keep them). Later calls throw PFW_CLOSED. */
  close(): void {
    this.#native.close();
  }

  /**
   * The most bytes a table of `maxFlows` allocates for flows and index:
   * 128 bytes per flow (in chunks of 65536) + 8 bytes per index slot (at
   * least 2 per flow, a power of two). Tunnel layers (180 bytes per tunneled
   * flow) and the fragment cache come on top. docs/flows.md has the table.
   */
  static memoryBound(maxFlows: number): number {
    return loadNative().NativeFlowTable.flowMemoryBound(maxFlows) as number;
  }

  /** @internal Test entry point: feeds a whole capture file natively (libpcap, ns timestamps). */
  feedPcapForTest(path: string): { packets: number; linkType: number; error: string | null } {
    return this.#native.feedPcapForTest(path);
  }

  /** @internal Test entry point: creates n distinct one-packet UDP flows at tsSec. */
  insertSyntheticForTest(n: number, tsSec: number, ipv6 = false): void {
    this.#native.insertSyntheticForTest(n, tsSec, ipv6);
  }
}

/** An empty FlowBatch (no flows). */
export function emptyFlowBatch(): FlowBatch {
  return flowView(null);
}

/** @internal Wraps a packed hand-over from native code (the Ring's batch.flows). */
export function flowBatchFromNative(packed: { buffer: ArrayBuffer; count: number; tunnelCount: number } | null): FlowBatch {
  return flowView(packed);
}

