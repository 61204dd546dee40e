/**
 * resolveOptions(): the one door every option goes through (CLI flags after
 * flags.ts, a config file, the library API). Field rules, unknown keys and
 * cross-field rules are all checked, and all problems reported together.
 */
import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import { issuesToProblems, renderIssue, unwrapSchema } from './issues.js';
import { conceptSchemas, optionsSchema, type Options, type ResolvedOptions } from './options.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import { checkRules, DEFAULT_PAGE_SIZE } from './rules.js';

export interface ResolveEnv {
  /** Named in the error message (`invalid configuration in pfwork.json`). */
  source?: string;
  /** What workers.count "auto" becomes. Default: os.availableParallelism(). */
  cpuCount?: number;
  /** The page size ring blocks are checked against. Default: 4096. */
  pageSize?: number;
}

export type CheckResult = { ok: true; options: ResolvedOptions } | { ok: false; problems: ConfigProblem[]; error: ConfigError };

/**
 * Checks options without throwing.
 *
 * @example
 *   const r = checkOptions({ workers: { count: 0 } });
 *   if (!r.ok) console.error(formatConfigProblems(r.problems));
 */
export function checkOptions(input: Options, env: ResolveEnv = {}): CheckResult {
  const parsed = optionsSchema.safeParse(input, { error: renderIssue });
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, optionsSchema);
  const cpuCount = env.cpuCount ?? availableParallelism();
  const failedPaths = problems.map((p) => p.path);
  const failed = (path: string) => failedPaths.some((p) => p === '' || p === path || path.startsWith(p + '.') || p.startsWith(path + '.'));
  const draft = parsed.success ? (parsed.data as unknown as ResolvedOptions) : bestEffort(input);
  const resolved = withWorkerCount(draft, cpuCount);
  problems.push(...checkRules(resolved, { pageSize: env.pageSize ?? DEFAULT_PAGE_SIZE }, failed));
  if (problems.length) {
    const sorted = sortProblems(problems);
    return { ok: false, problems: sorted, error: new ConfigError(sorted, env.source) };
  }
  return { ok: true, options: resolved };
}

/**
 * Validates options and applies defaults.
 *
 * @returns the options with every default filled in and workers.count a number.
 * @throws {ConfigError} code PFW_CONFIG, listing every problem (`problems`), one per field.
 * @example
 *   resolveOptions({ capture: { read: 'trace.pcap' }, workers: { count: 2 } }).capture.snaplen // 262144
 */
export function resolveOptions(input: Options, env: ResolveEnv = {}): ResolvedOptions {
  const r = checkOptions(input, env);
  if (!r.ok) throw r.error;
  return r.options;
}

const CONCEPT_ORDER = Object.keys(conceptSchemas);

/** Problems in the order of the concepts (root problems first), stable within a concept. */
function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const rank = (p: ConfigProblem) => {
    const i = CONCEPT_ORDER.indexOf(p.path.split(/[.[]/)[0]!);
    return i < 0 ? -1 : i;
  };
  return problems.map((p, i) => ({ p, i, r: rank(p) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.p);
}

function withWorkerCount(o: ResolvedOptions, cpuCount: number): ResolvedOptions {
  const count = (o.workers.count as number | 'auto') === 'auto' ? cpuCount : o.workers.count;
  return { ...o, workers: { ...o.workers, count } };
}

/**
 * Every field that parses on its own, and the default for every field that
 * does not: what cross-field rules see when some fields are wrong (rules on
 * the wrong fields are skipped).
 */
function bestEffort(input: unknown): ResolvedOptions {
  const root = isObject(input) ? input : {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, concept] of Object.entries(conceptSchemas)) {
    const raw = root[name];
    const fields = isObject(raw) ? raw : {};
    const shape = (unwrapSchema(concept) as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
    const values: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const own = field.safeParse(fields[key]);
      const value = own.success ? own.data : field.safeParse(undefined).data;
      if (value !== undefined) values[key] = value;
    }
    out[name] = values;
  }
  return out as unknown as ResolvedOptions;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
