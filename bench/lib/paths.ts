/** Where the benchmark's parts live, from this file's location (works from any cwd). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');
export const BIN_DIR = path.join(BENCH_DIR, 'bin');
export const C_DIR = path.join(BENCH_DIR, 'c');
export const PROGRAMS_DIR = path.join(BENCH_DIR, 'programs');
