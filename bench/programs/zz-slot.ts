import { Ring } from '@pfwork/native';
const file = process.argv[2]!;
const count = Number(process.argv[3] ?? 1);
const index = Number(process.argv[4] ?? 0);
const c0 = process.cpuUsage();
const ring = Ring.open({ file, flows: process.argv[5] !== 'noflows', cluster: { id: 1, type: 4 }, clusterSlot: { index, count } } as any);
let n = 0;
for (;;) { const b = await ring.nextBatch(); if (b === null) break; n += b.count; }
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ n, msCpu: Math.round((c.user + c.system) / 1000), nsPerPkt: Math.round((c.user + c.system) * 1000 / 5e6) }));
