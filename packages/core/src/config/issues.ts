/**
 * Turning zod issues into ConfigProblems: one problem per field (one per
 * unknown key), phrased `expected <what>, got <value>`. Used for pfwork's own
 * options and for every handler's config schema.
 */
import type { z } from 'zod';
import { describeValue, formatPath, type ConfigProblem } from './problems.js';
import { closestKey } from './suggest.js';

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  getter?: () => AnySchema;
  shape?: Record<string, AnySchema>;
  catchall?: AnySchema;
  element?: AnySchema;
}

function defOf(s: AnySchema): Def {
  return s._zod.def as unknown as Def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** Strips optional/default/pipe-style wrappers down to the schema that holds the shape. */
export function unwrapSchema(s: AnySchema): AnySchema {
  for (let i = 0; i < 32; i++) {
    const d = defOf(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else break;
  }
  return s;
}

/** The keys an object schema knows, or [] for anything else. */
export function knownKeys(s: AnySchema): string[] {
  const d = defOf(unwrapSchema(s));
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

/** The schema found by following `path` through object shapes (undefined when the path leaves them). */
export function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let s: AnySchema | undefined = root;
  for (const k of path) {
    if (!s) return undefined;
    const d = defOf(unwrapSchema(s));
    if (d.type === 'object' && d.shape && typeof k === 'string') s = d.shape[k];
    else if (d.type === 'array' && d.element && typeof k === 'number') s = d.element;
    else return undefined;
  }
  return s;
}

function unknownKeyProblem(path: readonly PropertyKey[], key: string, known: readonly string[]): ConfigProblem {
  const hint = closestKey(key, known);
  const message = hint
    ? `unknown option (did you mean ${JSON.stringify(hint)}?)`
    : known.length
      ? `unknown option (known options: ${known.join(', ')})`
      : 'unknown option (this object takes no options)';
  return { path: formatPath([...path, key]), message };
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  bigint: 'a bigint',
  object: 'an object',
  array: 'an array',
  date: 'a date',
  null: 'null',
  undefined: 'nothing',
  symbol: 'a symbol',
  function: 'a function',
  map: 'a map',
  set: 'a set',
};

interface RawIssue {
  code?: string;
  input?: unknown;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: readonly unknown[];
  format?: string;
  pattern?: string;
  divisor?: number | bigint;
  message?: string;
}

function bound(iss: RawIssue, min: boolean): string {
  const n = min ? iss.minimum : iss.maximum;
  const op = min ? (iss.inclusive ? '>=' : '>') : iss.inclusive ? '<=' : '<';
  const unit = iss.origin === 'string' ? ' characters' : iss.origin === 'array' || iss.origin === 'set' ? ' items' : '';
  if (unit) return `${min ? 'at least' : 'at most'} ${String(n)}${unit}`;
  return `${iss.origin === 'int' ? 'an integer' : 'a number'} ${op} ${String(n)}`;
}

/**
 * pfwork's phrasing for zod's standard issues, passed as the parse-level
 * error map so a schema's own custom messages still win.
 */
export function renderIssue(iss: RawIssue): string | undefined {
  const got = `got ${describeValue(iss.input)}`;
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${ARTICLE[iss.expected ?? ''] ?? iss.expected}, ${got}`;
    case 'too_small':
      return `expected ${bound(iss, true)}, ${iss.origin === 'array' || iss.origin === 'set' ? `got ${(iss.input as unknown[] | undefined)?.length ?? 0}` : got}`;
    case 'too_big':
      return `expected ${bound(iss, false)}, ${iss.origin === 'array' || iss.origin === 'set' ? `got ${(iss.input as unknown[] | undefined)?.length ?? 0}` : got}`;
    case 'invalid_value': {
      const vals = (iss.values ?? []).map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
      return vals.length === 1 ? `expected ${vals[0]}, ${got}` : `expected one of ${vals.slice(0, -1).join(', ')} or ${vals[vals.length - 1]}, ${got}`;
    }
    case 'invalid_format':
      return iss.format === 'regex' ? `expected a string matching ${iss.pattern}, ${got}` : `expected a valid ${iss.format}, ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(iss.divisor)}, ${got}`;
    case 'invalid_union':
      return `matches none of the allowed forms, ${got}`;
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid element';
    default:
      return undefined;
  }
}

/** Converts a failed parse's issues into problems (unknown keys one by one, with a suggestion). */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], root: AnySchema, prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const iss of issues) {
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeys(schemaAt(root, iss.path) ?? root);
      for (const key of iss.keys) out.push(unknownKeyProblem([...prefix, ...iss.path], key, known));
    } else {
      out.push({ path: formatPath([...prefix, ...iss.path]), message: iss.message });
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Keys that a non-strict object schema would silently strip (zod's default).
 * Handler authors write z.object(); their users' typos must still be reported.
 */
export function strippedKeys(schema: AnySchema, value: unknown, prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  walk(schema, value, [...prefix], out, 0);
  return out;
}

function walk(schema: AnySchema, value: unknown, path: PropertyKey[], out: ConfigProblem[], depth: number): void {
  if (depth > 32) return;
  const s = unwrapSchema(schema);
  const d = defOf(s);
  if (d.type === 'object' && d.shape && isPlainObject(value)) {
    const known = Object.keys(d.shape);
    for (const key of Object.keys(value)) {
      const field = d.shape[key];
      if (field) walk(field, value[key], [...path, key], out, depth + 1);
      else if (d.catchall === undefined) out.push(unknownKeyProblem(path, key, known));
    }
  } else if (d.type === 'array' && d.element && Array.isArray(value)) {
    value.forEach((v, i) => walk(d.element!, v, [...path, i], out, depth + 1));
  }
}
