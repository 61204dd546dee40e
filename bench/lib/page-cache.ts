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
 *
 * By default the runner also drops the capture from the page cache first,
 * so every run finds it as read from disk (prepareCapture): what a process
 * mapping the file pays the kernel depends on the folios the page cache
 * holds it in (bench/c/page_cache.c says why), and those depend on the
 * file's history. The generator's fresh file sits in folios no larger than
 * its 1 MB writes; read in from disk it sits mostly in 2 MB folios, mapped
 * one entry each; and DAMON, evicting idle pieces of it, leaves the rest in
 * small folios once they are read back (measured: 98% of the capture
 * mappable in 2 MB entries after a read from disk, 34% after a full
 * benchmark run that only re-read what was evicted). docs/bench.md, "The
 * page cache's folios", has what each state costs.
 */
import { execFileSync } from 'node:child_process';
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

export interface CacheState {
  /** The file's pages, of pageSize bytes. */
  pages: number;
  pageSize: number;
  /** Of which in the page cache. */
  resident: number;
  /** Bytes a mapping of the file gets as 2 MB entries (this and the next two: cacheState() only). */
  pmdMappedBytes?: number;
  /** What populating that mapping took, and unmapping it. */
  mapSeconds?: number;
  unmapSeconds?: number;
}

function pageCache(bin: string, command: 'drop' | 'resident', file: string): CacheState {
  try {
    return JSON.parse(execFileSync(bin, [command, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as CacheState;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(e.stderr?.trim() || e.message);
  }
}

/** What the page cache holds of `file` (bench/c/page_cache.c; `bin` is its binary). */
export function cacheState(bin: string, file: string): CacheState {
  return pageCache(bin, 'resident', file);
}

export interface Prepared {
  /** Pages still cached right after the drop (a running process's mapping keeps them); 0 without one. */
  leftCached: number;
  read: WarmResult;
  /** What the run that follows finds. */
  state: CacheState;
}

/**
 * Makes `file` cached for a run: read from disk (dropped from the page cache,
 * then read back through readahead) when `fromDisk`, otherwise only read
 * through, as its history left it.
 */
export function prepareCapture(bin: string, file: string, fromDisk: boolean): Prepared {
  const leftCached = fromDisk ? pageCache(bin, 'drop', file).resident : 0;
  const read = warmPageCache(file);
  return { leftCached, read, state: cacheState(bin, file) };
}
