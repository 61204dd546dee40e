/** Output options: where records go and how often stats are reported. */
import type { z } from 'zod';
import { boolField, numberField, section, textField } from './fields.js';

export const outputSchema = section('output', {
  path: textField('"-" (stdout) or a file path').default('-').describe('Where NDJSON records go: "-" for stdout, else a file (created or truncated). Logs and stats always go to stderr.'),
  flows: boolField().default(false).describe('Emit a flow record (Zeek conn.log fields) for every flow, with or without a handler.'),
  statsIntervalSec: numberField('a number of seconds from 0.1 to 3600', 0.1, true, 3600)
    .default(1)
    .describe('Seconds between stats updates and handler report() calls.'),
});

export type OutputOptions = z.input<typeof outputSchema>;
export type ResolvedOutputOptions = z.output<typeof outputSchema>;
