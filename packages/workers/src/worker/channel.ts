/**
 * The worker's side of the IPC channel. The default is the `child_process.fork`
 * channel (process.send); a custom supervisor may hand runWorker() any object
 * with the same shape (a worker_threads port, a socket wrapper).
 */
import type { SupervisorToWorkerMessage, WorkerToSupervisorMessage } from '../protocol.js';
import { isSupervisorMessage } from '../protocol.js';
import { pfwError } from '../errors.js';

export interface WorkerChannel {
  /** Queues a message; resolves when it has been handed to the OS (or the channel is gone). */
  send(message: WorkerToSupervisorMessage): Promise<void>;
  /** Messages queued but not yet handed to the OS. */
  readonly pending: number;
  /** Resolves once every message sent so far has been handed over (messages leave in order). */
  idle(): Promise<void>;
  /** Calls `listener` for every supervisor message. */
  onMessage(listener: (message: SupervisorToWorkerMessage) => void): void;
  /** Calls `listener` when the supervisor goes away (the channel closed). */
  onDisconnect(listener: () => void): void;
  /** Stops listening so the process can exit. */
  close(): void;
}

/**
 * The fork channel.
 *
 * @throws PFW_NO_IPC when the process was not started with an IPC channel
 *   (run directly instead of through `child_process.fork`).
 */
export function processChannel(): WorkerChannel {
  if (typeof process.send !== 'function') {
    throw pfwError(
      'PFW_NO_IPC',
      'runWorker() needs an IPC channel: start this module with child_process.fork() (as Supervisor does), or pass { channel } to runWorker()',
    );
  }
  let pending = 0;
  let last: Promise<void> = Promise.resolve();
  return {
    send(message) {
      if (!process.connected) return Promise.resolve();
      pending++;
      last = new Promise<void>((resolve) => {
        // An error here means the supervisor is gone; there is nobody left to tell.
        process.send!(message, undefined, {}, () => {
          pending--;
          resolve();
        });
      });
      return last;
    },
    get pending() {
      return pending;
    },
    idle() {
      return last;
    },
    onMessage(listener) {
      process.on('message', (m) => {
        if (isSupervisorMessage(m)) listener(m);
      });
    },
    onDisconnect(listener) {
      process.once('disconnect', listener);
    },
    close() {
      process.removeAllListeners('message');
      if (process.connected) process.disconnect();
    },
  };
}
