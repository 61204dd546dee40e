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

  // Worker 1's flows in the order it delivered them: the end-of-file flush
  // comes last and starts with its open TCP flows (end_reason "end").
  const worker1 = () => clean.flows.map((f) => JSON.parse(f) as { worker: number; end_reason: string }).filter((f) => f.worker === 1);

  test.each([
    ['inside a batch\'s flow delivery', (eofStart: number) => eofStart - 10],
    ['inside the end-of-file flush', (eofStart: number) => eofStart + 10],
  ])('a worker that crashes %s resumes after the last flow sent: none lost, none twice', async (where, at) => {
    const flows = worker1();
    const eofStart = flows.findIndex((f) => f.end_reason === 'end') + 1; // 1-based: the flush's first flow
    // both crash points lie well inside their delivery, past at least one cut of 7 records
    expect(eofStart).toBeGreaterThan(30);
    expect(flows.length - eofStart).toBeGreaterThan(20);
    const onceFile = path.join(tmp, `crashed-${where.replace(/\W+/g, '-')}`);
    const r = await run({ maxLines: 7, exitOnFlow: { flow: at(eofStart), worker: 1, onceFile } });
    expect(r.code).toBe(0);
    expect(r.restarts).toBe(1);
    const sorted = [...r.flows].sort();
    expect(new Set(sorted).size).toBe(sorted.length);
    expect(sorted).toEqual([...clean.flows].sort());
  }, LONG);
});
