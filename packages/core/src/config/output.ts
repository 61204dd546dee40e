/** Output options: where records go and how often stats are reported. */
import type { z } from 'zod';
import { boolField, numberField, section, textField } from './fields.js';

export const outputSchema = section('output', {
  /** NDJSON records: "-" for stdout, else a file path (created or truncated). */
  path: textField('"-" (stdout) or a file path').default('-'),
  /** Emit a flow record for every flow, with or without a handler. */
  flows: boolField().default(false),
  /** Seconds between stats lines and handler report() calls. */
  statsIntervalSec: numberField('a number of seconds from 0.1 to 3600', 0.1, true, 3600).default(1),
});

export type OutputOptions = z.input<typeof outputSchema>;
export type ResolvedOutputOptions = z.output<typeof outputSchema>;
