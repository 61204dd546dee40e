/**
 * Context row: pfwork's native path alone, in one process without workers,
 * supervisor or IPC: Ring.open({ file, flows }) and nextBatch() to the end,
 * the flow table fed in C++ while each batch is built. The gap between this
 * row and "pfwork 1 worker, flows only" is what the worker runtime costs.
 * Also measures the flow table's memory per tracked flow (stats().memoryBytes
 * at the peak of active flows).
 *
 * With the flow table the ring has no descriptor rows (`rows: false`), as a
 * flows-only worker opens it: nothing reads a packet's row.
 *
 * Usage: node --import tsx bench/programs/native-path.ts FILE [--no-flows] [--slot I/N]
 *   --no-flows  the Ring alone (read, locate, hash, descriptor rows): what a
 *               worker with a packet() hook pays for every packet of the file
 *   --slot I/N  keep cluster slot I of N (per-flow-5-tuple), as worker I of N
 *               does; `packets` counts the kept ones, CPU is over the file
 */
import { Ring } from '@pfwork/native';
import { programArgs } from '../lib/program-args.js';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

const SLOT = /^(\d+)\/(\d+)$/;
const { file, values } = programArgs(
  'usage: native-path FILE [--no-flows] [--slot I/N]',
  { 'no-flows': { type: 'boolean', default: false }, slot: { type: 'string' } },
  (v) => {
    if (v.slot === undefined) return true;
    const m = SLOT.exec(v.slot);
    return !!m && Number(m[1]) < Number(m[2]);
  },
);
const flowsOn = !values['no-flows'];
const slot = values.slot === undefined ? null : SLOT.exec(values.slot);
const cpu0 = cpuSeconds();
const t0 = performance.now();
const ring = Ring.open({
  file,
  flows: flowsOn,
  rows: !flowsOn,
  ...(slot ? { cluster: { id: 1, type: 'per-flow-5-tuple' as const }, clusterSlot: { index: Number(slot[1]), count: Number(slot[2]) } } : {}),
});
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
  if (flowsOn && (batches++ & 63) === 0) {
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
