import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { si, statusLine, stderrReporter } from '../src/cli/stderr-reporter.js';
import { zeroCounters } from '../src/protocol.js';
import type { StatsSnapshot } from '../src/index.js';

function snapshot(): StatsSnapshot {
  const w = (worker: number, pps: number, extra: object = {}) => ({
    ...zeroCounters(), worker, pid: 100 + worker, state: 'running' as const, restarts: 0, packetsPerSec: pps, bytesPerSec: pps * 100, ...extra,
  });
  const workers = [w(0, 12_345), w(1, 800, { dropped: 3, handlerErrors: 2, state: 'restarting' as const })];
  return {
    at: 0,
    workers,
    total: { ...zeroCounters(), workers: 2, restarts: 1, packetsPerSec: 13_145, bytesPerSec: 1_314_500, received: 2_000_000, dropped: 3, handlerErrors: 2, firstError: null },
  };
}

/** A stream that says it is a terminal, 200 columns wide. */
function tty(): PassThrough & { isTTY: boolean; columns: number; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; text(): string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  s.isTTY = true;
  s.columns = 200;
  s.text = () => out;
  return s;
}

describe('stderr reporter', () => {
  test('si() shortens large numbers', () => {
    expect([si(999), si(12_345), si(2_500_000), si(3e9)]).toEqual(['999', '12.3k', '2.50M', '3.00G']);
  });

  test('the status line shows total and per-worker packets/s, drops, errors, restarts', () => {
    expect(statusLine(snapshot())).toBe(
      'pfwork 2w  13.1k pkt/s  10.52Mbit/s  rx 2.00M  drop 3  err 2  restarts 1  |  w0 12.3k/s  w1(restarting) 800/s d3 e2',
    );
    expect(statusLine(snapshot(), 40)).toHaveLength(39);
  });

  test('on a TTY: the status line is redrawn in place and log lines print above it', async () => {
    const s = tty();
    const r = stderrReporter(s as unknown as NodeJS.WriteStream);
    r.stats(snapshot());
    r.log({ level: 'warn', msg: 'something', worker: 1 });
    r.close();
    await new Promise((res) => setImmediate(res));
    const line = statusLine(snapshot(), 200);
    expect(s.text()).toBe(`${line}\r\x1b[Kpfwork warn: worker 1: something\n${line}\r\x1b[K`);
  });

  test('not a TTY: one JSON object per line', async () => {
    const s = new PassThrough();
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    const r = stderrReporter(s as unknown as NodeJS.WriteStream);
    r.stats(snapshot());
    r.log({ level: 'info', msg: 'hello', worker: 0, fields: { k: 1 } });
    await new Promise((res) => setImmediate(res));
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'stats', total: { packetsPerSec: 13_145 }, workers: [{ worker: 0 }, { worker: 1, state: 'restarting' }] });
    expect(lines[1]).toMatchObject({ type: 'log', level: 'info', worker: 0, msg: 'hello', k: 1 });
  });
});
