/**
 * Which parts of @pfwork/native this checkout has: pfwork rows are wired as
 * their branches land, and a row whose part is missing is skipped with the
 * reason instead of failing the whole benchmark.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { BENCH_DIR } from './paths.js';

let exportsSeen: Record<string, unknown> | null | undefined;

/** Loads @pfwork/native once (top-level await would make every importer async). */
export async function loadNativeExports(): Promise<void> {
  if (exportsSeen !== undefined) return;
  try {
    exportsSeen = (await import('@pfwork/native')) as Record<string, unknown>;
  } catch {
    exportsSeen = null;
  }
}

/** True if @pfwork/native loaded and exports `name` (call loadNativeExports first). */
export function nativeHas(name: string): boolean {
  return !!exportsSeen && exportsSeen[name] !== undefined;
}

/** Resolves a package from bench's point of view. */
export const benchRequire = createRequire(path.join(BENCH_DIR, 'package.json'));
