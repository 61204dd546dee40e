/**
 * Address text: IPv4 dotted quad, IPv6 in the canonical form of RFC 5952,
 * MAC addresses. These build strings, so call them when a string is wanted,
 * not per packet on the hot path.
 */

/**
 * A host-order u32 as a dotted quad (the native src4/dst4 columns, IPv4Header.src).
 *
 * @example formatIPv4(0x0a000001) // '10.0.0.1'
 */
export function formatIPv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** Four bytes at `off` as a dotted quad ('' if fewer than 4 bytes are there). */
export function formatIPv4At(data: Uint8Array, off: number): string {
  if (off < 0 || off + 4 > data.length) return '';
  return `${data[off]}.${data[off + 1]}.${data[off + 2]}.${data[off + 3]}`;
}

/**
 * Sixteen bytes at `off` as RFC 5952 text: lower-case hex without leading
 * zeros; the longest run of two or more zero groups becomes "::" (the first
 * such run on a tie; a single zero group is never compressed); IPv4-mapped
 * addresses (::ffff:0:0/96) end in a dotted quad. Returns '' if fewer than
 * 16 bytes are there.
 *
 * @example formatIPv6(bytes, 0) // '2001:db8::1', '::ffff:192.0.2.1'
 */
export function formatIPv6(data: Uint8Array, off: number): string {
  if (off < 0 || off + 16 > data.length) return '';
  let zeroHead = true; // first 80 bits zero
  for (let i = 0; i < 10; i++) if (data[off + i] !== 0) zeroHead = false;
  if (zeroHead && data[off + 10] === 0xff && data[off + 11] === 0xff) {
    return `::ffff:${data[off + 12]}.${data[off + 13]}.${data[off + 14]}.${data[off + 15]}`;
  }
  // Longest run of zero groups (length >= 2), first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && data[off + 2 * g] === 0 && data[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      const len = g - runStart;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
      runStart = -1;
    }
  }
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += g === 0 ? '::' : ':';
      g += bestLen - 1;
      continue;
    }
    out += ((data[off + 2 * g]! << 8) | data[off + 2 * g + 1]!).toString(16);
    if (g < 7) out += ':';
  }
  return out;
}

/** Six bytes at `off` as lower-case colon-separated hex ('' if fewer are there). */
export function formatMac(data: Uint8Array, off: number): string {
  if (off < 0 || off + 6 > data.length) return '';
  let out = '';
  for (let i = 0; i < 6; i++) {
    const b = data[off + i]!;
    out += (i ? ':' : '') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return out;
}
