/**
 * Handler options: which module runs in every worker, and its config (an
 * object checked later against the handler's own zod schema).
 */
import { z } from 'zod';
import { boolField, expecting, intField, section, textField } from './fields.js';

export const handlerOptionsSchema = section('handler', {
  /** The handler module (.js, .mjs or .ts), resolved from the working directory. */
  path: textField('a module path (.js, .mjs or .ts)').optional(),
  /** The handler's own options, validated by its `config` schema. */
  config: z.record(z.string(), z.unknown(), expecting('an object (the handler\'s options)')).default({}),
  /** Stop the worker (and the run, exit 1) on the first exception from a hook instead of counting it. */
  stopOnError: boolField().default(false),
  /** Threads of the offload pool (only for handlers that declare `offload`). */
  offloadThreads: intField('an integer from 1 to 64', 1, 64).default(1),
  /** Tasks queued in the offload pool before ctx.offload.run() drops (and counts) new ones. */
  offloadMaxQueue: intField('an integer from 1 to 1000000', 1, 1_000_000).default(1024),
});

export type HandlerOptions = z.input<typeof handlerOptionsSchema>;
export type ResolvedHandlerOptions = z.output<typeof handlerOptionsSchema>;
