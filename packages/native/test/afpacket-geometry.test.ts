import { describe, expect, it } from 'vitest';
import {
  AFPACKET_BLOCK_OVERHEAD,
  AFPACKET_DEFAULTS,
  pageSize,
  resolveAfpacketGeometry,
  validateAfpacketGeometry,
} from '../src/afpacket.js';

const ok = { snaplen: 65535, ...AFPACKET_DEFAULTS };

function problems(g: Partial<typeof ok>, page = 4096): string[] {
  try {
    validateAfpacketGeometry({ ...ok, ...g }, page);
  } catch (err) {
    const e = err as RangeError & { code: string; problems: string[] };
    expect(e).toBeInstanceOf(RangeError);
    expect(e.code).toBe('PFW_INVALID_ARGUMENT');
    expect(e.message).toBe(e.problems.join('\n'));
    return e.problems;
  }
  return [];
}

describe('AF_PACKET ring geometry', () => {
  it('uses the page size the kernel maps with', () => {
    const p = pageSize();
    expect(p).toBeGreaterThanOrEqual(4096);
    expect(p & (p - 1)).toBe(0);
  });

  it('applies the defaults: 4 MiB x 64 blocks, frames of 2048, 10 ms retire timeout', () => {
    expect(resolveAfpacketGeometry({ snaplen: 1500 })).toEqual({
      snaplen: 1500,
      blockSize: 4194304,
      blockCount: 64,
      frameSize: 2048,
      retireTimeoutMs: 10,
    });
    expect(resolveAfpacketGeometry({ snaplen: 200, blockSize: 8192, blockCount: 2, retireTimeoutMs: 0 })).toMatchObject({
      blockSize: 8192,
      blockCount: 2,
      retireTimeoutMs: 0,
    });
  });

  it('accepts the smallest ring that holds one packet', () => {
    expect(problems({ blockSize: 4096, blockCount: 1, snaplen: 4096 - AFPACKET_BLOCK_OVERHEAD })).toEqual([]);
  });

  it('names the page size when blockSize is not a multiple of it', () => {
    expect(problems({ blockSize: 5000, snaplen: 1500 })).toEqual(['blockSize (5000) must be a multiple of the page size (4096)']);
    expect(problems({ blockSize: 65536, snaplen: 1500 }, 16384)).toEqual([]);
    expect(problems({ blockSize: 8192, snaplen: 1500 }, 16384)).toEqual([
      'blockSize (8192) must be an integer from 16384 to 1073741824',
    ]);
  });

  it('wants blocks of 2^n pages', () => {
    expect(problems({ blockSize: 12288, snaplen: 1500 })).toEqual([
      'blockSize (12288) must be a power of two (the kernel allocates each block as 2^n pages)',
    ]);
  });

  it('names blockSize and snaplen when one packet does not fit in a block', () => {
    expect(problems({ blockSize: 65536, snaplen: 65535 })).toEqual([
      'blockSize (65536) cannot hold one packet of snaplen (65535): a block needs snaplen + 130 bytes; use blockSize 131072 or snaplen 65406',
    ]);
  });

  it('checks frameSize against TPACKET_ALIGNMENT and blockSize', () => {
    expect(problems({ frameSize: 1000 })).toEqual(['frameSize (1000) must be a multiple of 16 (TPACKET_ALIGNMENT)']);
    expect(problems({ blockSize: 4096, frameSize: 8192, snaplen: 1500 })).toEqual([
      'frameSize (8192) must not exceed blockSize (4096)',
    ]);
    expect(problems({ frameSize: 64 })).toEqual(['frameSize (64) must be an integer from 80 to 1073741824']);
  });

  it('lists every problem of the set at once', () => {
    expect(problems({ blockSize: 5000, blockCount: 0, retireTimeoutMs: -1, snaplen: 0 })).toEqual([
      'snaplen (0) must be an integer from 1 to 2147483647',
      'blockCount (0) must be an integer from 1 to 4294967295',
      'retireTimeoutMs (-1) must be an integer from 0 to 2147483647',
      'blockSize (5000) must be a multiple of the page size (4096)',
    ]);
  });

  it('rejects values that are not integers', () => {
    expect(problems({ blockCount: 2.5 })).toEqual(['blockCount (2.5) must be an integer from 1 to 4294967295']);
    expect(problems({ retireTimeoutMs: Number.NaN })).toEqual(['retireTimeoutMs (NaN) must be an integer from 0 to 2147483647']);
  });
});
