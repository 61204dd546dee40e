/**
 * The CLI flags of `pfwork start` (DESIGN section 7) and the option each one
 * sets. The CLI turns its parsed flags into Options with optionsFromFlags(),
 * lays them over the config file with mergeOptions() and resolves the result,
 * so a flag and a config-file key are checked by the same schema and reported
 * with the same message.
 */
import type { Options } from './options.js';

export interface FlagSpec {
  /** The flag as typed, without dashes. */
  readonly flag: string;
  /** The option it sets. */
  readonly path: string;
  /** number: numeric text becomes a number (other text is left for the schema to report). */
  readonly kind: 'string' | 'number' | 'boolean' | 'count';
}

export const FLAGS: readonly FlagSpec[] = [
  { flag: 'interface', path: 'capture.interface', kind: 'string' },
  { flag: 'read', path: 'capture.read', kind: 'string' },
  { flag: 'backend', path: 'capture.backend', kind: 'string' },
  { flag: 'bpf', path: 'capture.bpf', kind: 'string' },
  { flag: 'snaplen', path: 'capture.snaplen', kind: 'number' },
  { flag: 'direction', path: 'capture.direction', kind: 'string' },
  { flag: 'sampling-rate', path: 'capture.samplingRate', kind: 'number' },
  { flag: 'duration', path: 'capture.durationSec', kind: 'number' },
  { flag: 'cluster-id', path: 'cluster.id', kind: 'number' },
  { flag: 'cluster-type', path: 'cluster.type', kind: 'string' },
  { flag: 'workers', path: 'workers.count', kind: 'count' },
  { flag: 'user', path: 'workers.user', kind: 'string' },
  { flag: 'handler', path: 'handler.path', kind: 'string' },
  { flag: 'flows', path: 'output.flows', kind: 'boolean' },
  { flag: 'output', path: 'output.path', kind: 'string' },
  { flag: 'stats-interval', path: 'output.statsIntervalSec', kind: 'number' },
];

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function convert(kind: FlagSpec['kind'], v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (kind === 'number' && NUMERIC.test(v.trim())) return Number(v);
  if (kind === 'count' && v !== 'auto' && NUMERIC.test(v.trim())) return Number(v);
  return v;
}

/**
 * Builds Options from parsed CLI flags (commander's camelCase keys or the
 * kebab-case flag names). Absent flags are left out, so they do not override
 * the config file. Numeric text becomes a number; anything else is passed on
 * unchanged for resolveOptions() to report (`--snaplen big` ->
 * `capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got "big"`).
 *
 * @example optionsFromFlags({ workers: '4', interface: 'eth0' })
 *   // { workers: { count: 4 }, capture: { interface: 'eth0' } }
 */
export function optionsFromFlags(flags: Readonly<Record<string, unknown>>): Options {
  const out: Record<string, Record<string, unknown>> = {};
  for (const spec of FLAGS) {
    const v = flags[camel(spec.flag)] ?? flags[spec.flag];
    if (v === undefined) continue;
    const [concept, key] = spec.path.split('.') as [string, string];
    (out[concept] ??= {})[key] = convert(spec.kind, v);
  }
  return out as Options;
}

/** The flag that sets an option path (`workers.count` -> `--workers`), if any. */
export function flagFor(path: string): string | undefined {
  const spec = FLAGS.find((f) => f.path === path);
  return spec ? `--${spec.flag}` : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Lays option layers over each other, later layers winning field by field
 * (objects merge; handler.config merges key by key too). Values are not
 * checked here: resolve the result.
 *
 * @example mergeOptions(fileOptions, optionsFromFlags(flags))
 */
export function mergeOptions(...layers: readonly (Options | undefined)[]): Options {
  let out: unknown = {};
  for (const layer of layers) if (layer !== undefined) out = mergeValue(out, layer);
  return out as Options;
}

function mergeValue(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeValue(base[k], v);
  return out;
}
