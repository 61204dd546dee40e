/** What every hook receives as `ctx`. */

/** Which worker this is. */
export interface WorkerInfo {
  /** 0-based; also the cluster slot (the same flows keep arriving at the same index across restarts). */
  readonly index: number;
  /** How many workers the run has. */
  readonly count: number;
  readonly pid: number;
}

/** Extra structured fields for one log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A structured logger: one JSON line on stderr per call (a line on the
 * status display when stderr is a TTY). The worker adds its index and the
 * handler name to every line.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * The offload pool (piscina threads inside the worker) for work too slow for
 * the capture loop. Exists only when the handler declares `offload`.
 *
 * DROP-WHEN-FULL CONTRACT: run() never blocks and never throws for a full
 * queue. When `handler.offloadMaxQueue` tasks are already waiting it returns
 * undefined, the task is dropped and counted (`dropped`, and the worker's
 * `offloadDropped` stat). Capture never waits on analysis.
 *
 * `data` is copied to the thread (structured clone): never pass pkt.data
 * itself, pass pkt.copy() or the fields you need.
 */
export interface OffloadPool {
  /** Queue one task; undefined when the queue is full (the task was dropped). A task that throws rejects its promise. */
  run(data: unknown): Promise<unknown> | undefined;
  /** Tasks waiting or running. */
  readonly pending: number;
  /** Tasks dropped because the queue was full, since the worker started. */
  readonly dropped: number;
}

/** `ctx`: the same object for every hook call of one worker. */
export interface HandlerContext<C = unknown> {
  readonly worker: WorkerInfo;
  /** The handler's config: parsed by its schema, defaults applied. */
  readonly config: C;
  /** Writes one record as one NDJSON line to the output (stdout or --output). Keep it JSON-serialisable. */
  emit(record: object): void;
  readonly log: Logger;
  /** The offload pool, when the handler declares `offload`; else undefined. */
  readonly offload: OffloadPool | undefined;
}
