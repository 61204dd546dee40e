/**
 * warmPageCache() reads the whole capture, every byte once, before each file
 * row's run (bench/lib/page-cache.ts): a short read would leave the rest of
 * the file to the disk and the row measuring it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { warmPageCache } from '../lib/page-cache.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pfw-bench-warm-'));
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
