/**
 * The offload pool: a small piscina pool inside one worker process for heavy
 * per-flow or per-record work (parsing, lookups, compression), so the capture
 * loop never runs it inline.
 *
 * Capture never waits on analysis (DESIGN section 2): the queue is bounded and
 * a task that finds it full is dropped and counted (`offloadDropped` in the
 * worker's stats) instead of blocking the loop. A task that throws is counted
 * in `offloadErrors`.
 *
 * The module runs in worker threads through offload-thread.mjs, which
 * registers tsx's loader there when needed, so a `.ts` offload module loads
 * without a build step (also in a process started without tsx).
 */
import { Piscina } from 'piscina';
import { pathToFileURL } from 'node:url';
import type { OffloadPool as OffloadApi } from '@pfwork/core';

export interface OffloadPoolOptions {
  /** Absolute path or URL of the module whose default export runs each task. */
  module: string | URL;
  /** Worker threads (default 1: a worker process already owns a core for capture). */
  threads?: number;
  /** Tasks waiting for a thread before new ones are dropped (default 1024). */
  maxQueue?: number;
}

export interface OffloadCounters {
  run: number;
  dropped: number;
  errors: number;
}

/** Piscina pool with a bounded queue that drops (and counts) instead of waiting. */
export class OffloadPool implements OffloadApi {
  readonly counters: OffloadCounters = { run: 0, dropped: 0, errors: 0 };
  readonly #pool: Piscina<unknown, unknown>;
  readonly #maxQueue: number;
  readonly #threads: number;
  #closed = false;
  #inFlight = 0;

  /** Throws PFW_OFFLOAD_OPTIONS when threads or maxQueue are not positive integers. */
  constructor(options: OffloadPoolOptions) {
    const threads = options.threads ?? 1;
    const maxQueue = options.maxQueue ?? 1024;
    for (const [name, v] of [['threads', threads], ['maxQueue', maxQueue]] as const) {
      if (!Number.isInteger(v) || v < 1) {
        const err = new RangeError(`offload ${name} must be a positive integer, got ${v}`) as RangeError & { code: string };
        err.code = 'PFW_OFFLOAD_OPTIONS';
        throw err;
      }
    }
    const module = options.module instanceof URL ? options.module.href : pathToFileURL(options.module).href;
    this.#threads = threads;
    this.#maxQueue = maxQueue;
    this.#pool = new Piscina<unknown, unknown>({
      filename: new URL('./offload-thread.mjs', import.meta.url).href,
      workerData: { pfworkOffloadModule: module },
      minThreads: threads,
      maxThreads: threads,
      // Our own bound is checked before run(); piscina's is a backstop one higher.
      maxQueue: maxQueue + 1,
      idleTimeout: 60_000,
    });
  }

  /**
   * Runs the offload module's default export on `data` in a pool thread.
   * Returns the task's promise, or undefined when the queue is full and the
   * task was dropped (counted; capture does not wait). `data` is copied to
   * the thread (structured clone): pass `pkt.copy()`, never `pkt.data`.
   *
   * @example
   *   ctx.offload?.run(pkt.copy())?.then((answer) => ctx.emit(answer));
   */
  run(data: unknown): Promise<unknown> | undefined {
    // queueSize counts tasks waiting for a thread; threads busy with a task are not in it.
    if (this.#closed || this.#pool.queueSize >= this.#maxQueue) {
      this.counters.dropped++;
      return undefined;
    }
    this.counters.run++;
    this.#inFlight++;
    const p = this.#pool.run(data);
    // Count failures even when the handler ignores the promise (its own .then chain still sees them).
    p.then(
      () => this.#inFlight--,
      () => {
        this.#inFlight--;
        this.counters.errors++;
      },
    );
    return p;
  }

  /** Tasks waiting or running. */
  get pending(): number {
    return this.#inFlight;
  }

  /** Tasks dropped because the queue was full. */
  get dropped(): number {
    return this.counters.dropped;
  }

  get threads(): number {
    return this.#threads;
  }

  /** Lets queued and running tasks finish (their promises settle), then stops the threads. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  /** Stops at once; pending tasks reject. */
  async destroy(): Promise<void> {
    this.#closed = true;
    await this.#pool.destroy();
  }
}
