/**
 * Every file row starts with the capture in the page cache: the runner reads
 * the whole file right before each run. The file rows measure processing
 * (CPU per packet), and a cold read would bound all of them by the disk
 * instead: on the benchmark machine the kernel's DAMON "pageout" scheme
 * evicts file pages left idle for a while (/sys/kernel/mm/damon), and the
 * 1.8 GB default capture then reads at ~750 MB/s (2.4 s) against ~6 GB/s
 * cached. Whether a run would have started cold depended on how long the
 * previous rows took, which showed up as rows (and ratios) moving up to 2x
 * between runs.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 8 << 20;

export interface WarmResult {
  bytes: number;
  seconds: number;
  /** Read at less than 2 GB/s: most of the file came from the disk (it had been evicted). */
  wasCold: boolean;
}

/** Reads `file` from start to end (into one reused buffer) so the run that follows finds it cached. */
export function warmPageCache(file: string): WarmResult {
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(file, 'r');
  const t0 = performance.now();
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, bytes);
      if (n <= 0) break;
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { bytes, seconds, wasCold: bytes / Math.max(seconds, 1e-9) < 2e9 };
}
