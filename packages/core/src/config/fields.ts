/**
 * Field builders: every field states, once, what it expects; the same text is
 * used for a wrong type, a failed check and a missing value, so a message
 * always reads `expected <what>, got <value>`.
 */
import { z } from 'zod';
import { describeValue } from './problems.js';
import { closestKey } from './suggest.js';

interface RawIssue {
  readonly code?: string;
  readonly input?: unknown;
}

/** The zod `error` parameter that renders `expected <what>, got <value>`. */
export function expecting(what: string): { error: (iss: RawIssue) => string } {
  return { error: (iss: RawIssue) => `expected ${what}, got ${describeValue(iss.input)}` };
}

/** `"a", "b" or "c"` */
export function listChoices(values: readonly string[]): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** An integer in [min, max]. */
export function intField(what: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const e = expecting(what);
  return z.number(e).int(e).min(min, e).max(max, e).meta({ expected: what });
}

/** A finite number greater than `min` (exclusive) or at least `min` (inclusive). */
export function numberField(what: string, min: number, inclusive: boolean, max: number = Number.MAX_VALUE) {
  const e = expecting(what);
  const base = z.number(e);
  return (inclusive ? base.min(min, e) : base.gt(min, e)).max(max, e).meta({ expected: what });
}

/** One of a fixed set of strings; a near miss gets a suggestion. */
export function choiceField<const T extends readonly [string, ...string[]]>(values: T) {
  const what = `one of ${listChoices(values)}`;
  return z
    .enum(values, {
      error: (iss: RawIssue) => {
        const hint = typeof iss.input === 'string' ? closestKey(iss.input, values) : undefined;
        return `expected ${what}, got ${describeValue(iss.input)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`;
      },
    })
    .meta({ expected: what });
}

/** A non-empty string. */
export function textField(what: string) {
  const e = expecting(what);
  return z.string(e).min(1, e).meta({ expected: what });
}

/** true or false. */
export function boolField() {
  return z.boolean(expecting('true or false')).meta({ expected: 'true or false' });
}

/**
 * One concept's options: a strict object (unknown keys are problems) that
 * may be omitted; omitted fields take their defaults.
 */
export function section<const S extends z.ZodRawShape>(name: string, shape: S) {
  // prefault (not default): the {} is parsed, so every field gets its own default.
  return z.strictObject(shape, expecting(`an object of ${name} options`)).prefault({} as never);
}
