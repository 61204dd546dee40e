/**
 * Flow tracking in the worker. The ring keeps the flow table (Ring.open({
 * flows }): every packet is accounted in C++ while the batch is built) and
 * hands over the flows that finished with each batch (`batch.flows`, columns).
 * This stage turns each finished flow into a FlowRecord (core's flowRecordAt)
 * only when someone wants it: the handler's `flow` hook and/or `--flows`
 * records. It runs only when one of those exists. Without a hook, `--flows`
 * takes the batch's NDJSON text from C++ in one call per chunk of rows
 * (FlowBatch.ndjson: the text of flowRecordLineAt, no record object and no
 * string per record); building it in JS cost ~10 us per flow.
 */
import { flowRecordAt, type FlowRecord } from '@pfwork/core';
import type { FlowBatch } from '@pfwork/native';
import type { WorkerCounters } from '../protocol.js';
import type { RecordSink } from './record-sink.js';

export type FlowHook = (flow: FlowRecord, ctx: unknown) => unknown;

/**
 * Delivers the finished flows of one FlowBatch (a batch's, a flush's, a
 * timeout's), from row `skip` on (a restarted file worker skips the rows its
 * predecessor sent: StartMessage.resumeRecords).
 */
export type FlowDelivery = (flows: FlowBatch | undefined, skip?: number) => void;

/**
 * Rows per FlowBatch.ndjson() call: ~3 MB of text. Bounds one string (a
 * flush of millions of flows would not fit one JS string) and the native
 * buffer, at one N-API call per 8192 records.
 */
export const NDJSON_ROWS_PER_CALL = 8192;

export function buildFlowDelivery(parts: {
  hook: FlowHook | undefined;
  emitRecords: boolean;
  worker: number;
  ctx: unknown;
  sink: RecordSink;
  counters: WorkerCounters;
  onHookError: (hook: string, err: unknown) => void;
  /**
   * The sink is full in the middle of a delivery: send what it holds, saying
   * that the first `done` flows of this delivery are in it (RecordsMessage.partial).
   */
  cut: (done: number) => void;
}): FlowDelivery {
  const { hook, emitRecords, worker, ctx, sink, counters, onHookError, cut } = parts;
  if (!hook) {
    return (flows, skip = 0) => {
      if (!flows || flows.count === 0 || !emitRecords) return;
      for (let from = Math.min(skip, flows.count), n = flows.count; from < n; from += NDJSON_ROWS_PER_CALL) {
        const to = Math.min(n, from + NDJSON_ROWS_PER_CALL);
        sink.emitLines(flows.ndjson(worker, from, to), to - from);
        counters.flows += to - from;
        if (to < n && sink.full) cut(to);
      }
    };
  }
  return (flows, skip = 0) => {
    if (!flows || flows.count === 0) return;
    for (let i = Math.min(skip, flows.count), n = flows.count; i < n; i++) {
      const record = flowRecordAt(flows, i, worker);
      counters.flows++;
      if (emitRecords) sink.emitLine(JSON.stringify(record));
      if (hook) {
        try {
          hook(record, ctx);
        } catch (err) {
          onHookError('flow', err);
        }
      }
      if (i + 1 < n && sink.full) cut(i + 1);
    }
  };
}
