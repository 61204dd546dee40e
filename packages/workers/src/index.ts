/**
 * @pfwork/workers: everything that runs processes. The Supervisor (N worker
 * processes, restarts, stats, reports), runWorker() for custom supervisors,
 * the offload pool and the IPC protocol both sides speak.
 */
export { Supervisor } from './supervisor/supervisor.js';
export type {
  SupervisorEvents,
  SupervisorInit,
  RunResult,
  WorkerStartEvent,
  WorkerExitEvent,
  ReportEvent,
  LogEvent,
  SupervisorErrorEvent,
} from './supervisor/supervisor.js';
export type { StatsSnapshot, WorkerStats, TotalStats, WorkerState } from './supervisor/stats-aggregator.js';
export { RestartPolicy, DEFAULT_RESTART_POLICY, type RestartPolicyOptions, type RestartDecision } from './supervisor/restart-policy.js';
export { DEFAULT_WORKER_MODULE, RING_FD_IN_WORKER, tsxExecArgv } from './supervisor/fork-worker.js';
export { runWorker, type RunWorkerOptions, type WorkerOutcome } from './worker/run-worker.js';
export type { WorkerChannel } from './worker/channel.js';
export { loadHandler, importHandler, resolveHandlerPath, type LoadedHandler } from './worker/load-handler.js';
export { OffloadPool, type OffloadPoolOptions, type OffloadCounters } from './offload/offload-pool.js';
export * from './protocol.js';
