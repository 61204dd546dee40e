/**
 * The batch descriptor table on the JS side: typed-array columns made ONCE per
 * ring over the native table's memory (struct of arrays, DESIGN section 2),
 * and the small Batch object each read returns (count, bytes, data + the
 * shared columns).
 *
 * VALIDITY: a batch's `data` is detached (byteLength 0, reads give undefined)
 * when the batch is released — ring.release(), the next read on the ring, or
 * close(). The columns are shared by every batch of a ring: a later batch
 * overwrites them, and close() detaches them. Copy what you keep.
 */
import type { FlowBatch } from './flows.js';
import type { Batch } from './types.js';

/** What NativeRing.table() returns. */
export interface NativeTable {
  buffer: ArrayBuffer;
  capacity: number;
  columns: Record<string, number>;
}

type Ctor = Float64ArrayConstructor | Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;

/** Every column, with its element type (cpp/batch.cc lays them out). */
const COLUMN_TYPES = {
  tsSec: Float64Array,
  dataOff: Uint32Array,
  tsNsec: Uint32Array,
  caplen: Uint32Array,
  len: Uint32Array,
  src4: Uint32Array,
  dst4: Uint32Array,
  hash: Uint32Array,
  ifindex: Uint32Array,
  l3Off: Uint16Array,
  l4Off: Uint16Array,
  payloadOff: Uint16Array,
  sport: Uint16Array,
  dport: Uint16Array,
  vlan: Uint16Array,
  flags: Uint16Array,
  ipLen: Uint16Array,
  ipVersion: Uint8Array,
  proto: Uint8Array,
  direction: Uint8Array,
  tcpFlags: Uint8Array,
} satisfies Record<string, Ctor>;

export type ColumnName = keyof typeof COLUMN_TYPES;
export type Columns = { readonly [K in ColumnName]: InstanceType<(typeof COLUMN_TYPES)[K]> };

/** Typed arrays over the native table, plus its header ([count, bytes]). */
export function makeColumns(t: NativeTable): { columns: Columns; header: Float64Array } {
  const out: Record<string, unknown> = {};
  for (const [name, ctor] of Object.entries(COLUMN_TYPES) as [ColumnName, Ctor][]) {
    const off = t.columns[name];
    if (off === undefined) throw new Error(`@pfwork/native: the addon's table has no column ${name} (rebuild the addon)`);
    out[name] = new ctor(t.buffer, off, t.capacity);
  }
  return { columns: out as Columns, header: new Float64Array(t.buffer, 0, 2) };
}

/** Columns of length 0, for rings opened with `rows: false` (their batches have no rows). */
export function emptyColumns(): Columns {
  const out: Record<string, unknown> = {};
  for (const [name, ctor] of Object.entries(COLUMN_TYPES) as [ColumnName, Ctor][]) out[name] = new ctor(0);
  return out as Columns;
}

/** One batch: its count, wire bytes and data, over the ring's shared columns. */
export class RingBatch implements Batch {
  readonly count: number;
  readonly bytes: number;
  readonly data: Uint8Array;
  readonly dataOff: Uint32Array;
  readonly tsSec: Float64Array;
  readonly tsNsec: Uint32Array;
  readonly caplen: Uint32Array;
  readonly len: Uint32Array;
  readonly l3Off: Uint16Array;
  readonly l4Off: Uint16Array;
  readonly payloadOff: Uint16Array;
  readonly ipVersion: Uint8Array;
  readonly proto: Uint8Array;
  readonly sport: Uint16Array;
  readonly dport: Uint16Array;
  readonly vlan: Uint16Array;
  readonly src4: Uint32Array;
  readonly dst4: Uint32Array;
  readonly hash: Uint32Array;
  readonly flags: Uint16Array;
  readonly ifindex: Uint32Array;
  readonly direction: Uint8Array;
  readonly ipLen: Uint16Array;
  readonly tcpFlags: Uint8Array;
  /** Flows finished during this batch (rings opened with `flows`; flows branch). */
  readonly flows?: FlowBatch;

  constructor(c: Columns, count: number, bytes: number, data: Uint8Array, flows?: FlowBatch) {
    if (flows) this.flows = flows;
    this.count = count;
    this.bytes = bytes;
    this.data = data;
    this.dataOff = c.dataOff;
    this.tsSec = c.tsSec;
    this.tsNsec = c.tsNsec;
    this.caplen = c.caplen;
    this.len = c.len;
    this.l3Off = c.l3Off;
    this.l4Off = c.l4Off;
    this.payloadOff = c.payloadOff;
    this.ipVersion = c.ipVersion;
    this.proto = c.proto;
    this.sport = c.sport;
    this.dport = c.dport;
    this.vlan = c.vlan;
    this.src4 = c.src4;
    this.dst4 = c.dst4;
    this.hash = c.hash;
    this.flags = c.flags;
    this.ifindex = c.ifindex;
    this.direction = c.direction;
    this.ipLen = c.ipLen;
    this.tcpFlags = c.tcpFlags;
  }

  /** The captured bytes of packet i: a view valid until the batch is released (then empty). */
  packet(i: number): Uint8Array {
    if (this.data.byteLength === 0) return new Uint8Array(0); // released: subarray() would throw
    const off = this.dataOff[i]!;
    return this.data.subarray(off, off + this.caplen[i]!);
  }
}
