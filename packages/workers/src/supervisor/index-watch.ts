/**
 * Tells the user when the cluster index stops because one worker does not
 * read: the index's writer waits for a worker whose ring is full (docs/ring.md,
 * "Cluster index": back-pressure), and the other workers, once they have read
 * what was indexed, wait with it. A worker stuck in its handler would
 * otherwise look like a run that stopped for no reason.
 *
 * poll() is called about once a second; it reports a stall once the index has
 * not moved for `stallMs` while waiting for the same worker, and again when
 * it moves on.
 */
import type { ClusterIndex } from '@pfwork/native';

export interface IndexStall {
  /** The worker (cluster slot) the index waits for. */
  worker: number;
  /** How long the index has not moved (ms). */
  waitedMs: number;
  /** Records of the file indexed so far. */
  records: number;
}

export class IndexStallWatch {
  readonly #index: ClusterIndex;
  readonly #stallMs: number;
  #worker: number | null = null;
  #records = -1;
  #since = 0;
  #reported = false;

  constructor(index: ClusterIndex, stallMs: number) {
    this.#index = index;
    this.#stallMs = stallMs;
  }

  /** 'stalled' the first time the index has waited stallMs for one worker; 'resumed' when a reported stall ends. */
  poll(now: number): { event: 'stalled' | 'resumed'; stall: IndexStall } | null {
    const s = this.#index.status();
    const waiting = s.done ? null : s.waitingFor;
    if (waiting !== null && waiting === this.#worker && s.records === this.#records) {
      if (this.#reported || now - this.#since < this.#stallMs) return null;
      this.#reported = true;
      return { event: 'stalled', stall: { worker: waiting, waitedMs: now - this.#since, records: s.records } };
    }
    const ended = this.#reported ? { worker: this.#worker!, waitedMs: now - this.#since, records: this.#records } : null;
    this.#worker = waiting;
    this.#records = s.records;
    this.#since = now;
    this.#reported = false;
    return ended ? { event: 'resumed', stall: ended } : null;
  }
}
