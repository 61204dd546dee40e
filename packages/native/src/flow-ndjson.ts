/**
 * FlowBatch rows as NDJSON text, written in C++ (cpp/flow_ndjson.cc) from the
 * batch's buffer: ONE string per call, each record's line followed by '\n',
 * exactly the text @pfwork/core's flowRecordLineAt(batch, i, worker) gives
 * (= JSON.stringify(flowRecordAt(...))). `--flows` without a `flow` hook
 * writes its records with it: no record object, no string per record.
 * FlowBatch.ndjson() is the public face; this file holds the checks.
 */
import { invalidArgument, fromNative } from './errors.js';
import { loadNative } from './loader.js';

/** A FlowBatch's packed hand-over (cpp/flow_pack.h): the buffer its columns view. */
export interface PackedFlows {
  readonly buffer: ArrayBuffer;
  readonly count: number;
  readonly tunnelCount: number;
}

/** Largest worker index the text accepts. */
export const MAX_NDJSON_WORKER = 0xffff_ffff;

/**
 * Rows [from, to) of a packed hand-over as NDJSON (see FlowBatch.ndjson).
 * @throws PfwArgumentError (code PFW_INVALID_ARGUMENT) for a worker that is
 *   not an integer from 0 to 4294967295, a row range outside the batch, or a
 *   buffer that was detached (transferred) since the batch was made
 */
export function packedFlowsNdjson(packed: PackedFlows, worker: number, from: number, to: number): string {
  if (!Number.isInteger(worker) || worker < 0 || worker > MAX_NDJSON_WORKER) {
    throw invalidArgument(`FlowBatch.ndjson: worker must be an integer from 0 to ${MAX_NDJSON_WORKER}, got ${String(worker)}`);
  }
  const { count } = packed;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || from > to || to > count) {
    throw invalidArgument(`FlowBatch.ndjson: rows must satisfy 0 <= from <= to <= count (${count}), got from ${String(from)}, to ${String(to)}`);
  }
  if (from === to) return '';
  if (packed.buffer.byteLength === 0) {
    throw invalidArgument("FlowBatch.ndjson: this FlowBatch's buffer was detached (transferred to another thread): format the batch before transferring it");
  }
  try {
    return loadNative().flowNdjson(packed.buffer, count, packed.tunnelCount, worker, from, to) as string;
  } catch (err) {
    throw fromNative(err);
  }
}
