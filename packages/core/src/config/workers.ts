/** Worker options: how many capture processes and whom they run as. */
import { z } from 'zod';
import { expecting, section } from './fields.js';

/** A sane upper bound (PACKET_FANOUT groups held 256 sockets on older kernels). */
export const MAX_WORKERS = 256;

const COUNT_EXPECTED = 'a positive integer or "auto"';
const count = z
  .union(
    [z.literal('auto', expecting(COUNT_EXPECTED)), z.number(expecting(COUNT_EXPECTED)).int(expecting(COUNT_EXPECTED)).min(1, expecting(COUNT_EXPECTED)).max(MAX_WORKERS, expecting(`at most ${MAX_WORKERS} workers`))],
    expecting(COUNT_EXPECTED),
  )
  .meta({ expected: `${COUNT_EXPECTED} (at most ${MAX_WORKERS})` });

const USER_EXPECTED = 'a user name or a numeric uid';
const user = z
  .union(
    [z.string(expecting(USER_EXPECTED)).regex(/^[a-z_][a-z0-9_.-]*\$?$/i, expecting(USER_EXPECTED)), z.number(expecting(USER_EXPECTED)).int(expecting(USER_EXPECTED)).min(0, expecting(USER_EXPECTED))],
    expecting(USER_EXPECTED),
  )
  .meta({ expected: USER_EXPECTED });

export const workersSchema = section('workers', {
  count: count.default('auto').describe('Worker processes, each one capture socket of the cluster; "auto" = one per CPU (os.availableParallelism()).'),
  user: user.optional().describe('Workers drop privileges to this user (setgid, then setuid) once the supervisor has opened their capture sockets.'),
});

export type WorkersOptions = z.input<typeof workersSchema>;
/** After resolveOptions, `count` is always a number. */
export type ResolvedWorkersOptions = Omit<z.output<typeof workersSchema>, 'count'> & { count: number };
