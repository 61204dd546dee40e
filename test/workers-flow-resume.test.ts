/**
 * Flow records and restarts. A long flow delivery (the end of a file flushes
 * every open flow) is sent in several RecordsMessages cut between flows
 * (RecordsMessage.partial), and a file worker that crashes in the middle of
 * one resumes after the last flow its predecessor sent: every flow record
 * exactly once, none lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Supervisor } from '@pfwork/workers';
import { writeDemoCapture } from '../examples/data/make-demo-pcap.js';
import { fixtures } from './support/run-pfwork.js';

const LONG = 120_000;
const tmp = mkdtempSync(path.join(tmpdir(), 'pfw-flow-resume-'));
const capture = path.join(tmp, 'demo.pcap');
const handler = path.join(fixtures, 'flow-crash-handler.ts');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  flows: string[];
  messages: number;
  restarts: number;
  code: number;
}

async function run(opts: { maxLines: number; exitOnFlow?: { flow: number; worker: number; onceFile: string } }): Promise<Run> {
  const sup = new Supervisor(
    {
      capture: { read: capture },
      workers: { count: 2 },
      handler: { path: handler, config: opts.exitOnFlow ? { exitOnFlow: opts.exitOnFlow } : {} },
      output: { flows: true },
      supervision: { restartDelayMs: 10, maxRestartDelayMs: 40 },
    },
    { output: null, summary: false, recordBatch: { maxLines: opts.maxLines, maxBytes: 1 << 20, window: 8 } },
  );
  const flows: string[] = [];
  let messages = 0;
  sup.on('record', (r) => {
    if ((r as { type?: string }).type === 'flow') flows.push(JSON.stringify(r));
  });
  sup.on('records', () => messages++);
  const result = await sup.run();
  const restarts = (result.stats.workers as unknown as { restarts: number }[]).reduce((s, w) => s + w.restarts, 0);
  return { flows, messages, restarts, code: result.code };
}

let clean: Run;
beforeAll(async () => {
  writeDemoCapture(capture);
  clean = await run({ maxLines: 1024 });
  expect(clean.code).toBe(0);
  expect(clean.flows.length).toBe(300);
}, LONG);

describe('flow deliveries cut into several messages', () => {
  test('small record batches: the same flow records, in more messages', async () => {
    const cut = await run({ maxLines: 7 });
    expect(cut.code).toBe(0);
    expect(cut.flows.sort()).toEqual([...clean.flows].sort());
    expect(cut.messages).toBeGreaterThan(300 / 7);
  }, LONG);

  test('a worker that crashes inside the end-of-file flush resumes after the last flow sent: none lost, none twice', async () => {
    const onceFile = path.join(tmp, 'crashed');
    // worker 1 dies at its 100th flow: inside the end-of-file flush (the demo's last 83 flows end there),
    // after several messages of 7 records were sent
    const r = await run({ maxLines: 7, exitOnFlow: { flow: 100, worker: 1, onceFile } });
    expect(r.code).toBe(0);
    expect(r.restarts).toBe(1);
    const sorted = [...r.flows].sort();
    expect(new Set(sorted).size).toBe(sorted.length);
    expect(sorted).toEqual([...clean.flows].sort());
  }, LONG);
});
