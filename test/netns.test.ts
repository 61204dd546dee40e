/**
 * The live tests' and the bench's veth pairs (test/support/netns.ts): a
 * namespace left behind by a process that died without cleaning up (SIGKILL,
 * a timeout) is removed by the next createVethPair(); one whose process is
 * alive is left alone. Needs root, as every live test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createVethPair, isRoot, NEEDS_ROOT, removeStaleNamespaces } from './support/netns.js';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]);
const links = () => execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });

describe.skipIf(!isRoot())(`stale veth pairs${isRoot() ? '' : ` (${NEEDS_ROOT})`}`, () => {
  test('a pair whose process was killed is removed by the next createVethPair(); a live process keeps its own', () => {
    const died = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/netns-die.ts')], { encoding: 'utf8' });
    expect(died.signal).toBe('SIGKILL');
    const stale = JSON.parse(died.stdout) as { ns: string; captureIf: string };
    expect(namespaces()).toContain(stale.ns);
    expect(links()).toContain(`${stale.captureIf}@`);

    const mine = createVethPair('sweep');
    try {
      expect(namespaces()).not.toContain(stale.ns);
      expect(links()).not.toContain(`${stale.captureIf}@`); // deleting the namespace took the pair with it
      expect(removeStaleNamespaces()).not.toContain(mine.ns); // this process is alive
      expect(namespaces()).toContain(mine.ns);
    } finally {
      mine.cleanup();
    }
  });
});
