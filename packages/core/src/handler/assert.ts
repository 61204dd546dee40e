/**
 * assertHandler(): what the loader runs on a handler module's default
 * export, so a wrong export is reported before any capture starts, naming
 * the file and every problem.
 */
import { closestKey } from '../config/suggest.js';
import { describeValue, formatConfigProblems, type ConfigProblem } from '../config/problems.js';
import { HANDLER_BRAND, type AnyHandler } from './define.js';

/** Thrown when a module's default export is not a usable handler. */
export class HandlerError extends Error {
  readonly code = 'PFW_HANDLER_INVALID' as const;
  /** The module (path or URL) the handler came from. */
  readonly source: string;
  readonly problems: readonly ConfigProblem[];

  constructor(source: string, headline: string, problems: readonly ConfigProblem[] = []) {
    super(problems.length ? `${source}: ${headline}:\n${formatConfigProblems(problems, '  ')}` : `${source}: ${headline}`);
    this.name = 'HandlerError';
    this.source = source;
    this.problems = problems;
  }
}

const HOOKS = ['setup', 'packet', 'flow', 'report', 'merge', 'close'] as const;
/** Hooks whose result is used at once: an async function there is a mistake. */
const SYNC_HOOKS = new Set(['packet', 'flow', 'report', 'merge']);
const KEYS = ['name', 'config', 'offload', ...HOOKS];

const HOW = "export default defineHandler({ name: '...', packet(pkt, ctx) { ... } }) with defineHandler from '@pfwork/core'";

function isAsyncFunction(f: unknown): boolean {
  return typeof f === 'function' && f.constructor?.name === 'AsyncFunction';
}

function isZod4Schema(v: unknown): boolean {
  return typeof v === 'object' && v !== null && '_zod' in v && typeof (v as { safeParse?: unknown }).safeParse === 'function';
}

function isZod3Schema(v: unknown): boolean {
  return typeof v === 'object' && v !== null && '_def' in v && !('_zod' in v) && typeof (v as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * Checks that `value` (a module's default export) is a handler.
 *
 * @param source the module's path or URL, named in the message.
 * @throws {HandlerError} code PFW_HANDLER_INVALID, e.g.
 *   `handlers/x.ts: the default export is not a valid handler:\n  packet: expected a function, got "yes"`
 * @example
 *   const mod = await import(url);
 *   assertHandler(mod.default, file);
 */
export function assertHandler(value: unknown, source: string): asserts value is AnyHandler {
  if (value === undefined) throw new HandlerError(source, `has no default export: ${HOW}`);
  if (typeof value === 'function') {
    throw new HandlerError(source, `the default export is a function, not a handler: ${HOW}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HandlerError(source, `the default export is not a handler (got ${describeValue(value)}): ${HOW}`);
  }
  const h = value as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  if (typeof h.name !== 'string' || h.name.trim() === '') {
    problems.push({ path: 'name', message: `expected a non-empty string, got ${describeValue(h.name)}` });
  }
  for (const hook of HOOKS) {
    const f = h[hook];
    if (f === undefined) continue;
    if (typeof f !== 'function') problems.push({ path: hook, message: `expected a function, got ${describeValue(f)}` });
    else if (SYNC_HOOKS.has(hook) && isAsyncFunction(f)) {
      problems.push({ path: hook, message: 'must be synchronous (an async function returns a promise nobody awaits): hand slow work to ctx.offload' });
    }
  }
  if (h.merge !== undefined && h.report === undefined) {
    problems.push({ path: 'merge', message: "needs report(): merge combines what each worker's report() returns" });
  }
  if (h.config !== undefined) {
    if (isZod3Schema(h.config)) problems.push({ path: 'config', message: 'is a zod 3 schema: pfwork needs zod 4 (install zod@4 and import { z } from "zod")' });
    else if (!isZod4Schema(h.config)) problems.push({ path: 'config', message: `expected a zod schema such as z.object({ ... }), got ${describeValue(h.config)}` });
  }
  if (h.offload !== undefined && typeof h.offload !== 'string' && !(h.offload instanceof URL)) {
    problems.push({ path: 'offload', message: `expected a module path or a file URL, got ${describeValue(h.offload)}` });
  } else if (typeof h.offload === 'string' && h.offload === '') {
    problems.push({ path: 'offload', message: 'expected a module path or a file URL, got ""' });
  }
  for (const key of Object.keys(h)) {
    if (KEYS.includes(key)) continue;
    const hint = closestKey(key, KEYS);
    problems.push({ path: key, message: hint ? `unknown key (did you mean ${JSON.stringify(hint)}?)` : `unknown key (a handler has: ${KEYS.join(', ')})` });
  }
  if (problems.length) throw new HandlerError(source, 'the default export is not a valid handler', problems);
  if ((h as { [HANDLER_BRAND]?: unknown })[HANDLER_BRAND] !== true) {
    // A plain object of the right shape works the same; brand it so later checks are cheap.
    Object.defineProperty(h, HANDLER_BRAND, { value: true, enumerable: false });
  }
}

/** True when the value passes assertHandler (without throwing). */
export function isHandler(value: unknown): value is AnyHandler {
  try {
    assertHandler(value, '');
    return true;
  } catch {
    return false;
  }
}
