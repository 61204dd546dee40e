/**
 * Per-worker and total stats across restarts. A worker's counters are running
 * totals of ONE process; when a slot restarts, what its previous processes
 * counted is kept as the slot's base, so the slot's numbers never go down.
 * Rates (packets/s, bytes/s) come from the difference between two stats
 * messages of the same process.
 */
import { zeroCounters, type WorkerCounters } from '../protocol.js';

export type WorkerState = 'starting' | 'running' | 'restarting' | 'stopping' | 'done' | 'failed' | 'killed';

/** One worker slot's stats as the Supervisor reports them. */
export interface WorkerStats extends WorkerCounters {
  worker: number;
  pid: number | null;
  state: WorkerState;
  restarts: number;
  packetsPerSec: number;
  bytesPerSec: number;
}

/** All slots summed. */
export interface TotalStats extends Omit<WorkerCounters, 'firstError'> {
  workers: number;
  restarts: number;
  packetsPerSec: number;
  bytesPerSec: number;
  /** The first handler error seen on any worker. */
  firstError: { worker: number; hook: string; message: string } | null;
}

export interface StatsSnapshot {
  /** Milliseconds since the epoch. */
  at: number;
  workers: WorkerStats[];
  total: TotalStats;
}

const ADDITIVE: (keyof Omit<WorkerCounters, 'firstError'>)[] = [
  'received',
  'bytes',
  'dropped',
  'handlerErrors',
  'records',
  'flows',
  'offloadRun',
  'offloadDropped',
  'offloadErrors',
];

interface Slot {
  base: WorkerCounters;
  current: WorkerCounters;
  lastAt: number;
  pid: number | null;
  state: WorkerState;
  restarts: number;
  packetsPerSec: number;
  bytesPerSec: number;
}

export class StatsAggregator {
  readonly #slots: Slot[];

  constructor(workers: number) {
    this.#slots = Array.from({ length: workers }, () => ({
      base: zeroCounters(),
      current: zeroCounters(),
      lastAt: 0,
      pid: null,
      state: 'starting' as WorkerState,
      restarts: 0,
      packetsPerSec: 0,
      bytesPerSec: 0,
    }));
  }

  /** A new process took slot `worker` (first start or restart). */
  processStarted(worker: number, pid: number | null, restart: boolean): void {
    const s = this.#slots[worker]!;
    // what the previous process counted stays in the slot's totals
    for (const k of ADDITIVE) s.base[k] += s.current[k];
    s.base.firstError ??= s.current.firstError;
    s.current = zeroCounters();
    s.lastAt = 0;
    s.pid = pid;
    s.packetsPerSec = 0;
    s.bytesPerSec = 0;
    if (restart) s.restarts++;
    s.state = 'starting';
  }

  setState(worker: number, state: WorkerState): void {
    this.#slots[worker]!.state = state;
    if (state !== 'running') {
      this.#slots[worker]!.packetsPerSec = 0;
      this.#slots[worker]!.bytesPerSec = 0;
    }
  }

  /** A StatsMessage from the current process of slot `worker`. */
  update(worker: number, at: number, counters: WorkerCounters): void {
    const s = this.#slots[worker]!;
    if (s.lastAt > 0 && at > s.lastAt) {
      const dt = (at - s.lastAt) / 1000;
      s.packetsPerSec = Math.max(0, (counters.received - s.current.received) / dt);
      s.bytesPerSec = Math.max(0, (counters.bytes - s.current.bytes) / dt);
    }
    s.lastAt = at;
    s.current = counters;
  }

  snapshot(at = Date.now()): StatsSnapshot {
    const workers: WorkerStats[] = this.#slots.map((s, worker) => {
      const c = zeroCounters();
      for (const k of ADDITIVE) c[k] = s.base[k] + s.current[k];
      c.firstError = s.base.firstError ?? s.current.firstError;
      return {
        worker,
        pid: s.pid,
        state: s.state,
        restarts: s.restarts,
        packetsPerSec: s.packetsPerSec,
        bytesPerSec: s.bytesPerSec,
        ...c,
      };
    });
    const total: TotalStats = { ...zeroCounters(), workers: workers.length, restarts: 0, packetsPerSec: 0, bytesPerSec: 0, firstError: null };
    for (const w of workers) {
      for (const k of ADDITIVE) total[k] += w[k];
      total.restarts += w.restarts;
      total.packetsPerSec += w.packetsPerSec;
      total.bytesPerSec += w.bytesPerSec;
      if (!total.firstError && w.firstError) total.firstError = { worker: w.worker, ...w.firstError };
    }
    return { at, workers, total };
  }
}
