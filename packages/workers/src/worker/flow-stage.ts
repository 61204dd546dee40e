/**
 * Flow tracking in the worker: feeds every batch to @pfwork/native's flow
 * table and hands each finished flow to the handler's `flow` hook and/or
 * emits it as a record (`--flows`). Runs only when one of those wants flows.
 */
import type { Batch } from '@pfwork/native';
import * as native from '@pfwork/native';
import { pfwError } from '../errors.js';
import type { WorkerCounters } from '../protocol.js';
import type { RecordSink } from './record-sink.js';

/** A finished flow as the native table reports it (Zeek conn.log field names, DESIGN section 6). */
export type FlowRecord = Record<string, unknown>;

/** What the worker needs from the native flow table. */
export interface FlowTracker {
  /** Accounts every packet of the batch; returns the flows that finished meanwhile. */
  update(batch: Batch): readonly FlowRecord[];
  /** Ends every open flow (end of input, stop) and returns them. */
  flush(): readonly FlowRecord[];
  close?(): void;
}

interface FlowTableClass {
  new (options: Record<string, unknown>): FlowTracker;
}

/**
 * A new native flow table with these options (core's `flows` section).
 *
 * @throws PFW_FLOWS_UNAVAILABLE when this build of @pfwork/native has no flow table.
 */
export function createFlowTracker(options: Record<string, unknown>): FlowTracker {
  const FlowTable = (native as unknown as { FlowTable?: FlowTableClass }).FlowTable;
  if (typeof FlowTable !== 'function') {
    throw pfwError('PFW_FLOWS_UNAVAILABLE', '@pfwork/native has no FlowTable in this build: flow tracking (--flows, a flow() hook) needs it; run npm run build:native');
  }
  return new FlowTable(options);
}

export type FlowHook = (flow: FlowRecord, ctx: unknown) => unknown;

/** Per-batch and final flow processing, built once from what is wanted. */
export interface FlowStage {
  step(batch: Batch): void;
  /** Flushes every open flow through the same path (end of input, stop). */
  finish(): void;
}

export function buildFlowStage(parts: {
  tracker: FlowTracker;
  hook: FlowHook | undefined;
  emitRecords: boolean;
  worker: number;
  ctx: unknown;
  sink: RecordSink;
  counters: WorkerCounters;
  onHookError: (hook: string, err: unknown) => void;
}): FlowStage {
  const { tracker, hook, emitRecords, worker, ctx, sink, counters, onHookError } = parts;
  const deliver = (flows: readonly FlowRecord[]) => {
    for (const flow of flows) {
      counters.flows++;
      if (emitRecords) sink.emitLine(JSON.stringify({ type: 'flow', worker, ...flow }));
      if (hook) {
        try {
          hook(flow, ctx);
        } catch (err) {
          onHookError('flow', err);
        }
      }
    }
  };
  return {
    step: (batch) => deliver(tracker.update(batch)),
    finish: () => deliver(tracker.flush()),
  };
}
