/**
 * All of pfwork's options: one object per concept. The same shape is the
 * JSON config file (`--config FILE.json`), what the CLI flags fill in
 * (see flags.ts) and what the library API takes.
 *
 * @example
 *   { "capture": { "interface": "eth0", "bpf": "tcp port 443" },
 *     "cluster": { "type": "per-flow-5-tuple" },
 *     "workers": { "count": 4 },
 *     "handler": { "path": "examples/top-talkers/handler.ts", "config": { "top": 20 } } }
 */
import { z } from 'zod';
import { captureSchema, type ResolvedCaptureOptions } from './capture.js';
import { clusterSchema, type ResolvedClusterOptions } from './cluster.js';
import { expecting } from './fields.js';
import { flowsSchema, type ResolvedFlowsOptions } from './flows.js';
import { handlerOptionsSchema, type ResolvedHandlerOptions } from './handler.js';
import { outputSchema, type ResolvedOutputOptions } from './output.js';
import { supervisionSchema, type ResolvedSupervisionOptions } from './supervision.js';
import { workersSchema, type ResolvedWorkersOptions } from './workers.js';

/** The concepts, in the order problems are reported. */
export const conceptSchemas = {
  capture: captureSchema,
  cluster: clusterSchema,
  workers: workersSchema,
  supervision: supervisionSchema,
  output: outputSchema,
  flows: flowsSchema,
  handler: handlerOptionsSchema,
} as const;

export type ConceptName = keyof typeof conceptSchemas;

/**
 * Field-level rules only; cross-field rules live in rules.ts and run in
 * resolveOptions(). `$schema` is allowed (and ignored) so a config file can
 * point editors at optionsJsonSchema()'s output.
 */
export const optionsSchema = z.strictObject(
  { $schema: z.string(expecting('a JSON schema URL')).optional().describe('Ignored: lets editors find the JSON schema of this file.'), ...conceptSchemas },
  expecting('an object of pfwork options'),
);

/** Options as a user writes them (every field optional). */
export type Options = z.input<typeof optionsSchema>;

/** Options after resolveOptions(): defaults applied, "auto" worker count resolved, every rule checked. */
export interface ResolvedOptions {
  capture: ResolvedCaptureOptions;
  cluster: ResolvedClusterOptions;
  workers: ResolvedWorkersOptions;
  supervision: ResolvedSupervisionOptions;
  output: ResolvedOutputOptions;
  flows: ResolvedFlowsOptions;
  handler: ResolvedHandlerOptions;
}
