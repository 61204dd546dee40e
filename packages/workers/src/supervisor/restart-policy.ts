/**
 * PM2's restart policy for one worker slot: exponential backoff (the delay
 * starts at `restartDelayMs` and grows by `restartBackoff` up to
 * `maxRestartDelayMs`), reset after a run of `stableAfterMs`; after
 * `maxUnstableRestarts` restarts without a stable run the slot gives up.
 *
 * Pure arithmetic on the times it is given, so it is tested without clocks.
 */

export interface RestartPolicyOptions {
  /** First delay (default 100 ms). */
  restartDelayMs: number;
  /** Growth factor per unstable restart (default 1.5). */
  restartBackoff: number;
  /** Cap on the delay (default 15 s). */
  maxRestartDelayMs: number;
  /** A run this long counts as stable: delay and count reset (default 30 s). */
  stableAfterMs: number;
  /** Restarts allowed without a stable run in between (default 16; 0 never restarts). */
  maxUnstableRestarts: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  restartDelayMs: 100,
  restartBackoff: 1.5,
  maxRestartDelayMs: 15_000,
  stableAfterMs: 30_000,
  maxUnstableRestarts: 16,
};

export type RestartDecision = { restart: true; delayMs: number; unstableRestarts: number } | { restart: false; unstableRestarts: number };

export class RestartPolicy {
  readonly #o: RestartPolicyOptions;
  #nextDelay: number;
  #unstable = 0;
  #startedAt = 0;

  constructor(options: Partial<RestartPolicyOptions> = {}) {
    this.#o = { ...DEFAULT_RESTART_POLICY, ...options };
    this.#nextDelay = this.#o.restartDelayMs;
  }

  /** Restarts since the last stable run. */
  get unstableRestarts(): number {
    return this.#unstable;
  }

  /** The worker (re)started at `now` (ms). */
  started(now: number): void {
    this.#startedAt = now;
  }

  /**
   * The worker crashed at `now`: restart after `delayMs`, or give up.
   *
   * @example
   *   // crashes 1 ms after each start: delays 100, 150, 225, 337.5, ... capped at 15000; the 17th crash gives up
   */
  crashed(now: number): RestartDecision {
    if (now - this.#startedAt >= this.#o.stableAfterMs) {
      this.#unstable = 0;
      this.#nextDelay = this.#o.restartDelayMs;
    }
    if (this.#unstable >= this.#o.maxUnstableRestarts) return { restart: false, unstableRestarts: this.#unstable };
    const delayMs = this.#nextDelay;
    this.#nextDelay = Math.min(this.#nextDelay * this.#o.restartBackoff, this.#o.maxRestartDelayMs);
    this.#unstable++;
    return { restart: true, delayMs: Math.round(delayMs), unstableRestarts: this.#unstable };
  }
}
