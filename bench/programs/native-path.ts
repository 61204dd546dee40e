/**
 * Context row: pfwork's native path alone, in one process without workers,
 * supervisor or IPC: Ring.open({ file, flows }) and nextBatch() to the end,
 * the flow table fed in C++ while each batch is built. The gap between this
 * row and "pfwork 1 worker, flows only" is what the worker runtime costs.
 * Also measures the flow table's memory per tracked flow (stats().memoryBytes
 * at the peak of active flows).
 *
 * Usage: node --import tsx bench/programs/native-path.ts FILE [--no-flows] [--slot I/N]
 *   --no-flows  the Ring alone (read, locate, hash, batch): what every file
 *               worker pays for every packet of the file
 *   --slot I/N  keep cluster slot I of N (per-flow-5-tuple), as worker I of N
 *               does; `packets` counts the kept ones, CPU is over the file
 */
import { parseArgs } from 'node:util';
import { Ring } from '@pfwork/native';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

const USAGE = 'usage: native-path FILE [--no-flows] [--slot I/N]';
function usage(): never {
  console.error(USAGE);
  process.exit(2);
}
let parsed;
try {
  parsed = parseArgs({ options: { 'no-flows': { type: 'boolean', default: false }, slot: { type: 'string' } }, allowPositionals: true });
} catch {
  usage();
}
const [file] = parsed.positionals;
const flowsOn = !parsed.values['no-flows'];
const slot = parsed.values.slot === undefined ? null : /^(\d+)\/(\d+)$/.exec(parsed.values.slot);
if (!file || parsed.positionals.length !== 1 || (parsed.values.slot !== undefined && (!slot || Number(slot[1]) >= Number(slot[2])))) usage();
const cpu0 = cpuSeconds();
const t0 = performance.now();
const ring = Ring.open({
  file,
  flows: flowsOn,
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
