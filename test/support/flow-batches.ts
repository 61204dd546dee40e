/**
 * Walks the finished flows of capture files through a flows ring: the record
 * text tests (flowRecordLineAt, FlowBatch.ndjson) check every hand-over.
 */
import { Ring, type FlowBatch } from '@pfwork/native';
import type { ManifestRow } from './pcaps.js';

/** Calls `check` on every batch's FlowBatch of `file`; returns how many flows it saw. */
export async function eachFlowBatch(file: string, check: (flows: FlowBatch) => void): Promise<number> {
  const ring = Ring.open({ file, flows: true });
  let flows = 0;
  try {
    for await (const b of ring) {
      check(b.flows!);
      flows += b.flows!.count;
    }
  } finally {
    ring.close();
  }
  return flows;
}

/**
 * eachFlowBatch over every shared capture pfwork reads; a damaged capture may
 * end in its error once the flows before it were checked. Returns the total.
 */
export async function eachSharedFlowBatch(rows: readonly ManifestRow[], check: (flows: FlowBatch, file: string) => void): Promise<number> {
  let total = 0;
  for (const row of rows) {
    if (row.unsupported) continue;
    try {
      total += await eachFlowBatch(row.file, (f) => check(f, row.file));
    } catch (err) {
      if (!row.damaged) throw err;
    }
  }
  return total;
}
