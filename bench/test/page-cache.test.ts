/**
 * warmPageCache() reads the whole capture, every byte once, before each file
 * row's run (bench/lib/page-cache.ts): a short read would leave the rest of
 * the file to the disk and the row measuring it. prepareCapture() drops the
 * capture from the page cache first (before each file run unless
 * --keep-page-cache), on the file system the benchmark's cache directory is on.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_DIR } from '../gen/cache.js';
import { buildCPrograms } from '../lib/build-c.js';
import { cacheState, prepareCapture, warmPageCache } from '../lib/page-cache.js';

mkdirSync(CACHE_DIR, { recursive: true });
const dir = mkdtempSync(path.join(CACHE_DIR, 'test-page-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warmPageCache', () => {
  it('reads every byte of a file larger than its read size, and of an empty one', () => {
    const size = (8 << 20) * 2 + 12345; // two full reads and a partial one
    const file = path.join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(size, 7));
    const w = warmPageCache(file);
    expect(w.bytes).toBe(size);
    expect(w.seconds).toBeGreaterThan(0);
    const empty = path.join(dir, 'empty.bin');
    writeFileSync(empty, '');
    expect(warmPageCache(empty).bytes).toBe(0);
  });

  it('fails on a file that is not there (the row does not run on a capture it cannot read)', () => {
    expect(() => warmPageCache(path.join(dir, 'missing.pcap'))).toThrow(/ENOENT/);
  });
});

// tmpfs and ramfs keep a file's pages in memory: there is no disk to drop them to.
const MEMORY_FS: Record<number, string> = { 0x01021994: 'tmpfs', 0x858458f6: 'ramfs' };
const memoryFs = MEMORY_FS[statfsSync(dir).type];

describe.skipIf(memoryFs !== undefined)(`prepareCapture${memoryFs ? ` (skipped: bench/.cache is on ${memoryFs}, which has no disk to drop pages to)` : ''}`, () => {
  const bin = buildCPrograms().page_cache!;
  const size = (8 << 20) * 3 + 4097;
  const file = path.join(dir, 'disk.bin');

  it('from disk: drops every page of the file, reads it all back, and says what the page cache then holds', () => {
    writeFileSync(file, Buffer.alloc(size, 3)); // dirty pages: written back before the drop
    const pages = Math.ceil(size / cacheState(bin, file).pageSize);
    expect(cacheState(bin, file).resident).toBe(pages);
    const p = prepareCapture(bin, file, true);
    expect(p.leftCached).toBe(0); // what stayed cached right after the drop
    expect(p.read.bytes).toBe(size);
    expect(p.state.pages).toBe(pages);
    expect(p.state.resident).toBe(pages);
    // Whether the kernel maps any of it in 2 MB entries depends on it and the file system: only the range is asserted.
    expect(p.state.pmdMappedBytes).toBeGreaterThanOrEqual(0);
    expect(p.state.pmdMappedBytes).toBeLessThanOrEqual(size);
    expect(p.state.mapSeconds).toBeGreaterThan(0);
    expect(p.state.unmapSeconds).toBeGreaterThan(0);
  });

  it('as it is (--keep-page-cache): reads it through and leaves it cached, folios and all', () => {
    // Written 64 KiB at a time, as a capture tool writes: the page cache holds
    // it in small folios, which a drop and read back would replace (on a file
    // system with large folios, mapping more of it in 2 MB entries).
    // 64 MiB: readahead grows its folios as a read goes on, to 2 MB only
    // some way into a file.
    const big = 64 << 20;
    const fd = openSync(file, 'w');
    const chunk = Buffer.alloc(64 << 10, 4);
    for (let done = 0; done < big; done += chunk.length) writeSync(fd, chunk);
    closeSync(fd);
    const before = cacheState(bin, file);
    const p = prepareCapture(bin, file, false);
    expect(p.read.bytes).toBe(big);
    expect(p.state.resident).toBe(p.state.pages);
    expect(p.state.pmdMappedBytes).toBe(before.pmdMappedBytes);
  });

  it('names the file it cannot open', () => {
    expect(() => prepareCapture(bin, path.join(dir, 'missing.pcap'), true)).toThrow(/cannot open .*missing\.pcap: No such file/);
  });
});
