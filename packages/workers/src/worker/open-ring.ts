/**
 * The worker's one contact with @pfwork/native's Ring: open (or adopt) the
 * ring this worker owns, read batches, read stats, close.
 */
import type { Batch, RingOptions, RingStats } from '@pfwork/native';
import * as native from '@pfwork/native';
import { pfwError } from '../errors.js';

/** The part of @pfwork/native's Ring the worker loop uses. */
export interface CaptureRing {
  /** The backend in use after `auto` ('afpacket' | 'pfring' | 'pcap'). */
  readonly backend: string;
  /** The next batch; null at the end of the input (files). Columns valid until the next call. */
  nextBatch(): Promise<Batch | null>;
  /** Running totals since open. */
  stats(): RingStats;
  close(): void;
}

interface RingClass {
  open(options: RingOptions): CaptureRing | Promise<CaptureRing>;
}

/**
 * Opens the ring described by `options` (a file with its clusterSlot, a device,
 * or an adopted `fd`).
 *
 * @throws whatever Ring.open throws (PFW_ codes from @pfwork/native), or
 *   PFW_RING_UNAVAILABLE when this build of @pfwork/native has no Ring.
 */
export async function openRing(options: RingOptions): Promise<CaptureRing> {
  const Ring = (native as unknown as { Ring?: RingClass }).Ring;
  if (!Ring || typeof Ring.open !== 'function') {
    throw pfwError('PFW_RING_UNAVAILABLE', '@pfwork/native has no Ring in this build: run npm run build:native, or update @pfwork/native');
  }
  return await Ring.open(options);
}
