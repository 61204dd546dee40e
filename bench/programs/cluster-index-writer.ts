/**
 * The cluster index's writer alone (docs/ring.md, "Cluster index"): what the
 * supervisor's indexing thread costs per record of a file, the W in the
 * 2-worker bound of docs/bench.md ("What bounds the targets"). Indexes FILE
 * for N slots (per-flow-5-tuple), none of them read (detached: the writer
 * does not wait for readers), and waits until the index is complete; the
 * process does nothing else meanwhile, so its CPU time is the writer's.
 *
 * Usage: node --import tsx bench/programs/cluster-index-writer.ts FILE [--slots N]
 * Prints one report line (lib/report.ts): packets = records indexed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClusterIndex } from '@pfwork/native';
import { programArgs } from '../lib/program-args.js';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

const { file, values } = programArgs('usage: cluster-index-writer FILE [--slots N]   (N >= 2)', { slots: { type: 'string', default: '2' } }, (v) =>
  Number.isInteger(Number(v.slots)) && Number(v.slots) >= 2,
);
const slots = Number(values.slots);
const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count: slots, snaplen: 262144, start: false });
// No readers: the writer must not wait for room in their rings (it writes on, lap after lap).
for (let s = 0; s < slots; s++) index.detach(s);
const cpu0 = cpuSeconds();
const t0 = performance.now();
index.start();
let status = index.status();
// Polling costs a few microseconds every 2 ms: nothing against the writer's seconds.
while (!status.done) {
  await sleep(2);
  status = index.status();
}
const seconds = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
index.close();
printReport({ packets: status.records, seconds, cpuSeconds: cpu, rssKb: [maxRssKb()], indexBytes: status.bytes });
