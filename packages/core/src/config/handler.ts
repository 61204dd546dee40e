/**
 * Handler options: which module runs in every worker, and its config (an
 * object checked later against the handler's own zod schema).
 */
import { z } from 'zod';
import { boolField, expecting, intField, section, textField } from './fields.js';

const CONFIG_EXPECTED = "an object (the handler's options)";

export const handlerOptionsSchema = section('handler', {
  path: textField('a module path (.js, .mjs or .ts)').optional().describe('The handler module (.js, .mjs or .ts, no build step), resolved from the working directory.'),
  config: z
    .record(z.string(), z.unknown(), expecting(CONFIG_EXPECTED))
    .meta({ expected: CONFIG_EXPECTED })
    .default({})
    .describe("The handler's own options, checked against its `config` schema (handler.config.* in messages)."),
  stopOnError: boolField().default(false).describe('Stop the run (exit 1) on the first exception from a hook, instead of counting it and going on.'),
  offloadThreads: intField('an integer from 1 to 64', 1, 64).default(1).describe('Threads of the offload pool (handlers that declare `offload`).'),
  offloadMaxQueue: intField('an integer from 1 to 1000000', 1, 1_000_000)
    .default(1024)
    .describe('Tasks waiting in the offload pool before ctx.offload.run() drops new ones (and counts them).'),
});

export type HandlerOptions = z.input<typeof handlerOptionsSchema>;
export type ResolvedHandlerOptions = z.output<typeof handlerOptionsSchema>;
