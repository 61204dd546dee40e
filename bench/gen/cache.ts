/**
 * The benchmark capture is generated once per (packets, flows, seed, generator
 * version) and kept under bench/.cache/. A summary JSON beside it, written
 * last, marks the capture complete: an interrupted run leaves no half file
 * that a later run would trust.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture, type CaptureSummary, type GenerateOptions } from './generate.js';

/** Bump when the generator's output changes for the same options. */
export const GENERATOR_VERSION = 2;

export const CACHE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.cache');

export interface CachedCapture {
  path: string;
  summary: CaptureSummary;
  /** True when this call generated it. */
  generated: boolean;
}

/** Where the capture for these options lives. */
export function capturePath(opts: GenerateOptions, dir = CACHE_DIR): string {
  return path.join(dir, `bench-v${GENERATOR_VERSION}-p${opts.packets}-f${opts.flows}-s${opts.seed}.pcap`);
}

/** Returns the cached capture for these options, generating it first if needed. */
export function ensureCapture(opts: GenerateOptions, dir = CACHE_DIR, log: (msg: string) => void = () => {}): CachedCapture {
  const file = capturePath(opts, dir);
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta)) {
    const summary = JSON.parse(readFileSync(meta, 'utf8')) as CaptureSummary;
    if (statSync(file).size === summary.bytes) return { path: file, summary, generated: false };
  }
  mkdirSync(dir, { recursive: true });
  rmSync(meta, { force: true });
  log(`generating ${opts.packets} packets over ${opts.flows} flows (seed ${opts.seed}) into ${path.relative(process.cwd(), file)}`);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const summary = generateCapture(tmp, opts);
    renameSync(tmp, file);
    writeFileSync(meta, JSON.stringify(summary, null, 2) + '\n');
    log(`generated ${(summary.bytes / 1e6).toFixed(0)} MB in ${summary.seconds.toFixed(1)} s`);
    return { path: file, summary, generated: true };
  } finally {
    rmSync(tmp, { force: true });
  }
}
