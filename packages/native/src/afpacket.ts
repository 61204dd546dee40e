/**
 * AF_PACKET ring geometry: defaults, and the check of the whole set before any
 * system call (gopacket's style: every message names the conflicting values).
 * Each option is named after the `tpacket_req3` field it sets.
 *
 * The ring is blockCount blocks of blockSize bytes, mapped into the process.
 * The kernel fills one block at a time and hands it over when it is full or
 * retireTimeoutMs after its first packet; a batch is one such block. Memory:
 * blockSize x blockCount per ring (default 4 MiB x 64 = 256 MiB of kernel
 * memory, allocated when the ring opens). See docs/afpacket.md.
 */
import { loadNative } from './loader.js';

/** The geometry a ring is created (or adopted) with. */
export interface AfpacketGeometry {
  /** Bytes kept of each packet (enforced by the socket filter's accept value). */
  snaplen: number;
  /** `tp_block_size`: bytes per block; a power of two and a multiple of the page size. Default 4 MiB. */
  blockSize: number;
  /** `tp_block_nr`: number of blocks. Default 64. */
  blockCount: number;
  /** `tp_frame_size`: only a unit of accounting for TPACKET_V3 (packets are packed). Default 2048. */
  frameSize: number;
  /** `tp_retire_blk_tov`: ms after which a partly filled block is handed over; 0 = the kernel derives it from the link speed. Default 10. */
  retireTimeoutMs: number;
}

/** Defaults for the geometry (snaplen is the Ring's option). */
export const AFPACKET_DEFAULTS: Readonly<Omit<AfpacketGeometry, 'snaplen'>> = Object.freeze({
  blockSize: 1 << 22,
  blockCount: 64,
  frameSize: 2048,
  retireTimeoutMs: 10,
});

/**
 * Bytes a block needs beyond a packet's snaplen: the block descriptor (48) and,
 * per packet, the tpacket3_hdr and sockaddr_ll, aligned, before the
 * Ethernet header (82).
 */
export const AFPACKET_BLOCK_OVERHEAD = 130;

/** Smallest tp_frame_size the kernel accepts for TPACKET_V3 (the header, 16-aligned). */
const MIN_FRAME_SIZE = 80;
const MAX_BLOCK_SIZE = 1 << 30;

let cachedPageSize: number | undefined;

/** The page size the kernel maps rings with (sysconf(_SC_PAGESIZE)). */
export function pageSize(): number {
  cachedPageSize ??= loadNative().pageSize() as number;
  return cachedPageSize;
}

function invalidOptions(problems: string[]): RangeError & { code: string; problems: string[] } {
  const err = new RangeError(problems.join('\n')) as RangeError & { code: string; problems: string[] };
  err.code = 'PFW_INVALID_ARGUMENT';
  err.problems = problems;
  return err;
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/**
 * Checks a whole geometry together and throws one RangeError (code
 * PFW_INVALID_ARGUMENT, `problems` listing each, the message one per line)
 * naming the conflicting values, e.g.
 * `blockSize (5000) must be a multiple of the page size (4096)`.
 *
 * @param page the page size to check against (default: this machine's)
 * @example validateAfpacketGeometry({ snaplen: 65535, ...AFPACKET_DEFAULTS })
 */
export function validateAfpacketGeometry(g: AfpacketGeometry, page: number = pageSize()): void {
  const problems: string[] = [];
  const { snaplen, blockSize, blockCount, frameSize, retireTimeoutMs } = g;
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) {
      problems.push(`${name} (${v}) must be an integer from ${min} to ${max}`);
      return false;
    }
    return true;
  };
  const snapOk = int('snaplen', snaplen, 1, 0x7fffffff);
  const bsOk = int('blockSize', blockSize, page, MAX_BLOCK_SIZE);
  const bcOk = int('blockCount', blockCount, 1, 0xffffffff);
  const fsOk = int('frameSize', frameSize, MIN_FRAME_SIZE, MAX_BLOCK_SIZE);
  int('retireTimeoutMs', retireTimeoutMs, 0, 0x7fffffff);
  if (bsOk) {
    if (blockSize % page !== 0) problems.push(`blockSize (${blockSize}) must be a multiple of the page size (${page})`);
    else if (!isPowerOfTwo(blockSize)) {
      problems.push(`blockSize (${blockSize}) must be a power of two (the kernel allocates each block as 2^n pages)`);
    }
  }
  if (fsOk && frameSize % 16 !== 0) {
    problems.push(`frameSize (${frameSize}) must be a multiple of 16 (TPACKET_ALIGNMENT)`);
  }
  if (bsOk && fsOk && frameSize > blockSize) {
    problems.push(`frameSize (${frameSize}) must not exceed blockSize (${blockSize})`);
  }
  if (bsOk && fsOk && bcOk && Math.floor(blockSize / frameSize) * blockCount > 0xffffffff) {
    problems.push(
      `blockCount (${blockCount}) x blockSize (${blockSize}) / frameSize (${frameSize}) exceeds the kernel's frame count (2^32 - 1)`,
    );
  }
  if (bsOk && snapOk && snaplen + AFPACKET_BLOCK_OVERHEAD > blockSize) {
    const need = 2 ** Math.ceil(Math.log2(Math.max(snaplen + AFPACKET_BLOCK_OVERHEAD, page)));
    problems.push(
      `blockSize (${blockSize}) cannot hold one packet of snaplen (${snaplen}): a block needs snaplen + ` +
        `${AFPACKET_BLOCK_OVERHEAD} bytes; use blockSize ${need} or snaplen ${blockSize - AFPACKET_BLOCK_OVERHEAD}`,
    );
  }
  if (problems.length) throw invalidOptions(problems);
}

/**
 * Applies the geometry defaults to `input` and validates the result
 * ({@link validateAfpacketGeometry}).
 * @example resolveAfpacketGeometry({ snaplen: 65535, blockCount: 8 })
 */
export function resolveAfpacketGeometry(
  input: Partial<AfpacketGeometry> & { snaplen: number },
  page?: number,
): AfpacketGeometry {
  const g: AfpacketGeometry = {
    snaplen: input.snaplen,
    blockSize: input.blockSize ?? AFPACKET_DEFAULTS.blockSize,
    blockCount: input.blockCount ?? AFPACKET_DEFAULTS.blockCount,
    frameSize: input.frameSize ?? AFPACKET_DEFAULTS.frameSize,
    retireTimeoutMs: input.retireTimeoutMs ?? AFPACKET_DEFAULTS.retireTimeoutMs,
  };
  validateAfpacketGeometry(g, page);
  return g;
}
