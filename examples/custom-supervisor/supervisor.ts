/**
 * A supervisor of your own, built on runWorker() and pfwork's IPC protocol
 * instead of the Supervisor class: here, a minimal batch job that reads one
 * capture file with N workers, counts records per worker and prints the
 * handler's merged report. No restarts, no signals: everything else is yours
 * to decide.
 *
 * Usage: node --import tsx examples/custom-supervisor/supervisor.ts FILE.pcap [WORKERS] [HANDLER]
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveOptions } from '@pfwork/core';
import {
  PROTOCOL_VERSION,
  importHandler,
  isWorkerMessage,
  resolveHandlerPath,
  tsxExecArgv,
  type StartMessage,
  type WorkerCounters,
} from '@pfwork/workers';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node --import tsx examples/custom-supervisor/supervisor.ts FILE.pcap [WORKERS] [HANDLER]\n');
  process.exit(2);
}
const count = Number(process.argv[3] ?? 2);
const handlerPath = resolveHandlerPath(process.argv[4] ?? path.join(here, '../top-talkers'));
// the same defaults and checks as `pfwork start`
const o = resolveOptions({ capture: { read: file }, workers: { count } });
const { handler } = await importHandler(handlerPath);

const parts: unknown[] = new Array(count);
const finals: WorkerCounters[] = new Array(count);
let records = 0;

await Promise.all(
  Array.from({ length: count }, (_, index) => {
    const child = fork(path.join(here, 'worker.ts'), [], { execArgv: tsxExecArgv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const start: StartMessage = {
      type: 'start',
      protocol: PROTOCOL_VERSION,
      worker: { index, count },
      handlerPath,
      handlerConfig: {},
      ring: { file: o.capture.read, snaplen: o.capture.snaplen, maxBatch: o.capture.batchSize, cluster: { id: o.cluster.id, type: o.cluster.type } },
      flows: false,
      flowTable: {},
      statsIntervalMs: 1000,
      stopOnError: false,
      resumeAfter: 0,
      recordBatch: { maxLines: 1024, maxBytes: 256 * 1024 },
      recordWindow: 8,
      offload: { threads: 1, maxQueue: 1024 },
    };
    child.send(start);
    return new Promise<void>((resolve, reject) => {
      child.on('message', (m) => {
        if (!isWorkerMessage(m)) return;
        if (m.type === 'records') {
          records += m.count;
          process.stdout.write(m.lines);
          child.send({ type: 'ack', count: 1 });
        } else if (m.type === 'report') {
          parts[index] = m.part;
        } else if (m.type === 'stats' && m.final) {
          finals[index] = m.counters;
        } else if (m.type === 'error' && m.fatal) {
          reject(new Error(`worker ${index}: ${m.message}`));
        }
      });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${index} exited with ${code}`))));
    });
  }),
);

const report = handler.merge ? handler.merge(parts.filter((p) => p !== undefined)) : parts;
process.stdout.write(JSON.stringify({ type: 'report', handler: handler.name, report }) + '\n');
for (const [worker, c] of finals.entries()) process.stderr.write(`worker ${worker}: ${c.received} packets, ${c.bytes} bytes, ${c.handlerErrors} handler errors\n`);
process.stderr.write(`${records} records\n`);
