import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

it('the flow table, fragment cache and tunnel walk are clean under AddressSanitizer/UBSan on every cut and mutation', (ctx) => {
  const r = spawnSync('bash', [path.join(root, 'scripts/asan-flows.sh')], { encoding: 'utf8', timeout: 240_000 });
  if (r.status === 77) {
    ctx.skip(`the C++ compiler cannot build with -fsanitize=address,undefined here: ${r.stderr.trim()}`);
    return;
  }
  expect(r.stderr + r.stdout, 'scripts/asan-flows.sh output').toMatch(/flow_sweep: \d+ frames, \d+ cuts and mutations checked, \d+ flows/);
  expect(r.status, r.stderr).toBe(0);
}, 260_000);
