/**
 * Supervisor: starts N worker processes, one per cluster slot, and keeps them
 * running (DESIGN section 8). Public API of @pfwork/workers; the `pfwork start`
 * command is a thin layer over it.
 *
 * Events (eventemitter3): worker-start, worker-exit, stats, record, records,
 * report, log, error, end. `record` parses every NDJSON line, so it costs
 * nothing unless somebody listens; `records` hands over the raw batch.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { resolveOptions, type AnyHandler, type Options, type ResolvedOptions } from '@pfwork/core';
import type { ClusterIndex } from '@pfwork/native';
import { errorCode, pfwError, tooManyRestartsError, type PfwError } from '../errors.js';
import {
  PROTOCOL_VERSION,
  WorkerExit,
  isWorkerMessage,
  type EndMessage,
  type ErrorMessage,
  type LogLevel,
  type StartMessage,
  type WorkerToSupervisorMessage,
} from '../protocol.js';
import { loadHandler } from '../worker/load-handler.js';
import { DEFAULT_WORKER_MODULE, RING_FD_IN_WORKER, forkWorker, tsxExecArgv } from './fork-worker.js';
import { IndexStallWatch } from './index-watch.js';
import { ReportMerger } from './report-merger.js';
import { RestartPolicy } from './restart-policy.js';
import { planRings, type RingPlan } from './ring-plan.js';
import { StatsAggregator, type StatsSnapshot, type WorkerState } from './stats-aggregator.js';
import { checkUserCanRead, resolveUser, type UserIds } from './user.js';

/** How long an exited worker's IPC channel may stay open before its exit is judged anyway. */
const EXIT_DRAIN_MS = 2000;
// The cluster index is looked at once a second; a wait for one worker is
// reported once it has lasted this long without the index moving.
const INDEX_WATCH_MS = 1000;
const INDEX_STALL_MS = 5000;

export interface WorkerStartEvent {
  worker: number;
  pid: number;
  /** True when this replaces a crashed process of the same slot. */
  restart: boolean;
  backend: string;
}

export interface WorkerExitEvent {
  worker: number;
  pid: number | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the exit means: done (end of input / drained), crashed, failed (cannot run), killed (after the kill timeout). */
  outcome: 'done' | 'crashed' | 'failed' | 'killed';
  /** Set when the slot will be restarted, after this many milliseconds. */
  restartInMs?: number;
}

export interface ReportEvent {
  /** merge(parts), or the parts when the handler has no merge(). */
  report: unknown;
  parts: number;
  final: boolean;
  /** merge() threw: its message. */
  error?: string;
}

export interface LogEvent {
  level: LogLevel;
  msg: string;
  worker?: number;
  fields?: Record<string, unknown>;
}

export interface SupervisorErrorEvent extends PfwError {
  worker?: number;
  phase?: string;
  problems?: { path: string; message: string }[];
}

export interface RunResult {
  /** 0: the input ended or the run was stopped and drained; 1: a runtime failure. */
  code: 0 | 1;
  reason: 'eof' | 'stopped' | 'failed';
  /** The failure, when code is 1. */
  error?: SupervisorErrorEvent;
  stats: StatsSnapshot;
  /** The final merged report (undefined when the handler has no report()). */
  report: unknown;
  reportError?: string;
}

export interface SupervisorEvents {
  'worker-start': (e: WorkerStartEvent) => void;
  'worker-exit': (e: WorkerExitEvent) => void;
  stats: (s: StatsSnapshot) => void;
  record: (record: unknown, worker: number) => void;
  records: (ndjson: string, count: number, worker: number) => void;
  report: (r: ReportEvent) => void;
  log: (e: LogEvent) => void;
  error: (e: SupervisorErrorEvent) => void;
  end: (r: RunResult) => void;
}

