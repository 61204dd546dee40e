/**
 * Context rows of the live section: pfwork's native path alone on a live
 * interface, in one process without workers, supervisor or IPC, measured like
 * the C TPACKET_V3 reader (bench/c/tpacket_reader.c) on the same injected
 * traffic: Ring.open({ device, flows }) with the worker's default batch size
 * (capture.batchSize, from @pfwork/core's schema), read until --idle-ms pass
 * without a packet once some have arrived.
 *   (default)    Ring + FlowTable, no descriptor rows (`rows: false`): what a
 *                flows-only worker does natively
 *   --no-flows   the Ring alone: fetch, locate, cluster hash, descriptor rows
 * The first against the C reader is what pfwork's flow table costs per live
 * packet beyond the C reader's (docs/bench.md, "What bounds the targets"); the
 * second, the capture path without it.
 *
 * CPU is counted from the moment the ring is open (as the worker rows' probe
 * does), so Node's start-up is not in it; the C reader's start-up is a few
 * system calls.
 *
 * Usage: node --import tsx bench/programs/live-native-path.ts --device IF [--no-flows] [--idle-ms MS]
 * Prints {"ready":true} once the ring is open, then one report line (lib/report.ts).
 */
import { parseArgs } from 'node:util';
import { captureSchema } from '@pfwork/core';
import { Ring, isPfwError } from '@pfwork/native';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string' },
    'no-flows': { type: 'boolean', default: false },
    'idle-ms': { type: 'string', default: '1000' },
  },
});
const idleMs = Number(values['idle-ms']);
if (!values.device || !(idleMs > 0)) {
  console.error('usage: live-native-path --device IF [--no-flows] [--idle-ms MS]');
  process.exit(2);
}
const flowsOn = !values['no-flows'];

// What a worker with default settings asks for (a batch is also at most one ring block).
const { batchSize } = captureSchema.parse({});
const ring = await Ring.open({ device: values.device, flows: flowsOn, rows: !flowsOn, maxBatch: batchSize });
const cpu0 = cpuSeconds();
let packets = 0;
let first = 0;
let last = 0;
let ended = false;
// nextBatch() waits for packets; the end (idle once traffic came) disables the
// ring, which ends that wait.
const idle = setInterval(() => {
  if (packets > 0 && performance.now() - last > idleMs) {
    ended = true;
    ring.disable();
  }
}, 20);
process.stdout.write('{"ready":true}\n');
for (;;) {
  let batch;
  try {
    batch = await ring.nextBatch();
  } catch (err) {
    if (ended && isPfwError(err, 'PFW_RING_NOT_ENABLED')) break;
    throw err;
  }
  if (batch === null) break;
  if (batch.count === 0) continue;
  packets += batch.count;
  last = performance.now();
  if (!first) first = last;
}
clearInterval(idle);
const cpu = cpuSeconds() - cpu0;
const dropped = ring.stats().dropped;
const flows = ring.flowTable?.stats().created;
ring.close();
printReport({ packets, drops: dropped, seconds: (last - first) / 1000, cpuSeconds: cpu, rssKb: [maxRssKb()], ...(flows !== undefined ? { flows } : {}) });
