import { Ring } from '@pfwork/native';
const [file, slot, count, useIndex] = process.argv.slice(2);
const n = Number(count);
const ring = Ring.open({
  file: file!, flows: true, maxBatch: 4096,
  ...(n > 1 ? { cluster: { id: 1, type: 'per-flow-5-tuple' as const }, clusterSlot: { index: Number(slot), count: n } } : {}),
  ...(useIndex === '1' ? { clusterIndexFd: 4 } : {}),
});
let pkts = 0, flows = 0;
const t0 = process.hrtime.bigint();
for await (const b of ring) { pkts += b.count; flows += b.flows!.count; }
const sec = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage();
console.log(JSON.stringify({ slot, pkts, flows, sec, cpu: (cpu.user + cpu.system) / 1e6 }));
ring.close();
