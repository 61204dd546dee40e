/**
 * The IPC protocol between a supervisor and its workers: one module of message
 * types, imported by both sides (piscina's lesson). Messages travel over the
 * `child_process.fork` channel in order; every message is a plain JSON value.
 *
 * A worker's life, as seen on the channel:
 *
 * ```
 * supervisor -> worker   StartMessage          (once, right after fork)
 * worker -> supervisor   ReadyMessage          (handler loaded, setup() done, ring open)
 *                        or ErrorMessage{fatal} then exit (nothing was captured)
 * worker -> supervisor   RecordsMessage*       (batches of NDJSON lines)
 * supervisor -> worker   AckMessage*           (records written: the worker keeps a bounded window)
 *                        StatsMessage, ReportMessage   (every stats tick)
 *                        LogMessage*, ErrorMessage{fatal:false}*
 * supervisor -> worker   StopMessage           (drain: finish the batch, flush flows, close)
 * worker -> supervisor   StatsMessage{final}, ReportMessage{final}, EndMessage, then exit 0
 * ```
 *
 * A worker that reaches the end of its input (`--read`) sends the same final
 * messages and EndMessage{reason:'eof'} without being asked.
 */
import type { RingOptions } from '@pfwork/native';

/** Bumped when a message changes shape; a worker refuses a StartMessage of another version. */
export const PROTOCOL_VERSION = 1;

/** What a worker needs to open its ring. `fd` and `clusterSlot` are filled in per worker. */
export type WorkerRingOptions = Omit<RingOptions, 'fd' | 'clusterSlot'>;

/** Supervisor -> worker: everything the worker needs, sent once right after fork. */
export interface StartMessage {
  type: 'start';
  protocol: number;
  /** This worker's slot: index in 0..count-1, and the number of workers. */
  worker: { index: number; count: number };
  /** Absolute path of the handler module, or null to run without one (e.g. `--flows` alone). */
  handlerPath: string | null;
  /** The handler's config as the user wrote it (JSON); the worker parses it with the handler's schema. */
  handlerConfig: unknown;
  ring: WorkerRingOptions;
  /**
   * afpacket: the descriptor number (in the worker) of the fanout member socket the
   * supervisor created and passed in fork's `stdio`. Absent: the worker opens `ring` itself
   * (files: with clusterSlot = worker).
   */
  ringFd?: number;
  /** Emit one flow record per finished flow (`--flows`), handler or not. */
  flows: boolean;
  /** Flow table options (core's `flows` section: timeouts, close delay, fragment timeout, maxFlows, maxFragments), passed whole to the native FlowTable when flows are tracked. */
  flowTable: Record<string, number>;
  /** How often stats and report() are sent (ms). */
  statsIntervalMs: number;
  /** Stop the worker (exit 1) on the first handler exception instead of counting it. */
  stopOnError: boolean;
  /**
   * Packets of this worker's share already processed by an earlier incarnation
   * (files only): they are skipped, so a restarted worker neither loses nor repeats records.
   */
  resumeAfter: number;
  /**
   * Flow records of the batch that ends at `resumeAfter` that an earlier
   * incarnation already sent (its RecordsMessages were cut inside that
   * batch's flow delivery, see RecordsMessage.partial): they are skipped too.
   * Absent or 0: none.
   */
  resumeRecords?: number;
  /** resumeRecords counts flows of the end-of-input flush (RecordsMessage.partialEnd), not of a batch's delivery. */
  resumeAtEnd?: boolean;
  /** Most NDJSON lines / bytes gathered before a RecordsMessage is sent. */
  recordBatch: { maxLines: number; maxBytes: number };
  /** RecordsMessages that may be unacknowledged (see AckMessage). */
  recordWindow: number;
  /** Offload pool settings (used when the handler names an offload module). */
  offload: { threads: number; maxQueue: number };
}

/**
 * Supervisor -> worker: `count` RecordsMessages have been written to the output.
 * A worker keeps at most `StartMessage.recordWindow` RecordsMessages unacknowledged
 * and waits (between batches) beyond that, so a slow output slows the workers
 * instead of filling the supervisor's memory. Live capture then drops in the
 * kernel, where drops are counted.
 */
export interface AckMessage {
  type: 'ack';
  count: number;
}

/** Supervisor -> worker: drain and exit 0 (finish the batch, flush flows, close(), final stats and report). */
export interface StopMessage {
  type: 'stop';
  reason: 'signal' | 'duration' | 'shutdown' | 'error';
}

/** Worker -> supervisor: the handler loaded, setup() ran and the ring is open; capture starts now. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
  /** The backend the ring actually uses (after `auto`). */
  backend: string;
  /** The handler's `name`, or null when running without a handler. */
  handler: string | null;
  /** Which hooks the loop was built from (observability, tests). */
  hooks: { packet: boolean; flow: boolean; report: boolean };
}

