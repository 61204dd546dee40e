/**
 * Errors of @pfwork/workers: every one carries `code` = PFW_<WHAT> and a
 * message that says what to do. Tests assert these messages word for word.
 */

export interface PfwError extends Error {
  code: string;
}

/** An Error with a `code`. */
export function pfwError(code: string, message: string, cause?: unknown): PfwError {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as PfwError;
  err.code = code;
  return err;
}

/** The code of any thrown value, or PFW_UNKNOWN. */
export function errorCode(err: unknown): string {
  const c = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : 'PFW_UNKNOWN';
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
}

/** The run gave up on a worker slot that kept crashing (PM2's "too many unstable restarts"). */
export function tooManyRestartsError(worker: number, restarts: number, lastExit: string): PfwError {
  return pfwError(
    'PFW_TOO_MANY_RESTARTS',
    `worker ${worker} crashed ${restarts + 1} times without running stably (last: ${lastExit}); giving up after ${restarts} restarts. ` +
      'Look at the worker\'s errors above; the restart policy is supervision.maxUnstableRestarts / supervision.stableAfterMs',
  );
}
