/**
 * Flow records against an independent tool: for every undamaged shared
 * capture, our flows agree with tshark's per-flow table (innermost IP layer)
 * flow by flow — packets and IP bytes in each direction, originator, VLAN ids,
 * first and last packet time to the nanosecond — except the differences listed,
 * with their rule and reason, in fixtures/flows-tshark-differences.json.
 *
 * The flows come the product's way: a Ring over the file with `flows`, in
 * small batches (so flows cross batch boundaries), finished flows read from
 * every batch and the last one. tshark has no timeouts, so every time-based
 * ending is pushed out to a year: this test is about counting; timeouts and
 * TCP closes have their own hand-built tests (packages/native/test/flow-*.test.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ring, type FlowBatch } from '@pfwork/native';
import { SHARED_PCAPS_SKIP, repoRoot, sharedPcaps, sharedPcapsDir } from './support/pcaps.js';
import {
  expectAgreesWithTshark,
  ourCmpFlows,
  readDifferences,
  tsharkCmpFlows,
  type CmpFlow,
} from './support/flows-tshark.js';

const YEAR = 86400 * 365;
const NO_TIME_ENDINGS = {
  tcpIdleTimeoutSec: YEAR,
  udpIdleTimeoutSec: YEAR,
  icmpIdleTimeoutSec: YEAR,
  otherIdleTimeoutSec: YEAR,
  activeTimeoutSec: YEAR,
  tcpCloseDelaySec: YEAR,
  fragmentTimeoutSec: YEAR,
};

const rows = sharedPcaps();
// Every undamaged capture of the manifest, and the synthetic one (not in the manifest).
const SYNTHETIC = 'synthetic/scapy_known_flows.pcap';
const captures = rows
  ? [
      ...rows.filter((r) => !r.damaged && !r.unsupported).map((r) => ({ localPath: r.localPath, file: r.file })),
      { localPath: SYNTHETIC, file: path.join(sharedPcapsDir, SYNTHETIC) },
    ]
  : [];
const fixture = readDifferences(path.join(repoRoot, 'test/fixtures/flows-tshark-differences.json'));

/** Every flow record of a capture, read through a Ring with flows. */
async function ringFlows(file: string): Promise<CmpFlow[]> {
  const ring = Ring.open({ file, flows: NO_TIME_ENDINGS, maxBatch: 7 });
  const out: CmpFlow[] = [];
  const take = (b: FlowBatch | undefined) => out.push(...ourCmpFlows(b!));
  for await (const batch of ring) take(batch.flows);
  ring.close();
  expect(ring.flushFlows().count, 'flows left open after the end of input').toBe(0);
  return out;
}

describe.skipIf(!rows)('flow records agree with tshark on the shared captures', () => {
  it('every difference in the fixture names a known rule and a capture that exists', () => {
    for (const d of fixture.differences) {
      expect(fixture.rules[d.rule], `rule of ${d.capture}`).toBeTypeOf('string');
      if (d.notCounted) expect(fixture.rules[d.notCountedRule ?? d.rule], `notCounted rule of ${d.capture}`).toBeTypeOf('string');
      expect(existsSync(path.join(sharedPcapsDir, d.capture)), d.capture).toBe(true);
    }
  });

  for (const row of captures) {
    it(row.localPath, async () => {
      const ours = await ringFlows(row.file);
      const theirs = tsharkCmpFlows(row.file);
      expectAgreesWithTshark(row.localPath, ours, theirs, fixture);
    });
  }
});

describe.skipIf(rows)('flow records agree with tshark (skipped)', () => {
  it.skip(SHARED_PCAPS_SKIP, () => {});
});
