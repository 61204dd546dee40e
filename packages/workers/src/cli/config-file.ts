/**
 * `--config FILE.json`: the options file. Same shape as the library's
 * Options (one object per concept); flags given on the command line win
 * field by field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from '@pfwork/core';
import { pfwError } from '../errors.js';

/**
 * Reads and parses a config file.
 *
 * @throws PFW_CONFIG_FILE (exit 78) when it cannot be read or is not a JSON object.
 */
export function readConfigFile(file: string, cwd = process.cwd()): Options {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw pfwError('PFW_CONFIG_FILE', `cannot read config file ${abs}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw pfwError('PFW_CONFIG_FILE', `config file ${abs} is not valid JSON: ${(err as Error).message}`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw pfwError('PFW_CONFIG_FILE', `config file ${abs} must hold a JSON object of pfwork options ({ "capture": {...}, "workers": {...}, ... })`);
  }
  return value as Options;
}