/** A worker's counters. Every number is a running total since this worker process started. */
export interface WorkerCounters {
  /** Packets of this worker's share that went through the loop. */
  received: number;
  /** Sum of their wire lengths (`len`). */
  bytes: number;
  /** Packets the ring reports as dropped (kernel drops kept as running totals). */
  dropped: number;
  /** Exceptions thrown by handler hooks (packet, flow, report). */
  handlerErrors: number;
  /** The first handler exception, for the stats line and the final stats record. */
  firstError: { hook: string; message: string } | null;
  /** Records emitted (ctx.emit and flow records). */
  records: number;
  /** Flows finished and handed to flow() / emitted. */
  flows: number;
  /** Offload tasks run, dropped because the queue was full, failed. */
  offloadRun: number;
  offloadDropped: number;
  offloadErrors: number;
}

/** Worker -> supervisor: counters on every tick, and once more (final: true) at the end. */
export interface StatsMessage {
  type: 'stats';
  /** Milliseconds since the epoch when the counters were read. */
  at: number;
  counters: WorkerCounters;
  /** Packets of this worker's share processed (every record up to here was sent before this message). */
  position: number;
  final: boolean;
}

/** Worker -> supervisor: the handler's report() result (its partial result) on every tick and at the end. */
export interface ReportMessage {
  type: 'report';
  part: unknown;
  final: boolean;
}

/**
 * Worker -> supervisor: records, batched (one message per batch, never one per record).
 * `lines` is NDJSON: each record one line, each line ending in '\n'.
 */
export interface RecordsMessage {
  type: 'records';
  lines: string;
  count: number;
  /** Packets of this worker's share fully processed when the batch was cut (see StartMessage.resumeAfter). */
  position: number;
  /**
   * Present when the message was cut inside a flow delivery (a flush of many
   * flows would otherwise go as one huge message): `position` is then the end
   * of the batch being delivered, and this is how many of that delivery's
   * flows have their records in this or an earlier message; the rest follow.
   */
  partial?: number;
  /** With `partial`: the delivery cut is the end-of-input flush (it comes at the same position as the last batch's). */
  partialEnd?: boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Worker -> supervisor: one structured log line (ctx.log). */
export interface LogMessage {
  type: 'log';
  level: LogLevel;
  msg: string;
  fields?: Record<string, unknown>;
}

/** Where a worker error happened: before capture (load..setup) or during it (run). */
export type ErrorPhase = 'start' | 'load' | 'config' | 'open' | 'setup' | 'run' | 'close';

/**
 * Worker -> supervisor: an error. `fatal` errors are followed by the worker's exit;
 * a fatal error before ReadyMessage means nothing was captured and restarting cannot help.
 */
export interface ErrorMessage {
  type: 'error';
  phase: ErrorPhase;
  code: string;
  message: string;
  fatal: boolean;
  /** ConfigError problems, field by field, when code is PFW_CONFIG. */
  problems?: { path: string; message: string }[];
}

/** Worker -> supervisor: the last message; the worker exits right after it. */
export interface EndMessage {
  type: 'end';
  reason: 'eof' | 'stop' | 'error';
  /** Packets of this worker's share processed in total. */
  position: number;
}

export type SupervisorToWorkerMessage = StartMessage | StopMessage | AckMessage;
export type WorkerToSupervisorMessage =
  | ReadyMessage
  | StatsMessage
  | ReportMessage
  | RecordsMessage
  | LogMessage
  | ErrorMessage
  | EndMessage;

const WORKER_MESSAGE_TYPES = new Set(['ready', 'stats', 'report', 'records', 'log', 'error', 'end']);

/** True when `m` looks like a message a worker sends (the channel may carry other things). */
export function isWorkerMessage(m: unknown): m is WorkerToSupervisorMessage {
  return typeof m === 'object' && m !== null && WORKER_MESSAGE_TYPES.has((m as { type?: string }).type ?? '');
}

/** True when `m` is a message a supervisor sends. */
export function isSupervisorMessage(m: unknown): m is SupervisorToWorkerMessage {
  const t = typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
  return t === 'start' || t === 'stop' || t === 'ack';
}

/** Fresh, all-zero counters. */
export function zeroCounters(): WorkerCounters {
  return {
    received: 0,
    bytes: 0,
    dropped: 0,
    handlerErrors: 0,
    firstError: null,
    records: 0,
    flows: 0,
    offloadRun: 0,
    offloadDropped: 0,
    offloadErrors: 0,
  };
}

/**
 * Exit codes a worker process uses, so the supervisor can tell a crash from a
 * deliberate, non-restartable failure.
 */
export const WorkerExit = {
  ok: 0,
  /** A runtime failure (stop-on-error, ring error during capture). */
  failure: 1,
  /** The worker could not start (handler, config, ring open): restarting cannot help. */
  startFailure: 3,
} as const;
