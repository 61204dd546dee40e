/**
 * parseHandlerConfig(): the handler's own schema applied to `handler.config`,
 * with problems in the same form as pfwork's options (ConfigError, one line
 * per field, paths under `handler.config`).
 */
import type { z } from 'zod';
import { issuesToProblems, renderIssue, strippedKeys } from '../config/issues.js';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import type { ConfigOf, HandlerDefinition } from './define.js';

export type HandlerConfigResult<C> = { ok: true; config: C } | { ok: false; problems: ConfigProblem[]; error: ConfigError };

export interface ParseHandlerConfigOptions {
  /** Where the config sits in the options, prefixed to every path. Default: ['handler', 'config']. */
  path?: readonly PropertyKey[];
}

/**
 * Applies a handler's config schema to raw input. Keys the schema does not
 * know are problems even when the schema is a plain (stripping) z.object:
 * a typo is never silently ignored. A handler without a schema takes no
 * options: any key is a problem.
 *
 * @example
 *   const r = parseHandlerConfig(handler, { top: 0 });
 *   // r.ok === false; r.problems[0] =
 *   //   { path: 'handler.config.top', message: 'expected a number > 0, got 0' }
 * @throws nothing: every failure is in the result (also a schema that throws or is async).
 */
export function parseHandlerConfig<S extends z.ZodType | undefined>(
  handler: Pick<HandlerDefinition<S, unknown, unknown>, 'name' | 'config'>,
  raw: unknown,
  opts: ParseHandlerConfigOptions = {},
): HandlerConfigResult<ConfigOf<S>> {
  const prefix = opts.path ?? ['handler', 'config'];
  const pathText = prefix.map(String).join('.');
  const source = `handler ${JSON.stringify(handler.name)}`;
  const fail = (problems: ConfigProblem[]) => ({ ok: false as const, problems, error: new ConfigError(problems, source) });
  const schema = handler.config as z.ZodType | undefined;
  if (!schema) {
    if (raw === undefined || raw === null) return { ok: true, config: {} as ConfigOf<S> };
    if (typeof raw !== 'object' || Array.isArray(raw)) return fail([{ path: pathText, message: `this handler takes no options, got ${Array.isArray(raw) ? 'an array' : typeof raw}` }]);
    const keys = Object.keys(raw);
    if (keys.length === 0) return { ok: true, config: {} as ConfigOf<S> };
    return fail(keys.map((k) => ({ path: `${pathText}.${k}`, message: 'unknown option (this handler takes no options)' })));
  }
  let parsed: z.ZodSafeParseResult<unknown>;
  try {
    parsed = schema.safeParse(raw ?? {}, { error: renderIssue });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail([{ path: pathText, message: `the handler's config schema threw (${why}); it must be synchronous and must not throw` }]);
  }
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, schema, prefix);
  problems.push(...strippedKeys(schema, raw ?? {}, prefix));
  if (problems.length) return fail(problems);
  return { ok: true, config: (parsed as { data: unknown }).data as ConfigOf<S> };
}
