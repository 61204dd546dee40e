/**
 * Development timing, not a bench row: CPU microseconds per flow record for
 * the three ways the worker can turn finished flows into `--flows` NDJSON,
 * on the flows of one capture (every FlowBatch kept in memory first, so
 * reading the file is not counted):
 *   stringify  JSON.stringify(flowRecordAt(...)) per record (the flow-hook path)
 *   line       flowRecordLineAt(...) per record, appended (the no-hook path before FlowBatch.ndjson)
 *   native     FlowBatch.ndjson(worker, from, to) per 8192 rows (the no-hook path now)
 * Each appends to one buffer string as RecordSink does and reads its length
 * at the end, so the text is really built. docs/bench.md "The flow-record
 * path" quotes its output.
 *
 * Usage: node --expose-gc --import tsx bench/programs/flow-record-text.ts FILE [ROUNDS=3]
 * (with --expose-gc each timing starts after a full GC, so one way's garbage
 * is not collected on the next one's clock).
 */
import { flowRecordAt, flowRecordLineAt } from '@pfwork/core';
import { Ring, type FlowBatch } from '@pfwork/native';

const file = process.argv[2];
const rounds = Number(process.argv[3] ?? 3);
if (!file) {
  console.error('usage: flow-record-text FILE [ROUNDS]');
  process.exit(2);
}

const batches: FlowBatch[] = [];
const ring = Ring.open({ file, flows: true });
for await (const b of ring) if (b.flows?.count) batches.push(b.flows);
ring.close();
const records = batches.reduce((n, b) => n + b.count, 0);

const ROWS = 8192;
const ways: Record<string, () => number> = {
  stringify: () => {
    let buf = '';
    for (const f of batches) for (let i = 0; i < f.count; i++) buf += JSON.stringify(flowRecordAt(f, i, 0)) + '\n';
    return buf.length;
  },
  line: () => {
    let buf = '';
    for (const f of batches) for (let i = 0; i < f.count; i++) buf += flowRecordLineAt(f, i, 0) + '\n';
    return buf.length;
  },
  native: () => {
    let buf = '';
    for (const f of batches) for (let from = 0; from < f.count; from += ROWS) buf += f.ndjson(0, from, Math.min(f.count, from + ROWS));
    return buf.length;
  },
};

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
console.log(`${records} flow records in ${batches.length} batches; CPU us per record, ${rounds} rounds each`);
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(ways)) {
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = cpuUs();
    const chars = run();
    const us = (cpuUs() - c0) / records;
    console.log(`round ${r + 1} ${name.padEnd(9)} ${us.toFixed(2)} us/record  (${(chars / records).toFixed(0)} chars/record)`);
  }
}
