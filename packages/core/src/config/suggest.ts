/**
 * "Did you mean ...?" for unknown option keys: a typo is reported, never
 * silently ignored, and the nearest known key is offered.
 */

/** Damerau-Levenshtein (optimal string alignment) distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/** Normalises separators so `snap-len`, `snap_len` and `snapLen` compare equal. */
function squash(k: string): string {
  return k.replace(/[-_\s]/g, '').toLowerCase();
}

/**
 * The known key closest to `key`, or undefined when none is close enough
 * (one edit for keys up to 3 characters, two up to 6, then a third of the length).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = squash(k) === squash(key) ? 0 : editDistance(key, k);
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  const limit = key.length <= 3 ? 1 : key.length <= 6 ? 2 : Math.floor(key.length / 3);
  return bestD <= limit ? best : undefined;
}
