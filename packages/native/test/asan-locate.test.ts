import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

it('locate, cluster_hash and the frag cache are clean under AddressSanitizer/UBSan on every cut and mutation', (ctx) => {
  const r = spawnSync('bash', [path.join(root, 'scripts/asan-locate.sh')], { encoding: 'utf8', timeout: 180_000 });
  if (r.status === 77) {
    ctx.skip(`the C++ compiler cannot build with -fsanitize=address,undefined here: ${r.stderr.trim()}`);
    return;
  }
  expect(r.stderr + r.stdout, 'scripts/asan-locate.sh output').toMatch(/locate_sweep: \d+ frames, \d+ cuts and mutations checked/);
  expect(r.status, r.stderr).toBe(0);
}, 200_000);
