/**
 * The module Supervisor forks (with tsx's loader in execArgv): a pfwork worker.
 */
import { runWorker } from './run-worker.js';

await runWorker();
