/**
 * The whole workspace type-checks with no errors (tsc --noEmit over every
 * package, test, example and benchmark).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/pcaps.js';

describe('typescript', () => {
  it('tsc reports no errors', () => {
    const tsc = createRequire(path.join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'tsconfig.json'), '--noEmit', '--pretty', 'false'], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    expect(output).toBe('');
  }, 180_000);
});
