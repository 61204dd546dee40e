/**
 * Context row: pfwork's native path alone, in one process without workers,
 * supervisor or IPC: Ring.open({ file, flows }) and nextBatch() to the end,
 * the flow table fed in C++ while each batch is built. The gap between this
 * row and "pfwork 1 worker, flows only" is what the worker runtime costs.
 * Also measures the flow table's memory per tracked flow (stats().memoryBytes
 * at the peak of active flows).
 *
 * Usage: node --import tsx bench/programs/native-path.ts FILE
 */
import { Ring } from '@pfwork/native';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: native-path FILE');
  process.exit(2);
}
const cpu0 = cpuSeconds();
const t0 = performance.now();
const ring = Ring.open({ file, flows: true });
let packets = 0;
let flows = 0;
let batches = 0;
let peakActive = 0;
let memoryAtPeak = 0;
for (;;) {
  const b = await ring.nextBatch();
  if (b === null) break;
  packets += b.count;
  flows += b.flows?.count ?? 0;
  // stats() is one native call: sample it every 64 batches (16k packets)
  if ((batches++ & 63) === 0) {
    const st = ring.flowTable!.stats();
    if (st.active > peakActive) {
      peakActive = st.active;
      memoryAtPeak = st.memoryBytes;
    }
  }
}
const seconds = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
ring.close();
printReport({
  packets,
  seconds,
  cpuSeconds: cpu,
  flows,
  rssKb: [maxRssKb()],
  bytesPerFlow: peakActive ? memoryAtPeak / peakActive : undefined,
  peakActiveFlows: peakActive,
});
