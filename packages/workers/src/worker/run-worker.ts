/**
 * The worker process runtime. `runWorker()` is public: the Supervisor forks
 * worker/entry.ts, which calls it, and people who write their own supervisor
 * fork a module that calls it too (examples/custom-supervisor).
 *
 * Order of events: wait for StartMessage; load the handler and parse its
 * config; start the offload pool; open (or adopt) the ring; setup(); send
 * ReadyMessage; loop over batches until the end of the input or a stop
 * request; then drain: flush flows, let offload tasks finish, close(), close
 * the ring, send final stats, final report and EndMessage; exit 0.
 * Any failure before ReadyMessage is reported (ErrorMessage, fatal) before a
 * single packet is read, and the process exits with WorkerExit.startFailure.
 */
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseHandlerConfig, type AnyHandler, type HandlerContext } from '@pfwork/core';
import { dieWithParent, type Ring, type RingOptions } from '@pfwork/native';
import { errorCode, errorMessage, pfwError } from '../errors.js';
import { OffloadPool } from '../offload/offload-pool.js';
import {
  PROTOCOL_VERSION,
  WorkerExit,
  zeroCounters,
  type EndMessage,
  type ErrorPhase,
  type StartMessage,
  type WorkerCounters,
} from '../protocol.js';
import { processChannel, type WorkerChannel } from './channel.js';
import { channelLogger, makeContext } from './context.js';
import { buildFlowDelivery, type FlowDelivery, type FlowHook } from './flow-stage.js';
import { importHandler } from './load-handler.js';
import { buildBatchStep, type PacketHook } from './loop.js';
import { openRing } from './open-ring.js';
import { RecordSink } from './record-sink.js';

export interface RunWorkerOptions {
  /** The channel to the supervisor (default: the fork IPC channel). */
  channel?: WorkerChannel;
  /** Call process.exit() with the outcome's code at the end (default true). */
  exit?: boolean;
  /**
   * Once started, name the process `pfw-worker-I` (what ps, top and
   * /proc/PID/comm show) so that the worker a log line names can be found
   * (default true; never with a custom `channel`: that process is not a worker's own).
   */
  title?: boolean;
}

export interface WorkerOutcome {
  /** 0 done (end of input or stop), 1 runtime failure, 3 could not start (see WorkerExit). */
  code: number;
  reason: EndMessage['reason'] | 'start-failure';
  counters: WorkerCounters;
}

/** Messages queued on the channel before the loop waits for them to leave. */
const MAX_PENDING_SENDS = 32;
/** The loop yields to the event loop at least this often (ms), so timers and stop requests run. */
const YIELD_EVERY_MS = 10;

/** What a hook may look like once loaded (core's Handler, seen from the runtime). */
type LoadedHooks = AnyHandler & {
  packet?: PacketHook;
  flow?: FlowHook;
  report?: (ctx: unknown) => unknown;
  close?: (ctx: unknown) => unknown;
  setup?: (ctx: unknown) => unknown;
  offload?: string | URL;
};

/** What the message handlers and the loop share. */
interface WorkerState {
  stop: boolean;
  sink: RecordSink | undefined;
  /** Set once the loop runs: wakes a live ring waiting for packets. */
  onStop: (() => void) | undefined;
}

class StartFailure extends Error {
  constructor(
    readonly phase: ErrorPhase,
    readonly failure: unknown,
  ) {
    super(errorMessage(failure));
  }
}

/** Thrown out of the loop by onHookError when the worker must stop on the first handler error. */
class StopOnError extends Error {}

/**
 * Runs this process as a pfwork worker: waits for the supervisor's
 * StartMessage and does what it says until the input ends or a StopMessage
 * arrives. Never throws: every failure is reported to the supervisor as an
 * ErrorMessage and reflected in the outcome's code.
 *
 * @example
 *   // my-worker.ts, forked by your own supervisor:
 *   //   fork('my-worker.ts', { execArgv: ['--import', 'tsx'] }) then child.send(startMessage)
 *   import { runWorker } from '@pfwork/workers';
 *   await runWorker();
 */
