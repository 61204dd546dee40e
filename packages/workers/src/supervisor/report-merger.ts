/**
 * Reports in the supervisor: each worker's latest report() part, plus the
 * last part of every earlier process of a restarted slot (what it counted
 * before it crashed is not thrown away), combined with the handler's merge().
 * Without merge() the report is the array of parts.
 */
import type { AnyHandler } from '@pfwork/core';
import { errorMessage } from '../errors.js';

export class ReportMerger {
  readonly #merge: ((parts: unknown[]) => unknown) | undefined;
  readonly #latest: (unknown | undefined)[];
  readonly #retired: unknown[][];
  #has: boolean[];

  constructor(workers: number, handler: AnyHandler | undefined) {
    this.#merge = handler?.merge ? (parts) => handler.merge!(parts) : undefined;
    this.#latest = new Array(workers).fill(undefined);
    this.#has = new Array(workers).fill(false);
    this.#retired = Array.from({ length: workers }, () => []);
  }

  /** True once any worker has reported. */
  get any(): boolean {
    return this.#has.some(Boolean) || this.#retired.some((r) => r.length > 0);
  }

  /** A ReportMessage from the current process of `worker`. */
  update(worker: number, part: unknown): void {
    this.#latest[worker] = part;
    this.#has[worker] = true;
  }

  /** The process of `worker` is gone and a new one takes over: keep its last part. */
  retire(worker: number): void {
    if (this.#has[worker]) this.#retired[worker]!.push(this.#latest[worker]);
    this.#latest[worker] = undefined;
    this.#has[worker] = false;
  }

  /** Parts in worker-index order (a slot's retired parts before its current one). */
  parts(): unknown[] {
    const out: unknown[] = [];
    for (let w = 0; w < this.#latest.length; w++) {
      out.push(...this.#retired[w]!);
      if (this.#has[w]) out.push(this.#latest[w]);
    }
    return out;
  }

  /** merge(parts), or the parts themselves; `error` when merge() threw. */
  merged(): { report: unknown; error?: string } {
    const parts = this.parts();
    if (!this.#merge) return { report: parts };
    try {
      return { report: this.#merge(parts) };
    } catch (err) {
      return { report: null, error: `merge() threw: ${errorMessage(err)}` };
    }
  }
}
