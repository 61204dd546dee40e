/**
 * The Ring's errors. Every error has a `code` (PFW_*); messages are part of the
 * API (tests assert them word for word) and are built here, by factories, or
 * in C++ (cpp/errors.h) for what only the native side can know — those keep
 * their code, errno and syscall and are passed through {@link fromNative}.
 *
 * Codes:
 * - PFW_INVALID_OPTION: Ring.open() options (all problems listed in `problems`)
 * - PFW_INVALID_ARGUMENT: a method argument
 * - PFW_RING_CLOSED: the ring was used after close()
 * - PFW_RING_NOT_ENABLED: nextBatch() on a disabled ring
 * - PFW_RING_BUSY: a second nextBatch() while one is pending
 * - PFW_WRONG_SOCKET_MODE: a read on a 'write' ring, a write on a 'read' ring
 * - PFW_NOT_SUPPORTED: the backend cannot do this (e.g. writing to a file)
 * - PFW_NO_SUCH_FILE, PFW_FILE_ACCESS, PFW_BAD_CAPTURE_FILE: opening a file
 * - PFW_UNSUPPORTED_LINKTYPE: a file whose link type pfwork cannot decode (named)
 * - PFW_CAPTURE_DAMAGED: a damaged file, after its readable packets (file and packet number named)
 * - PFW_BPF_INVALID: a filter expression libpcap does not compile
 * - PFW_BACKEND_UNAVAILABLE: the backend is not available in this build / on this machine
 * - live backends add their own (PFW_NO_CAP_NET_RAW, PFW_NO_SUCH_DEVICE, ...)
 */

/** An error from @pfwork/native: `code` says what happened. */
export class PfwError extends Error {
  readonly code: string;
  /** errno of the failed system call, when one failed. */
  declare readonly errno?: number;
  /** The failed system call, when one failed. */
  declare readonly syscall?: string;

  constructor(code: string, message: string, extra: { errno?: number; syscall?: string; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'PfwError';
    this.code = code;
    if (extra.errno !== undefined) (this as { errno?: number }).errno = extra.errno;
    if (extra.syscall !== undefined) (this as { syscall?: string }).syscall = extra.syscall;
  }
}

/** A bad argument or option: a TypeError with a `code`. */
export class PfwArgumentError extends TypeError {
  readonly code: string;
  /** Every problem found (options are checked together). */
  readonly problems: string[];

  constructor(code: string, message: string, problems: string[] = [message]) {
    super(message);
    this.name = 'PfwArgumentError';
    this.code = code;
    this.problems = problems;
  }
}

/** True when `err` is an error with this PFW_ code (native or not). */
export function isPfwError(err: unknown, code?: string): err is Error & { code: string } {
  if (!(err instanceof Error)) return false;
  const c = (err as Error & { code?: unknown }).code;
  return typeof c === 'string' && (code === undefined || c === code);
}

/** Ring.open() options: one message listing every problem. */
export function invalidOptions(problems: string[]): PfwArgumentError {
  const message = problems.length === 1
    ? `invalid ring options: ${problems[0]}`
    : `invalid ring options:\n${problems.map((p) => `- ${p}`).join('\n')}`;
  return new PfwArgumentError('PFW_INVALID_OPTION', message, problems);
}

/** A bad method argument. */
export function invalidArgument(message: string): PfwArgumentError {
  return new PfwArgumentError('PFW_INVALID_ARGUMENT', message);
}

/** Any use of a closed ring but close() itself. */
export function ringClosed(what: string): PfwError {
  return new PfwError('PFW_RING_CLOSED', `${what}: the ring is closed; open a new one with Ring.open()`);
}

/** nextBatch() on a disabled ring. */
export function ringNotEnabled(what: string): PfwError {
  return new PfwError('PFW_RING_NOT_ENABLED', `${what}: the ring is not enabled; call ring.enable() first`);
}

/** A second nextBatch() while one is pending. */
export function ringBusy(): PfwError {
  return new PfwError('PFW_RING_BUSY', 'nextBatch(): another nextBatch() on this ring has not settled yet; await it first');
}

/** A read on a 'write' ring or a write on a 'read' ring. */
export function wrongSocketMode(what: string, mode: string): PfwError {
  return new PfwError('PFW_WRONG_SOCKET_MODE', `${what}: the ring's socket mode is '${mode}'; call setSocketMode('both') first`);
}

/**
 * An error thrown by the addon, as a PfwError with the same code, message,
 * errno and syscall (and the original as `cause`). Errors without a code
 * (a bug) pass through unchanged.
 */
export function fromNative(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof PfwError || err instanceof PfwArgumentError) return err;
  const e = err as Error & { code?: unknown; errno?: number; syscall?: string };
  if (typeof e.code !== 'string') return err;
  if (e.code === 'PFW_INVALID_ARGUMENT') return new PfwArgumentError(e.code, e.message);
  const extra: { errno?: number; syscall?: string; cause?: unknown } = { cause: err };
  if (typeof e.errno === 'number') extra.errno = e.errno;
  if (typeof e.syscall === 'string') extra.syscall = e.syscall;
  return new PfwError(e.code, e.message, extra);
}
