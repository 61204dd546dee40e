import { fork } from 'node:child_process';
import { createClusterIndex } from '@pfwork/native';
const [file, count, mode] = process.argv.slice(2);
const n = Number(count);
const t0 = Date.now();
const index = mode === 'index' ? createClusterIndex({ file: file!, clusterType: 'per-flow-5-tuple', count: n, snaplen: 262144 }) : null;
const kids = Array.from({ length: n }, (_, i) => fork('bench/tmp/child.ts', [file!, String(i), String(n), index ? '1' : '0'], {
  execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...(index ? [index.fd] : [])],
}));
await Promise.all(kids.map((k) => new Promise((r) => k.on('exit', r))));
console.log(mode, n, 'wall', (Date.now() - t0) / 1000, index ? JSON.stringify(index.status()) : '');
index?.close();
