/** Worker options: how many capture processes and whom they run as. */
import { z } from 'zod';
import { expecting, section } from './fields.js';

/** PACKET_FANOUT groups hold at most this many sockets on older kernels; a sane upper bound. */
export const MAX_WORKERS = 256;

const COUNT_EXPECTED = 'a positive integer or "auto"';
const count = z.union(
  [z.literal('auto', expecting(COUNT_EXPECTED)), z.number(expecting(COUNT_EXPECTED)).int(expecting(COUNT_EXPECTED)).min(1, expecting(COUNT_EXPECTED)).max(MAX_WORKERS, expecting(`at most ${MAX_WORKERS} workers`))],
  expecting(COUNT_EXPECTED),
);

const USER_EXPECTED = 'a user name or a numeric uid';
const user = z.union(
  [z.string(expecting(USER_EXPECTED)).regex(/^[a-z_][a-z0-9_.-]*\$?$/i, expecting(USER_EXPECTED)), z.number(expecting(USER_EXPECTED)).int(expecting(USER_EXPECTED)).min(0, expecting(USER_EXPECTED))],
  expecting(USER_EXPECTED),
);

export const workersSchema = section('workers', {
  /** Worker processes; "auto" = one per CPU (os.availableParallelism()). */
  count: count.default('auto'),
  /** Drop privileges to this user after the capture sockets are open (setuid/setgid in the workers). */
  user: user.optional(),
});

export type WorkersOptions = z.input<typeof workersSchema>;
/** After resolveOptions, `count` is always a number. */
export type ResolvedWorkersOptions = Omit<z.output<typeof workersSchema>, 'count'> & { count: number };