export interface SupervisorInit {
  /**
   * Where records go. Default: options.output.path ('-' = stdout, else that file,
   * created or truncated). null: nowhere (listen to `record`/`records`).
   */
  output?: Writable | null;
  /** The stream output.path "-" means (default process.stdout). */
  stdout?: Writable;
  /** Write the merged report and the final stats as records at the end (default true). */
  summary?: boolean;
  /** Load the handler in this process too, for merge() (default true). */
  loadHandler?: boolean;
  /** The module workers run (default: ours). A custom one calls runWorker(). */
  workerModule?: string;
  /** execArgv of the workers (default: tsx's loader). */
  execArgv?: string[];
  /** Workers' own stdout/stderr: 'pipe' forwards each line as a `log` event (default), 'inherit' shares ours. */
  workerOutput?: 'pipe' | 'inherit';
  env?: NodeJS.ProcessEnv;
  /** Relative handler and capture paths are resolved from here (default process.cwd()). */
  cwd?: string;
  /** Named in configuration errors (`invalid configuration in pfwork.json`). */
  source?: string;
  /** Records per IPC message and unacknowledged messages per worker (tuning; defaults 1024 lines / 256 KiB, window 8). */
  recordBatch?: { maxLines: number; maxBytes: number; window: number };
}

/**
 * Where a restarted file worker resumes: (position, partial) only moves
 * forward. A message without `partial` at a position means every record up
 * to it was sent; one with `partial` means that many flows of the delivery
 * ending there were (the batch's, or with `end` the end-of-input flush, which
 * comes at the same position as the last batch's).
 */
function advancePosition(slot: Slot, position: number, partial: number | undefined, end = false): void {
  if (position > slot.position) {
    slot.position = position;
    slot.partial = partial === undefined ? null : { flows: partial, end };
  } else if (position === slot.position) {
    if (partial === undefined) slot.partial = null;
    else if (slot.partial && slot.partial.end === end) slot.partial.flows = Math.max(slot.partial.flows, partial);
    else if (!slot.partial || end) slot.partial = { flows: partial, end };
  }
}

interface Slot {
  index: number;
  child: ChildProcess | null;
  pid: number | null;
  state: WorkerState;
  ready: boolean;
  restarting: boolean;
  everStarted: boolean;
  end: EndMessage | null;
  fatal: ErrorMessage | null;
  position: number;
  /** Flows of the delivery at `position` already written when its messages were cut there (RecordsMessage.partial); null: none pending. */
  partial: { flows: number; end: boolean } | null;
  /** The slot's worker reads through the file's cluster index; false once a worker that read from it is gone (ClusterIndex.release). */
  indexed: boolean;
  policy: RestartPolicy;
  restartTimer: NodeJS.Timeout | null;
  killed: boolean;
}

