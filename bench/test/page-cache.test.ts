/**
 * warmPageCache() reads the whole capture, every byte once, before each file
 * row's run (bench/lib/page-cache.ts): a short read would leave the rest of
 * the file to the disk and the row measuring it. readFromDisk() drops the
 * capture from the page cache first (once per run), on the file system the
 * benchmark's cache directory is on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_DIR } from '../gen/cache.js';
import { buildCPrograms } from '../lib/build-c.js';
import { cacheState, readFromDisk, warmPageCache } from '../lib/page-cache.js';

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

describe('readFromDisk', () => {
  const bin = buildCPrograms().page_cache!;

  it('drops every page of the file, reads it all back, and says what the page cache then holds', () => {
    const size = (8 << 20) * 3 + 4097;
    const file = path.join(dir, 'disk.bin');
    writeFileSync(file, Buffer.alloc(size, 3)); // dirty pages: written back before the drop
    const pages = Math.ceil(size / cacheState(bin, file).pageSize);
    expect(cacheState(bin, file).resident).toBe(pages);
    const d = readFromDisk(bin, file);
    expect(d.leftCached).toBe(0);
    expect(d.read.bytes).toBe(size);
    expect(d.after.pages).toBe(pages);
    expect(d.after.resident).toBe(pages);
    // Whether the kernel maps any of it in 2 MB entries depends on it and the file system: only its range is asserted.
    expect(d.after.pmdMappedBytes).toBeGreaterThanOrEqual(0);
    expect(d.after.pmdMappedBytes).toBeLessThanOrEqual(size);
  });

  it('names the file it cannot open', () => {
    expect(() => readFromDisk(bin, path.join(dir, 'missing.pcap'))).toThrow(/cannot open .*missing\.pcap: No such file/);
  });
});
