/**
 * Cuts a header at every length short of complete and checks the decoder
 * says "truncated" (never throws, never reads past the end), both when the
 * bytes really end there and when only `end` says so.
 */
import { expect } from 'vitest';
import type { DecodeStatus } from '../../src/decode/index.js';

type Decode = (data: Uint8Array, off: number, end: number) => DecodeStatus;

/**
 * @param bytes a packet holding a complete header at `off`
 * @param full the header's complete length (the decoder succeeds with exactly this many bytes)
 * @param neededAt what `needed` must be when k bytes are present (default: just "more than k")
 */
export function expectEveryTruncation(bytes: Uint8Array, off: number, full: number, decode: Decode, neededAt?: (k: number) => number): void {
  for (let k = 0; k < full; k++) {
    const cut = bytes.slice(0, off + k);
    for (const [label, r] of [
      ['cut bytes', decode(cut, off, cut.length)],
      ['end bound', decode(bytes, off, off + k)],
    ] as const) {
      const where = `${label}, ${k} of ${full} bytes`;
      expect(r.ok, where).toBe(false);
      expect(r.error, where).toBe('truncated');
      expect(r.available, where).toBe(k);
      expect(r.needed, where).toBeGreaterThan(k);
      if (neededAt) expect(r.needed, where).toBe(neededAt(k));
    }
  }
  const exact = bytes.slice(0, off + full);
  const r = decode(exact, off, exact.length);
  expect(r.ok, `exactly ${full} bytes: ${r.error} ${r.detail}`).toBe(true);
}
