import { describe, expect, test } from 'vitest';
import { zeroCounters, type WorkerCounters } from '../src/protocol.js';
import { StatsAggregator } from '../src/supervisor/stats-aggregator.js';

const c = (o: Partial<WorkerCounters>): WorkerCounters => ({ ...zeroCounters(), ...o });

describe('StatsAggregator', () => {
  test('per-worker rates come from two messages of the same process; totals add up', () => {
    const s = new StatsAggregator(2);
    s.processStarted(0, 100, false);
    s.processStarted(1, 101, false);
    s.setState(0, 'running');
    s.setState(1, 'running');
    s.update(0, 1000, c({ received: 100, bytes: 10_000 }));
    s.update(0, 2000, c({ received: 1100, bytes: 110_000, dropped: 3 }));
    s.update(1, 1500, c({ received: 50, bytes: 500, handlerErrors: 2, firstError: { hook: 'packet', message: 'boom' } }));
    const snap = s.snapshot(3000);
    expect(snap.workers[0]).toMatchObject({ worker: 0, pid: 100, received: 1100, dropped: 3, packetsPerSec: 1000, bytesPerSec: 100_000 });
    expect(snap.workers[1]).toMatchObject({ received: 50, packetsPerSec: 0, handlerErrors: 2 });
    expect(snap.total).toMatchObject({ workers: 2, received: 1150, bytes: 110_500, dropped: 3, handlerErrors: 2, packetsPerSec: 1000 });
    expect(snap.total.firstError).toEqual({ worker: 1, hook: 'packet', message: 'boom' });
  });

  test('a restarted slot keeps what its earlier processes counted, and counts the restart', () => {
    const s = new StatsAggregator(1);
    s.processStarted(0, 100, false);
    s.update(0, 1000, c({ received: 500, dropped: 7, bytes: 5000 }));
    s.processStarted(0, 200, true);
    s.update(0, 1100, c({ received: 20, dropped: 1, bytes: 200 }));
    const w = s.snapshot().workers[0]!;
    expect(w).toMatchObject({ pid: 200, restarts: 1, received: 520, dropped: 8, bytes: 5200, packetsPerSec: 0 });
    s.processStarted(0, 300, true);
    expect(s.snapshot().total).toMatchObject({ restarts: 2, received: 520 });
  });
});