/**
 * Runs a pfwork capture with N worker processes.
 *
 * @example
 *   const sup = new Supervisor({ capture: { read: 'trace.pcap' }, workers: { count: 4 },
 *     handler: { path: 'examples/top-talkers' } }, { output: null });
 *   sup.on('report', (r) => console.log(r.report));
 *   const result = await sup.run(); // { code: 0, reason: 'eof', stats, report }
 * @throws ConfigError (PFW_CONFIG) from the constructor when the options are invalid.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly options: ResolvedOptions;
  readonly #init: SupervisorInit;
  #handler: AnyHandler | undefined;
  #handlerPath: string | null = null;
  #plan: RingPlan | undefined;
  #user: UserIds | undefined;
  #slots: Slot[] = [];
  #stats: StatsAggregator;
  #reports: ReportMerger | undefined;
  #output: Writable | null = null;
  #ownsOutput = false;
  #outputFailed = false;
  #timers: NodeJS.Timeout[] = [];
  #killTimer: NodeJS.Timeout | null = null;
  #forked = false;
  #stopping = false;
  #forced = false;
  #stopReason: 'signal' | 'duration' | 'shutdown' | 'error' = 'shutdown';
  #failure: SupervisorErrorEvent | undefined;
  #reported = new Set<string>();
  #finished = false;
  #readyWaiters: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  #done: Promise<RunResult>;
  #resolveDone!: (r: RunResult) => void;

  constructor(options: Options, init: SupervisorInit = {}) {
    super();
    this.options = resolveOptions(options, init.source ? { source: init.source } : {});
    this.#init = init;
    this.#stats = new StatsAggregator(this.options.workers.count);
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** True once start() has forked workers (errors thrown before that mean nothing ran). */
  get forked(): boolean {
    return this.#forked;
  }

  /** Current stats, per worker and in total. */
  stats(): StatsSnapshot {
    return this.#stats.snapshot();
  }

  /** start() then wait(): the whole run. Throws only what start() throws before forking. */
  async run(): Promise<RunResult> {
    try {
      await this.start();
    } catch (err) {
      if (!this.#forked) throw err;
    }
    return this.wait();
  }

  /** Resolves when the run is over (never rejects). */
  wait(): Promise<RunResult> {
    return this.#done;
  }

  /**
   * Checks everything that can be checked, forks the workers and resolves when
   * every worker is ready (handler loaded, ring open, setup() done).
   *
   * @throws before any worker is forked: the handler's load/config errors
   *   (PFW_HANDLER_NOT_FOUND, PFW_HANDLER_LOAD, PFW_HANDLER_INVALID, PFW_CONFIG),
   *   PFW_USER_*, PFW_OUTPUT (cannot open --output), ring setup errors (afpacket
   *   fanout sockets). After forking: the first worker's start failure (the run
   *   then stops; wait() resolves with code 1).
   */
  async start(): Promise<void> {
    if (this.#forked) throw pfwError('PFW_ALREADY_STARTED', 'this Supervisor was already started; make a new one for another run');
    const o = this.options;
    const cwd = this.#init.cwd ?? process.cwd();
    if (o.handler.path !== undefined) {
      const loaded = await loadHandler(o.handler.path, o.handler.config, cwd);
      this.#handlerPath = loaded.path;
      if (this.#init.loadHandler ?? true) this.#handler = loaded.handler;
    }
    this.#reports = new ReportMerger(o.workers.count, this.#handler);
    if (o.workers.user !== undefined) {
      this.#user = resolveUser(o.workers.user);
      checkUserCanRead(this.#user, this.#filesWorkersRead(cwd));
    }
    this.#openOutput(cwd);
    this.#plan = planRings(o, cwd);
    this.#log('info', `capture: ${this.#plan.backend} (${this.#plan.why}), ${o.workers.count} worker${o.workers.count === 1 ? '' : 's'}, cluster ${o.cluster.type}`);

    this.#forked = true;
    const ready = new Promise<void>((resolve, reject) => (this.#readyWaiters = { resolve, reject }));
    ready.catch(() => {}); // reported through start()'s caller or wait()
    for (let i = 0; i < o.workers.count; i++) {
      this.#slots.push({
        index: i,
        child: null,
        pid: null,
        state: 'starting',
        ready: false,
        restarting: false,
        everStarted: false,
        end: null,
        fatal: null,
        position: 0,
        partial: null,
        indexed: true,
        policy: new RestartPolicy(o.supervision),
        restartTimer: null,
        killed: false,
      });
    }
    for (const slot of this.#slots) this.#spawn(slot);
    const interval = Math.max(100, Math.round(o.output.statsIntervalSec * 1000));
    this.#timers.push(setInterval(() => this.#tick(), interval));
    if (this.#plan!.clusterIndex) this.#watchIndex(this.#plan!.clusterIndex);
    if (o.capture.durationSec !== undefined && o.capture.read === undefined) {
      this.#timers.push(setTimeout(() => void this.stop('duration'), o.capture.durationSec * 1000));
    }
    await ready;
  }

  /**
   * Graceful stop: no more restarts, every worker drains (finishes its batch,
   * flushes flows, close(), final stats and report); workers still running
   * after supervision.killTimeoutMs are killed. Resolves with the run's result.
   */
  stop(reason: 'signal' | 'duration' | 'shutdown' | 'error' = 'shutdown'): Promise<RunResult> {
    if (!this.#forked) {
      this.#finish();
      return this.#done;
    }
    if (this.#stopping) return this.#done;
    this.#stopping = true;
    this.#stopReason = reason;
    for (const slot of this.#slots) {
      if (slot.restartTimer) {
        clearTimeout(slot.restartTimer);
        slot.restartTimer = null;
        this.#setState(slot, 'done');
      }
      if (slot.child && slot.child.connected && !slot.end) {
        this.#setState(slot, 'stopping');
        slot.child.send({ type: 'stop', reason });
      }
    }
    this.#killTimer = setTimeout(() => this.#killAll(), this.options.supervision.killTimeoutMs);
    this.#checkDone();
    return this.#done;
  }

  /** Forced stop (a second Ctrl-C): kills every worker now. */
  kill(): Promise<RunResult> {
    this.#stopping = true;
    this.#forced = true;
    this.#killAll();
    this.#checkDone();
    return this.#done;
  }

  /** What a worker must be able to read: its entry module, tsx's loader, the handler, the capture file. */
  #filesWorkersRead(cwd: string): string[] {
    const files = [this.#init.workerModule ?? DEFAULT_WORKER_MODULE];
    const argv = this.#init.execArgv ?? tsxExecArgv();
    for (let i = 0; i + 1 < argv.length; i++) {
      if (argv[i] === '--import' && argv[i + 1]!.startsWith('file:')) files.push(fileURLToPath(argv[i + 1]!));
    }
    if (this.#handlerPath) files.push(this.#handlerPath);
    if (this.options.capture.read !== undefined) files.push(path.resolve(cwd, this.options.capture.read));
    return files;
  }

  // ---- processes ----

  #spawn(slot: Slot): void {
    const restart = slot.everStarted;
    slot.everStarted = true;
    slot.ready = false;
    slot.end = null;
    slot.fatal = null;
    slot.killed = false;
    const o = this.options;
    // the file's cluster index, unless this slot has left it (#releaseIndexSlot)
    const index = slot.indexed ? this.#plan!.clusterIndex : undefined;
    let child: ChildProcess;
    try {
      child = forkWorker({
        module: this.#init.workerModule ?? DEFAULT_WORKER_MODULE,
        execArgv: this.#init.execArgv ?? tsxExecArgv(),
        output: this.#init.workerOutput ?? 'pipe',
        ringFd: this.#plan!.fanout?.fds[slot.index] ?? index?.fd,
        user: this.#user,
        env: this.#init.env,
        cwd: this.#init.cwd,
      });
    } catch (err) {
      this.#fail(pfwError('PFW_FORK', `could not start worker ${slot.index}: ${(err as Error).message}`, err), slot.index);
      this.#setState(slot, 'failed');
      return;
    }
    slot.child = child;
    slot.pid = child.pid ?? null;
    slot.policy.started(Date.now());
    this.#stats.processStarted(slot.index, slot.pid, restart);
    slot.restarting = restart;
    child.on('message', (m) => {
      if (isWorkerMessage(m)) this.#onMessage(slot, child, m);
    });
    child.on('exit', (code, signal) => {
      // Node does not promise that a child's last IPC messages (its 'end'
      // among them) are read before its 'exit' is seen: a worker that ended
      // cleanly would pass for a crash and be restarted. Judge the exit once
      // the channel is drained ('disconnect'), or EXIT_DRAIN_MS after the exit
      // should the channel stay open.
      if (!child.connected) return this.#onExit(slot, child, code, signal);
      const judge = () => {
        clearTimeout(timer);
        this.#onExit(slot, child, code, signal);
      };
      const timer = setTimeout(judge, EXIT_DRAIN_MS);
      child.once('disconnect', judge);
    });
    child.on('error', (err) => {
      // spawn failure or a failed send to a dying child: the exit event follows where there was a process
      if (child.pid === undefined) {
        this.#fail(pfwError('PFW_FORK', `could not start worker ${slot.index}: ${err.message}`, err), slot.index);
        this.#setState(slot, 'failed');
        this.#checkDone();
      }
    });
    if (child.stdout) this.#forwardLines(child.stdout, slot.index, 'stdout');
    if (child.stderr) this.#forwardLines(child.stderr, slot.index, 'stderr');
    const start: StartMessage = {
      type: 'start',
      protocol: PROTOCOL_VERSION,
      worker: { index: slot.index, count: o.workers.count },
      handlerPath: this.#handlerPath,
      handlerConfig: o.handler.config,
      ring: index ? { ...this.#plan!.ring, clusterIndexFd: RING_FD_IN_WORKER } : this.#plan!.ring,
      ...(this.#plan!.fanout ? { ringFd: RING_FD_IN_WORKER } : {}),
      flows: o.output.flows,
      flowTable: { ...o.flows },
      statsIntervalMs: Math.max(100, Math.round(o.output.statsIntervalSec * 1000)),
      stopOnError: o.handler.stopOnError,
      resumeAfter: o.capture.read !== undefined ? slot.position : 0,
      resumeRecords: o.capture.read !== undefined ? (slot.partial?.flows ?? 0) : 0,
      resumeAtEnd: o.capture.read !== undefined && slot.partial?.end === true,
      recordBatch: { maxLines: this.#init.recordBatch?.maxLines ?? 1024, maxBytes: this.#init.recordBatch?.maxBytes ?? 256 * 1024 },
      recordWindow: this.#init.recordBatch?.window ?? 8,
      offload: { threads: o.handler.offloadThreads, maxQueue: o.handler.offloadMaxQueue },
    };
    child.send(start);
  }

  #onMessage(slot: Slot, child: ChildProcess, m: WorkerToSupervisorMessage): void {
    if (slot.child !== child) return; // a late message from a replaced process
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        // Indexing starts when the first worker can read: not earlier, while
        // the workers are still starting up on the same cores.
        this.#plan!.clusterIndex?.start();
        if (!this.#stopping) this.#setState(slot, 'running');
        this.emit('worker-start', { worker: slot.index, pid: m.pid, restart: slot.restarting, backend: m.backend });
        if (this.#slots.every((s) => s.ready || s.state === 'done')) this.#readyWaiters?.resolve();
        break;
      case 'stats':
        this.#stats.update(slot.index, m.at, m.counters);
        advancePosition(slot, m.position, undefined);
        break;
      case 'report':
        this.#reports!.update(slot.index, m.part);
        break;
      case 'records':
        advancePosition(slot, m.position, m.partial, m.partialEnd === true);
        this.#deliver(child, slot.index, m.lines, m.count);
        break;
      case 'log':
        this.emit('log', { level: m.level, msg: m.msg, worker: slot.index, fields: m.fields });
        break;
      case 'error':
        if (m.fatal) {
          slot.fatal = m;
          const err = Object.assign(pfwError(m.code, `worker ${slot.index}: ${m.message}`), {
            worker: slot.index,
            phase: m.phase,
            ...(m.problems ? { problems: m.problems } : {}),
          });
          // Reading a file, a worker whose input fails (a damaged file) does not stop the
          // others: each reads its own copy and keeps every packet it can.
          const ownInput = m.phase === 'run' && m.code !== 'PFW_STOP_ON_ERROR' && this.options.capture.read !== undefined;
          this.#fail(err, slot.index, m.message, !ownInput);
        } else {
          this.#log('warn', `worker ${slot.index}: a handler hook threw (${m.message}); the worker goes on and counts errors in its stats`, slot.index);
        }
        break;
      case 'end':
        slot.end = m;
        advancePosition(slot, m.position, undefined);
        break;
    }
  }

  #onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = null;
    const leftIndex = this.#releaseIndexSlot(slot);
    const base = { worker: slot.index, pid: slot.pid, code, signal };
    if (slot.end || (this.#stopping && code === 0)) {
      const failed = slot.end?.reason === 'error' || (code !== 0 && code !== null);
      this.#setState(slot, failed ? 'failed' : 'done');
      this.emit('worker-exit', { ...base, outcome: failed ? 'failed' : 'done' });
    } else if (slot.fatal || code === WorkerExit.startFailure) {
      this.#setState(slot, 'failed');
      this.emit('worker-exit', { ...base, outcome: 'failed' });
      if (!slot.fatal) this.#fail(pfwError('PFW_WORKER_START', `worker ${slot.index} could not start (exit code ${code})`), slot.index);
    } else if (this.#stopping) {
      this.#setState(slot, slot.killed ? 'killed' : 'done');
      this.emit('worker-exit', { ...base, outcome: slot.killed ? 'killed' : 'crashed' });
      if (slot.killed && !this.#failure) {
        this.#failure = Object.assign(
          this.#forced
            ? pfwError('PFW_KILLED', `worker ${slot.index} was killed (forced stop) before it finished draining; its last records and report may be incomplete`)
            : pfwError(
                'PFW_KILL_TIMEOUT',
                `worker ${slot.index} did not finish draining within ${this.options.supervision.killTimeoutMs} ms and was killed; its last records and report may be incomplete`,
              ),
          { worker: slot.index },
        );
        this.emit('error', this.#failure);
      }
    } else {
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      const decision = slot.policy.crashed(Date.now());
      this.#reports!.retire(slot.index);
      if (decision.restart) {
        this.#setState(slot, 'restarting');
        this.emit('worker-exit', { ...base, outcome: 'crashed', restartInMs: decision.delayMs });
        this.#log('warn', `worker ${slot.index} crashed (${how}); restarting in ${decision.delayMs} ms (restart ${decision.unstableRestarts} of at most ${this.options.supervision.maxUnstableRestarts} without a stable run)`, slot.index);
        if (leftIndex) this.#log('info', `worker ${slot.index} had read part of its share of the cluster index, which is gone from the index's ring: the restarted worker reads the whole file and keeps its slot`, slot.index);
        slot.restartTimer = setTimeout(() => {
          slot.restartTimer = null;
          if (!this.#stopping) this.#spawn(slot);
        }, decision.delayMs);
      } else {
        this.#setState(slot, 'failed');
        this.emit('worker-exit', { ...base, outcome: 'crashed' });
        this.#fail(Object.assign(tooManyRestartsError(slot.index, decision.unstableRestarts, how), { worker: slot.index }), slot.index);
      }
    }
    this.#checkDone();
  }

  /**
   * The cluster index's writer waits for a slot whose ring is full, and a
   * dead reader never consumes: its slot is handed back at every exit. A
   * slot its worker had read from is gone from the index's ring: the next
   * worker reads the whole file and keeps its slot (the same packets, more
   * slowly). True when the slot just left the index.
   */
  #releaseIndexSlot(slot: Slot): boolean {
    const index = this.#plan?.clusterIndex;
    if (!index || !slot.indexed) return false;
    slot.indexed = index.release(slot.index);
    return !slot.indexed;
  }

  #killAll(): void {
    for (const slot of this.#slots) {
      if (slot.child && slot.child.exitCode === null && slot.child.signalCode === null) {
        slot.killed = true;
        slot.child.kill('SIGKILL');
      }
    }
  }

  #setState(slot: Slot, state: Slot['state']): void {
    slot.state = state;
    this.#stats.setState(slot.index, state);
  }

  /**
   * Records a run failure (the first one is the run's), reports it, stops the run.
   * The same failure from several workers (the capture file is missing) is reported once.
   */
  #fail(err: SupervisorErrorEvent, worker?: number, sameAs?: string, stopRun = true): void {
    if (worker !== undefined) err.worker ??= worker;
    if (!this.#failure) this.#failure = err;
    const key = `${err.code}\0${sameAs ?? err.message}`;
    if (!this.#reported.has(key)) {
      this.#reported.add(key);
      this.emit('error', err);
    }
    this.#readyWaiters?.reject(err);
    if (stopRun) void this.stop('error');
  }

  // ---- records and output ----

  #openOutput(cwd: string): void {
    if (this.#init.output !== undefined) {
      this.#output = this.#init.output;
    } else if (this.options.output.path === '-') {
      this.#output = this.#init.stdout ?? process.stdout;
    } else {
      const file = this.options.output.path;
      const stream = createWriteStream(file.startsWith('/') ? file : `${cwd}/${file}`);
      this.#output = stream;
      this.#ownsOutput = true;
    }
    this.#output?.on('error', (err: NodeJS.ErrnoException) => {
      if (this.#outputFailed) return;
      this.#outputFailed = true;
      if (err.code === 'EPIPE') {
        // the reader went away (`pfwork ... | head`): stop quietly, as Unix tools do
        this.#log('info', 'the records output was closed by its reader (EPIPE): stopping');
        void this.stop('shutdown');
        return;
      }
      this.#fail(pfwError('PFW_OUTPUT', `cannot write records to ${this.options.output.path === '-' ? 'stdout' : this.options.output.path}: ${err.message}`, err));
    });
  }

  #deliver(child: ChildProcess, worker: number, lines: string, count: number): void {
    if (this.listenerCount('records') > 0) this.emit('records', lines, count, worker);
    if (this.listenerCount('record') > 0) {
      for (const line of lines.split('\n')) if (line) this.emit('record', JSON.parse(line), worker);
    }
    const ack = () => {
      if (child.connected) child.send({ type: 'ack', count: 1 }, () => {});
    };
    if (this.#output && !this.#outputFailed) this.#output.write(lines, ack);
    else ack();
  }

  #forwardLines(stream: NodeJS.ReadableStream, worker: number, name: 'stdout' | 'stderr'): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) this.#workerLine(worker, name, line);
    });
    stream.on('end', () => {
      if (rest) this.#workerLine(worker, name, rest);
    });
  }

  #workerLine(worker: number, stream: 'stdout' | 'stderr', line: string): void {
    if (this.listenerCount('log') === 0) {
      process.stderr.write(`[worker ${worker}] ${line}\n`);
      return;
    }
    this.emit('log', { level: stream === 'stderr' ? 'warn' : 'info', msg: line, worker, fields: { stream } });
  }

  #log(level: LogLevel, msg: string, worker?: number, fields?: Record<string, unknown>): void {
    this.emit('log', { level, msg, ...(worker !== undefined ? { worker } : {}), ...(fields ? { fields } : {}) });
  }

  // ---- ticks and the end ----

  #tick(): void {
    this.emit('stats', this.#stats.snapshot());
    if (this.listenerCount('report') > 0 && this.#handler?.report && this.#reports!.any) {
      const m = this.#reports!.merged();
      this.emit('report', { report: m.report, parts: this.#reports!.parts().length, final: false, ...(m.error ? { error: m.error } : {}) });
    }
  }

  /** Says when the cluster index waits for one worker (index-watch.ts), and when it goes on. */
  #watchIndex(index: ClusterIndex): void {
    const watch = new IndexStallWatch(index, INDEX_STALL_MS);
    const timer = setInterval(() => {
      if (this.#stopping) return;
      const seen = watch.poll(Date.now());
      if (seen?.event === 'stalled') {
        const { worker, waitedMs, records } = seen.stall;
        const why =
          this.#slots[worker]?.state === 'restarting'
            ? 'It is restarting after a crash'
            : 'It is much slower than the other workers or stuck in its handler';
        this.#log(
          'warn',
          `worker ${worker} holds the others back: the cluster index has waited ${(waitedMs / 1000).toFixed(0)} s for it to read its share (its ring is full; ${records} packets of the file indexed so far). ${why}; the others wait with it until it reads on`,
          worker,
        );
      } else if (seen?.event === 'resumed') {
        this.#log('info', `worker ${seen.stall.worker} reads on: the cluster index goes on after waiting ${(seen.stall.waitedMs / 1000).toFixed(0)} s for it`, seen.stall.worker);
      }
    }, INDEX_WATCH_MS);
    timer.unref();
    this.#timers.push(timer);
  }

  /**
   * What indexing the file cost, once at the end: one thread walks the whole
   * file for all the workers, so with many workers it can be the bound. Its
   * CPU close to its time and little waiting says it was; much waiting says
   * the workers were (docs/ring.md, "Cluster index").
   */
  #reportIndexCost(index: ClusterIndex): void {
    const s = index.status();
    if (s.seconds === 0) return; // never started: no worker got to read
    const secs = (x: number) => (x >= 0.1 ? `${x.toFixed(2)} s` : `${(x * 1000).toFixed(1)} ms`);
    this.#log(
      'info',
      `cluster index: ${s.records} packets indexed in ${secs(s.seconds)}${s.done ? '' : ' (the run stopped before it was done)'}; ` +
        `its thread (pfw-index) used ${secs(s.cpuSeconds)} of CPU and waited ${secs(s.waitedSeconds)} for workers a ring behind`,
      undefined,
      { indexRecords: s.records, indexSeconds: s.seconds, indexCpuSeconds: s.cpuSeconds, indexWaitedSeconds: s.waitedSeconds },
    );
  }

  #checkDone(): void {
    if (this.#finished || !this.#forked) return;
    if (this.#slots.every((s) => s.child === null && s.restartTimer === null)) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const t of this.#timers) clearInterval(t);
    if (this.#killTimer) clearTimeout(this.#killTimer);
    this.#readyWaiters?.resolve();
    this.#plan?.fanout?.close();
    if (this.#plan?.clusterIndex) this.#reportIndexCost(this.#plan.clusterIndex);
    this.#plan?.clusterIndex?.close();
    const stats = this.#stats.snapshot();
    const hasReport = !!this.#handler?.report;
    const merged = hasReport ? this.#reports!.merged() : { report: undefined };
    const result: RunResult = {
      code: this.#failure ? 1 : 0,
      reason: this.#failure ? 'failed' : this.#stopping && this.#stopReason !== 'error' ? 'stopped' : 'eof',
      stats,
      report: merged.report,
      ...(this.#failure ? { error: this.#failure } : {}),
      ...(merged.error ? { reportError: merged.error } : {}),
    };
    const done = () => {
      this.emit('stats', stats);
      if (hasReport) this.emit('report', { report: merged.report, parts: this.#reports!.parts().length, final: true, ...(merged.error ? { error: merged.error } : {}) });
      this.emit('end', result);
      this.#resolveDone(result);
    };
    if (this.#output && !this.#outputFailed) {
      if (this.#init.summary ?? true) this.#output.write(this.#summary(result));
      if (this.#ownsOutput) this.#output.end(done);
      else this.#output.write('', done);
    } else {
      done();
    }
  }

  /** The final records: the merged report, each worker's stats, the total. */
  #summary(r: RunResult): string {
    let out = '';
    if (this.#handler?.report) {
      out += JSON.stringify({
        type: 'report',
        handler: this.#handler.name,
        workers: this.options.workers.count,
        report: r.report,
        ...(r.reportError ? { error: r.reportError } : {}),
      }) + '\n';
    }
    for (const w of r.stats.workers) {
      const { packetsPerSec: _p, bytesPerSec: _b, ...rest } = w;
      out += JSON.stringify({ type: 'stats', scope: 'worker', ...rest }) + '\n';
    }
    const { packetsPerSec: _p, bytesPerSec: _b, ...total } = r.stats.total;
    out += JSON.stringify({ type: 'stats', scope: 'total', ...total }) + '\n';
    return out;
  }
}

