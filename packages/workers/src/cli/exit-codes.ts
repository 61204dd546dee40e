/**
 * The exit codes of `pfwork` (DESIGN section 7), BSD sysexits where one fits.
 */
import { isConfigError } from '@pfwork/core';
import { errorCode } from '../errors.js';

export const ExitCode = {
  /** Success; also after SIGINT/SIGTERM when every worker drained. */
  ok: 0,
  /** A runtime failure: a worker could not start or kept crashing, stop-on-error, a worker killed after the kill timeout. */
  failure: 1,
  /** Usage: an unknown flag or command, a missing flag value. */
  usage: 2,
  /** EX_CONFIG: invalid options (every problem listed), a handler that is missing, does not load or rejects its config. */
  config: 78,
} as const;

/** Errors that mean "the configuration is wrong" and exit 78. */
const CONFIG_CODES = new Set([
  'PFW_CONFIG',
  'PFW_CONFIG_FILE',
  'PFW_HANDLER_NOT_FOUND',
  'PFW_HANDLER_LOAD',
  'PFW_HANDLER_INVALID',
  'PFW_USER_UNKNOWN',
  'PFW_USER_ACCESS',
]);

/** The exit code for an error thrown before the run started. */
export function exitCodeFor(err: unknown): number {
  return isConfigError(err) || CONFIG_CODES.has(errorCode(err)) ? ExitCode.config : ExitCode.failure;
}
