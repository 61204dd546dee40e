/**
 * Builds the per-batch step ONCE, from the hooks the handler actually has
 * (pino's lesson): a handler without `packet` gets a step with no per-packet
 * JS at all (counters come from the batch), one with `packet` gets a tight
 * loop over a single reused PacketView.
 *
 * Exceptions from hooks are counted, never fatal (unless stopOnError): the
 * try/catch sits outside the inner loop, which resumes after the packet that
 * threw, so the common path is a plain for loop.
 */
import type { Batch } from '@pfwork/native';
import type { WorkerCounters } from '../protocol.js';
import type { RecordSink } from './record-sink.js';
import { PacketView } from './packet-view.js';

export type PacketHook = (pkt: PacketView, ctx: unknown) => unknown;

/**
 * Processes rows `from`..count-1 of a batch (`from` > 0 only when a restarted
 * file worker skips what its predecessor already did); `position` is the number
 * of packets of this worker's share before row 0.
 */
export type BatchStep = (batch: Batch, position: number, from: number) => void;

export interface LoopParts {
  packet: PacketHook | undefined;
  ctx: unknown;
  counters: WorkerCounters;
  sink: RecordSink;
  /** Counts a hook's exception; throws (ends the loop) when the worker must stop on errors. */
  onHookError: (hook: string, err: unknown) => void;
}

/** Sum of `len` over rows from..count-1: bytes on the wire. */
function batchBytes(batch: Batch, from: number): number {
  const given = (batch as { bytes?: number }).bytes;
  if (from === 0 && typeof given === 'number') return given;
  const len = batch.len;
  let sum = 0;
  for (let i = from, n = batch.count; i < n; i++) sum += len[i]!;
  return sum;
}

/** The step for a handler without `packet` (or no handler): batch-level counters only. */
function countingStep(counters: WorkerCounters): BatchStep {
  return (batch, _position, from) => {
    counters.received += batch.count - from;
    counters.bytes += batchBytes(batch, from);
  };
}

/** The step for a handler with `packet`. */
function packetStep(parts: LoopParts & { packet: PacketHook }): BatchStep {
  const { packet, ctx, counters, sink, onHookError } = parts;
  let view: PacketView | undefined;
  return (batch, position, from) => {
    view ??= new PacketView(batch);
    const n = batch.count;
    let i = from;
    while (i < n) {
      try {
        for (; i < n; i++) {
          packet(view.moveTo(batch, i), ctx);
          // cut record batches on packet boundaries only (see RecordSink)
          if (sink.full) void sink.flush(position + i + 1);
        }
      } catch (err) {
        i++;
        onHookError('packet', err);
      }
    }
    counters.received += n - from;
    counters.bytes += batchBytes(batch, from);
  };
}

/** Builds the batch step for these hooks. */
export function buildBatchStep(parts: LoopParts): BatchStep {
  return parts.packet ? packetStep(parts as LoopParts & { packet: PacketHook }) : countingStep(parts.counters);
}