export async function runWorker(options: RunWorkerOptions = {}): Promise<WorkerOutcome> {
  if (!options.channel && process.send) tieToSupervisor();
  const channel = options.channel ?? processChannel();
  const state: WorkerState = { stop: false, sink: undefined, onStop: undefined };
  const requestStop = () => {
    if (state.stop) return;
    state.stop = true;
    state.onStop?.();
  };
  // The supervisor owns signals: Ctrl-C reaches the whole process group, but only
  // the supervisor decides (it sends StopMessage). SIGTERM sent to a worker alone drains it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', requestStop);
  let gotStart: (m: StartMessage) => void;
  const started = new Promise<StartMessage>((resolve) => (gotStart = resolve));
  channel.onMessage((m) => {
    if (m.type === 'start') gotStart(m);
    else if (m.type === 'stop') requestStop();
    else if (m.type === 'ack') state.sink?.acked(m.count);
  });
  channel.onDisconnect(() => {
    requestStop();
    state.sink?.disconnected();
  });

  const start = await started;
  if (!options.channel && options.title !== false) process.title = workerTitle(start.worker.index);
  const outcome = await runStarted(channel, start, state);
  await channel.idle();
  channel.close();
  if (options.exit ?? true) process.exit(outcome.code);
  return outcome;
}

/**
 * The process title of worker `index`. Short enough for the kernel's command
 * name (15 characters, /proc/PID/comm, what top shows) to hold it whole up to
 * worker 1023, the most a cluster has.
 */
function workerTitle(index: number): string {
  return `pfw-worker-${index}`;
}

/**
 * A worker stuck in its handler never sees its supervisor's channel close: a
 * supervisor killed outright (SIGKILL, the OOM killer) would leave it
 * spinning. The kernel kills it with its supervisor instead
 * (dieWithParent); one whose supervisor is already gone exits.
 */
function tieToSupervisor(): void {
  const supervisor = process.ppid;
  let alive: boolean;
  try {
    alive = dieWithParent(supervisor);
  } catch {
    return; // prctl() refused: the channel's 'disconnect' still stops a worker that yields
  }
  if (!alive) process.exit(1);
}

