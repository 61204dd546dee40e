/**
 * The status every decoder result carries. Decoders never throw on short or
 * bad input: they set `ok = false` and say why. `needed` / `available` count
 * bytes from the offset the decoder started at.
 *
 * Results are classes with every field present from construction, so one
 * result object can be reused for every packet (pass it as `out`) and V8
 * keeps a single shape for it.
 */

/** OFFSET_ABSENT in the native offset columns: the layer is not in the packet. */
export const OFFSET_ABSENT = 0xffff;

export type DecodeErrorKind =
  /** The header runs past the end of the captured bytes (snaplen, or a damaged packet). */
  | 'truncated'
  /** The bytes are there but do not make a valid header (detail says which field). */
  | 'malformed'
  /** The offset is OFFSET_ABSENT (0xffff) or negative: this layer is not in the packet. */
  | 'absent';

export class DecodeStatus {
  /** True when every field below the status was decoded. */
  ok = false;
  error: DecodeErrorKind | null = null;
  /** Bytes this header needs from its offset (set when truncated). */
  needed = 0;
  /** Bytes that were available from its offset (set when truncated). */
  available = 0;
  /** A sentence for logs when malformed ('IPv4 header length 12 is below 20'). */
  detail = '';
  /** The offset the decoder started at. */
  offset = 0;
}

/** Bytes readable from `off` up to `end` (and the end of `data`). */
export function availableFrom(data: Uint8Array, off: number, end: number): number {
  const stop = end < data.length ? end : data.length;
  return stop > off ? stop - off : 0;
}

/** Resets the status for a new decode at `off`; returns false (and marks absent) when there is no layer. */
export function begin(out: DecodeStatus, off: number): boolean {
  out.offset = off;
  out.needed = 0;
  out.available = 0;
  out.detail = '';
  if (off === OFFSET_ABSENT || off < 0 || !Number.isInteger(off)) {
    out.ok = false;
    out.error = 'absent';
    out.detail = 'the layer is not in this packet';
    return false;
  }
  out.ok = true;
  out.error = null;
  return true;
}

export function truncated<T extends DecodeStatus>(out: T, needed: number, available: number): T {
  out.ok = false;
  out.error = 'truncated';
  out.needed = needed;
  out.available = available;
  out.detail = `needs ${needed} bytes, ${available} available`;
  return out;
}

export function malformed<T extends DecodeStatus>(out: T, detail: string): T {
  out.ok = false;
  out.error = 'malformed';
  out.detail = detail;
  return out;
}

/** Big-endian reads; callers have checked the bounds. */
export function u16(d: Uint8Array, o: number): number {
  return (d[o]! << 8) | d[o + 1]!;
}

export function u32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}
