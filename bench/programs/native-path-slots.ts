/**
 * Context row: pfwork's native path in N processes, each reading its cluster
 * slot of FILE through the cluster index this process builds meanwhile, as
 * `pfwork start --read FILE --workers N` does (the supervisor's index writer
 * thread, docs/ring.md "Cluster index"), without the worker runtime: no
 * handler, IPC or flow records. Set beside the one-process native path
 * (native-path.ts) it is the 2-worker target's bound for this design on this
 * machine: what the index writer and two processes sharing two cores cost.
 *
 * Each child opens its ring (`flows: true, rows: false`, as a flows-only
 * worker) and waits; then the index starts and all read at once. Reported:
 * packets of all slots, wall seconds from the index's start to the last
 * slot's end, CPU seconds of the readers and of this process (the writer
 * thread; it does nothing else meanwhile), the writer's alone as
 * writerCpuSeconds.
 *
 * Usage: node --import tsx bench/programs/native-path-slots.ts FILE [--slots N]   (N >= 2)
 */
import { fork } from 'node:child_process';
import { createClusterIndex, Ring } from '@pfwork/native';
import { programArgs } from '../lib/program-args.js';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

interface SlotResult {
  packets: number;
  flows: number;
  cpuSeconds: number;
  /** performance.timeOrigin + performance.now() at the slot's last packet. */
  end: number;
  rssKb: number;
}

const CHILD = 'PFW_BENCH_SLOT';
const now = () => performance.timeOrigin + performance.now();

async function readSlot(file: string, slot: number, count: number): Promise<void> {
  const ring = Ring.open({
    file,
    flows: true,
    rows: false,
    cluster: { id: 1, type: 'per-flow-5-tuple' },
    clusterSlot: { index: slot, count },
    clusterIndexFd: 3,
  });
  process.send!('ready');
  await new Promise((resolve) => process.once('message', resolve));
  const cpu0 = cpuSeconds();
  let packets = 0;
  let flows = 0;
  for (;;) {
    const b = await ring.nextBatch();
    if (b === null) break;
    packets += b.count;
    flows += b.flows?.count ?? 0;
  }
  const result: SlotResult = { packets, flows, cpuSeconds: cpuSeconds() - cpu0, end: now(), rssKb: maxRssKb() };
  ring.close();
  process.send!(result, () => process.exit(0));
}

async function main(): Promise<void> {
  const { file, values } = programArgs('usage: native-path-slots FILE [--slots N]   (N >= 2)', { slots: { type: 'string', default: '2' } }, (v) =>
    Number.isInteger(Number(v.slots)) && Number(v.slots) >= 2,
  );
  const count = Number(values.slots);
  const index = createClusterIndex({ file, clusterType: 'per-flow-5-tuple', count, start: false });
  const children = Array.from({ length: count }, (_, i) =>
    fork(process.argv[1]!, [file], {
      execArgv: process.execArgv,
      env: { ...process.env, [CHILD]: `${i}/${count}` },
      // the index's descriptor is the child's fd 3 (clusterIndexFd above)
      stdio: ['ignore', 'inherit', 'inherit', index.fd, 'ipc'],
    }),
  );
  const failed = new Promise<never>((_, reject) => {
    for (const c of children) c.on('exit', (code) => code !== 0 && reject(new Error(`a slot reader exited with ${code}`)));
  });
  const message = <T>(c: (typeof children)[number]) => Promise.race([new Promise<T>((resolve) => c.once('message', (m) => resolve(m as T))), failed]);
  await Promise.all(children.map((c) => message<string>(c)));
  const cpu0 = cpuSeconds();
  const t0 = now();
  index.start();
  const results = await Promise.all(
    children.map((c) => {
      const done = message<SlotResult>(c);
      c.send('go');
      return done;
    }),
  );
  const writerCpu = cpuSeconds() - cpu0;
  const status = index.status();
  index.close();
  const packets = results.reduce((n, r) => n + r.packets, 0);
  if (packets !== status.records) throw new Error(`the slots read ${packets} packets of the ${status.records} indexed`);
  printReport({
    packets,
    seconds: (Math.max(...results.map((r) => r.end)) - t0) / 1000,
    cpuSeconds: results.reduce((n, r) => n + r.cpuSeconds, 0) + writerCpu,
    writerCpuSeconds: writerCpu,
    flows: results.reduce((n, r) => n + r.flows, 0),
    rssKb: results.map((r) => r.rssKb),
  });
}

const slot = process.env[CHILD];
if (slot) {
  const [i, n] = slot.split('/').map(Number);
  await readSlot(process.argv[2]!, i!, n!);
} else {
  await main();
}
