/**
 * Incremental Internet checksums (RFC 1071 / RFC 1624) for the generator: the
 * constant part of each header is summed once per flow, the payload's sum is
 * looked up by length, and each packet adds only what changed (lengths, seq,
 * ack, flags). Recomputing over a 1500-byte payload per packet would be the
 * slowest thing the generator does.
 */

/** Unfolded one's-complement sum of bytes[from, to) as big-endian 16-bit words (odd tail padded). */
export function onesSum(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  let i = from;
  for (; i + 1 < to; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < to) sum += bytes[i]! << 8;
  return sum;
}

/** Folds a sum to 16 bits and complements it: the checksum field's value. */
export function finish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/**
 * prefix[n] = unfolded sum of bytes[from, from + n) for every n in 0..count:
 * the payload's contribution for any payload length, in O(1).
 */
export function prefixSums(bytes: Uint8Array, from: number, count: number): Float64Array {
  const out = new Float64Array(count + 1);
  let even = 0; // sum of the complete words so far
  for (let n = 1; n <= count; n++) {
    const b = bytes[from + n - 1]!;
    if (n % 2 === 1) {
      out[n] = even + (b << 8);
    } else {
      even += (bytes[from + n - 2]! << 8) | b;
      out[n] = even;
    }
  }
  return out;
}
