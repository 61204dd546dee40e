/**
 * Configuration problems and the error that carries them. Every way options
 * reach pfwork (CLI flags, `--config FILE.json`, the library API) ends in the
 * same list of problems, one per field, so users see every mistake at once.
 */

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** Dotted path of the field (`workers.count`, `handler.config.top`); '' for the whole input. */
  readonly path: string;
  /** What is wrong and what was expected, without the path (`expected a positive integer or "auto", got 0`). */
  readonly message: string;
}

/**
 * Thrown by {@link resolveOptions} (and returned inside handler-config
 * results) when the configuration is invalid. `problems` lists every problem;
 * `message` holds them one per line. The CLI exits 78 (EX_CONFIG) on it.
 */
export class ConfigError extends Error {
  readonly code = 'PFW_CONFIG' as const;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], source?: string) {
    const n = problems.length;
    const where = source ? ` in ${source}` : '';
    super(`invalid configuration${where} (${n} problem${n === 1 ? '' : 's'}):\n${formatConfigProblems(problems, '  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** True for a ConfigError, also one made by another copy of this module. */
export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'PFW_CONFIG');
}

/** `path: message`, or the message alone for a root problem. */
export function formatConfigProblem(p: ConfigProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/**
 * The CLI's rendering: one line per problem, each prefixed by `indent`.
 *
 * @example
 *   formatConfigProblems(err.problems)
 *   // workers.count: expected a positive integer or "auto", got 0
 *   // capture.snaplenn: unknown option (did you mean "snaplen"?)
 */
export function formatConfigProblems(problems: readonly ConfigProblem[], indent = ''): string {
  return problems.map((p) => indent + formatConfigProblem(p)).join('\n');
}

/** Joins a zod-style path into the dotted form users type (`a.b[2].c`). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out;
}

/**
 * How a received value is shown in a message: strings quoted, numbers as
 * written, and a word for the rest ("nothing" for a missing value).
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  return 'an object';
}