async function runStarted(
  channel: WorkerChannel,
  start: StartMessage,
  state: WorkerState,
): Promise<WorkerOutcome> {
  const counters = zeroCounters();
  const { index, count } = start.worker;
  const sink = new RecordSink(channel, { ...start.recordBatch, window: start.recordWindow });
  state.sink = sink;

  const report = (phase: ErrorPhase, err: unknown, fatal: boolean) => {
    const problems = (err as { problems?: { path: string; message: string }[] } | undefined)?.problems;
    return channel.send({
      type: 'error',
      phase,
      code: errorCode(err),
      message: errorMessage(err),
      fatal,
      ...(Array.isArray(problems) ? { problems: problems.map((p) => ({ path: p.path, message: p.message })) } : {}),
    });
  };

  // ---- start: nothing is captured until every step below has succeeded ----
  let h: LoadedHooks | undefined;
  let ctx: HandlerContext;
  let offload: OffloadPool | undefined;
  let ring: Ring | undefined;
  let deliverFlows: FlowDelivery | undefined;
  const deferred: { onHookError?: (hook: string, err: unknown) => void } = {};
  try {
    if (start.protocol !== PROTOCOL_VERSION) {
      throw new StartFailure('start', new Error(`protocol version mismatch: the supervisor speaks ${start.protocol}, this worker ${PROTOCOL_VERSION}`));
    }
    let config: unknown = start.handlerConfig ?? {};
    if (start.handlerPath) {
      try {
        h = (await importHandler(start.handlerPath)).handler as LoadedHooks;
      } catch (err) {
        throw new StartFailure('load', err);
      }
      const parsed = parseHandlerConfig(h, start.handlerConfig ?? {});
      if (!parsed.ok) throw new StartFailure('config', parsed.error);
      config = parsed.config;
    }
    if (h?.offload) {
      try {
        const spec = h.offload;
        const module = spec instanceof URL || spec.startsWith('file:') ? new URL(spec) : path.resolve(path.dirname(start.handlerPath!), spec);
        offload = new OffloadPool({ module, threads: start.offload.threads, maxQueue: start.offload.maxQueue });
      } catch (err) {
        throw new StartFailure('load', err);
      }
    }
    ctx = makeContext({ index, count, config, sink, log: channelLogger(channel, index, h?.name ?? null), offload });
    if (start.flows || h?.flow) {
      deliverFlows = buildFlowDelivery({
        hook: h?.flow?.bind(h),
        emitRecords: start.flows,
        worker: index,
        ctx,
        sink,
        counters,
        onHookError: (hook, err) => deferred.onHookError!(hook, err),
        cut: (done) => void sink.flush(deliveryEnd, { done, end: deliveryAtEnd }),
      });
    }
    const ringOptions: RingOptions = { ...start.ring };
    if (deliverFlows) ringOptions.flows = start.flowTable;
    // Nothing reads a packet's row without a packet() hook (the counting step
    // uses the batch's totals), except a restarted file worker cutting its
    // first batches at its predecessor's position: then rows, for their len.
    if (!h?.packet && start.resumeAfter === 0) ringOptions.rows = false;
    if (start.ringFd !== undefined) ringOptions.fd = start.ringFd;
    else if (ringOptions.file !== undefined) ringOptions.clusterSlot = { index, count };
    try {
      ring = await openRing(ringOptions);
    } catch (err) {
      throw new StartFailure('open', err);
    }
    try {
      await h?.setup?.(ctx);
    } catch (err) {
      throw new StartFailure('setup', err);
    }
  } catch (err) {
    const sf = err instanceof StartFailure ? err : new StartFailure('start', err);
    await report(sf.phase, sf.failure, true);
    safely(() => ring?.close());
    await offload?.destroy().catch(() => {});
    return { code: WorkerExit.startFailure, reason: 'start-failure', counters };
  }

  // ---- hooks -> the loop, built once ----
  let firstErrorSent = false;
  let stopOnErrorPending = false;
  const onHookError = (hook: string, err: unknown) => {
    counters.handlerErrors++;
    if (!counters.firstError) counters.firstError = { hook, message: errorMessage(err) };
    if (start.stopOnError) {
      void report('run', stopOnErrorError(hook, err), true);
      stopOnErrorPending = true;
      throw new StopOnError();
    }
    if (!firstErrorSent) {
      // the first one is reported as it happens; the rest are counted in stats
      firstErrorSent = true;
      void report('run', err, false);
    }
  };
  deferred.onHookError = onHookError;
  /** Counts an error outside the packet loop (async rejections, report, close): never throws. */
  const countHookError = (hook: string, err: unknown) => {
    try {
      onHookError(hook, err);
    } catch {
      // stopOnErrorPending is set; the loop stops at the next batch
    }
  };
  const countAsync = (err: unknown) => countHookError('async', err);
  // Rejections from async hooks and offload .then() chains are handler errors, not crashes.
  process.on('unhandledRejection', countAsync);

  const step = buildBatchStep({ packet: h?.packet?.bind(h), ctx, counters, sink, onHookError });
  let position = 0;
  // The position a flow delivery's cut messages carry: the end of the batch delivered.
  let deliveryEnd = 0;
  let deliveryAtEnd = false; // the delivery is the end-of-input flush (a batch of 0 packets)

  const snapshot = (): WorkerCounters => {
    try {
      counters.dropped = ring!.stats().dropped;
    } catch {
      // a closed ring keeps its last totals
    }
    counters.records = sink.total;
    if (offload) {
      counters.offloadRun = offload.counters.run;
      counters.offloadDropped = offload.counters.dropped;
      counters.offloadErrors = offload.counters.errors;
    }
    return { ...counters, firstError: counters.firstError && { ...counters.firstError } };
  };
  const partOf = (): unknown => {
    try {
      return h!.report!(ctx) ?? null;
    } catch (err) {
      countHookError('report', err);
      return null;
    }
  };
  /** Records first, then stats and report at the same position (a restart resumes consistently). */
  const live = start.ring.file === undefined;
  const tick = (final: boolean) => {
    // a quiet live link: idle flows still end (packet time is wall-clock time there)
    if (live && deliverFlows && !final) {
      try {
        deliveryEnd = position;
        deliveryAtEnd = false;
        deliverFlows(ring!.flowTable?.advance(Math.floor(Date.now() / 1000)));
      } catch (err) {
        countHookError('flow', err);
      }
    }
    void sink.flush(position);
    void channel.send({ type: 'stats', at: Date.now(), counters: snapshot(), position, final });
    if (h?.report) void channel.send({ type: 'report', part: partOf(), final });
  };

  await channel.send({
    type: 'ready',
    pid: process.pid,
    backend: ring!.backend,
    handler: h?.name ?? null,
    hooks: { packet: !!h?.packet, flow: !!h?.flow, report: !!h?.report },
  });

  const timer = setInterval(() => tick(false), start.statsIntervalMs);
  let skip = start.resumeAfter;
  let skipFlows = start.resumeRecords ?? 0;
  const skipFlowsAtEnd = start.resumeAtEnd === true;
  let reason: EndMessage['reason'] = 'stop';
  let lastYield = Date.now();

  // ---- the loop ----
  // A live ring waits inside nextBatch() for packets: a stop request disables
  // the ring, which ends that wait (PFW_RING_NOT_ENABLED) without losing a batch.
  state.onStop = () => {
    try {
      // (also a file read through a cluster index: it waits for the index's
      // writer, which may be gone with the supervisor)
      if (live || start.ring.clusterIndexFd !== undefined) ring!.disable();
    } catch {
      // already closed
    }
  };
  if (state.stop) state.onStop();
  try {
    while (!state.stop && !stopOnErrorPending) {
      const batch = await ring!.nextBatch();
      if (batch === null) {
        reason = 'eof';
        break;
      }
      let from = 0;
      if (skip > 0) {
        from = Math.min(skip, batch.count);
        skip -= from;
      }
      if (from < batch.count) step(batch, position, from);
      // Flows that finished while a restarted file worker skips its predecessor's
      // packets were delivered by the predecessor; of the batch where its last
      // message was cut, the flows after the cut (resumeRecords) are still due.
      const skipped = batch.count > 0 && from === batch.count;
      const atEnd = batch.count === 0;
      const resumesHere = skip === 0 && skipFlows > 0 && atEnd === skipFlowsAtEnd;
      if (deliverFlows && (!skipped || resumesHere)) {
        deliveryEnd = position + batch.count;
        deliveryAtEnd = atEnd;
        deliverFlows(batch.flows, resumesHere ? skipFlows : 0);
        if (resumesHere) skipFlows = 0;
      }
      position += batch.count;
      if (sink.full) void sink.flush(position);
      const wait = sink.belowWindow();
      if (wait) await wait;
      if (channel.pending > MAX_PENDING_SENDS) await channel.idle();
      const now = Date.now();
      if (now - lastYield >= YIELD_EVERY_MS) {
        lastYield = now;
        await yieldToLoop();
      }
    }
  } catch (err) {
    if (err instanceof StopOnError) {
      reason = 'error';
    } else if (state.stop && errorCode(err) === 'PFW_RING_NOT_ENABLED') {
      reason = 'stop';
    } else {
      await report('run', err, true); // the ring failed during capture
      reason = 'error';
    }
  }
  if (stopOnErrorPending) reason = 'error';
  clearInterval(timer);

  // ---- drain: flows, offload tasks, close(), then the final messages ----
  if (deliverFlows && reason !== 'eof') {
    // none is lost: every flow still open ends now (end_reason "stop")
    try {
      deliveryEnd = position;
      deliveryAtEnd = false;
      deliverFlows(ring!.flushFlows('stop'));
    } catch (err) {
      if (!(err instanceof StopOnError)) countHookError('flow', err);
    }
  }
  await offload?.close().catch(() => {});
  try {
    await h?.close?.(ctx);
  } catch (err) {
    countHookError('close', err);
  }
  snapshot(); // the ring's last drop counters, read before it closes
  safely(() => ring!.close());
  tick(true);
  await channel.send({ type: 'end', reason, position });
  process.off('unhandledRejection', countAsync);
  return { code: reason === 'error' ? WorkerExit.failure : WorkerExit.ok, reason, counters: snapshot() };
}

/** handler.stopOnError: the hook's exception ends this worker and the run. */
function stopOnErrorError(hook: string, err: unknown): Error & { code: string } {
  return pfwError('PFW_STOP_ON_ERROR', `${hook}() threw and handler.stopOnError is set: ${errorMessage(err)}`, err);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // closing twice, or after a failed open: nothing to do
  }
}
