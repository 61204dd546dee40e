/**
 * Loads a handler module and checks it, before anything is opened: used by the
 * worker, by the supervisor (which needs the handler's `merge`) and by
 * `pfwork check`. Each way it can fail has its own code and a message that
 * names the file and says what to do.
 *
 * TypeScript handlers load without a build step because every pfwork process
 * runs with tsx's loader registered (bin/pfwork.mjs, and `--import tsx` in the
 * workers' execArgv).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertHandler, parseHandlerConfig, type AnyHandler } from '@pfwork/core';
import { pfwError } from '../errors.js';

/** Files tried, in order, when `--handler` names a directory without a package.json `main`. */
const DIRECTORY_ENTRIES = ['handler.ts', 'handler.mts', 'handler.js', 'handler.mjs', 'index.ts', 'index.mts', 'index.js', 'index.mjs'];

/**
 * The absolute path of the handler module `spec` names (resolved from `cwd`):
 * a file, or a directory holding package.json `main` or one of handler.ts,
 * handler.js, index.ts, index.js (and .mts/.mjs).
 *
 * @throws PFW_HANDLER_NOT_FOUND when nothing is there.
 */
export function resolveHandlerPath(spec: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, spec);
  if (!existsSync(abs)) {
    throw pfwError('PFW_HANDLER_NOT_FOUND', `handler module not found: ${abs} (from --handler ${spec}); check the path, it is resolved from ${cwd}`);
  }
  if (!statSync(abs).isDirectory()) return abs;
  const pkgFile = path.join(abs, 'package.json');
  if (existsSync(pkgFile)) {
    const main = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && existsSync(path.join(abs, main))) return path.join(abs, main);
  }
  for (const name of DIRECTORY_ENTRIES) {
    if (existsSync(path.join(abs, name))) return path.join(abs, name);
  }
  throw pfwError(
    'PFW_HANDLER_NOT_FOUND',
    `handler directory ${abs} has no handler module: expected package.json "main" or one of ${DIRECTORY_ENTRIES.join(', ')}`,
  );
}

/**
 * import(), and for a TypeScript module in a process started without tsx (a
 * library user's `node app.js`), registers tsx's loader and imports it again
 * under a fresh URL (a failed import stays failed in the module map).
 */
async function importTypeScriptToo(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { register } = await import('tsx/esm/api');
    register();
    return (await import(`${url}?pfwork-tsx`)) as Record<string, unknown>;
  }
}

export interface LoadedHandler {
  /** Absolute path of the module. */
  path: string;
  handler: AnyHandler;
}

/**
 * Imports the module at `file` (absolute, see resolveHandlerPath) and checks that
 * its default export is a handler made with defineHandler.
 *
 * @throws PFW_HANDLER_LOAD when the module fails to import (syntax error, missing
 *   import, an exception at top level); core's HandlerError (PFW_HANDLER_INVALID)
 *   when it has no default export or the default is not a handler.
 */
export async function importHandler(file: string): Promise<LoadedHandler> {
  let mod: Record<string, unknown>;
  try {
    mod = await importTypeScriptToo(pathToFileURL(file).href);
  } catch (cause) {
    throw pfwError('PFW_HANDLER_LOAD', `could not load handler module ${file}: ${(cause as Error)?.message ?? String(cause)}`, cause);
  }
  assertHandler(mod.default, file);
  return { path: file, handler: mod.default as AnyHandler };
}

/**
 * resolveHandlerPath + importHandler + the handler's own config schema over
 * `rawConfig`: everything `pfwork check` verifies.
 *
 * @throws the errors above, or core's ConfigError (code PFW_CONFIG, every problem listed)
 *   when the config fails the handler's schema.
 */
export async function loadHandler(spec: string, rawConfig: unknown, cwd?: string): Promise<LoadedHandler & { config: unknown }> {
  const loaded = await importHandler(resolveHandlerPath(spec, cwd));
  const parsed = parseHandlerConfig(loaded.handler, rawConfig ?? {});
  if (!parsed.ok) throw parsed.error;
  return { ...loaded, config: parsed.config };
}
