/**
 * node_pcap (the `pcap` package) ships C++ source only. pnpm does not run its
 * install script (it is not in onlyBuiltDependencies: node-gyp would try to
 * download Node's headers, and there is no network on the build machines), so
 * the benchmark builds it here, once, against the headers Debian's nodejs puts
 * under /usr/include/node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BENCH_DIR } from './paths.js';

const require = createRequire(path.join(BENCH_DIR, 'package.json'));

/** The directory of the installed `pcap` package. */
export function nodePcapDir(): string {
  return path.dirname(require.resolve('pcap/package.json'));
}

/**
 * Builds node_pcap's addon if it is missing and returns its path. Throws with
 * the build log's tail when node-gyp fails.
 */
export function ensureNodePcap(log: (m: string) => void = () => {}): string {
  const dir = nodePcapDir();
  const addon = path.join(dir, 'build/Release/pcap_binding.node');
  if (existsSync(addon)) return addon;
  log('building node_pcap (the pcap package) with node-gyp');
  const env = { ...process.env };
  if (existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
  const gyp = require.resolve('node-gyp/bin/node-gyp.js');
  try {
    execFileSync(process.execPath, [gyp, 'rebuild', '-j', '2'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    const tail = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').slice(-30).join('\n');
    throw new Error(`building node_pcap failed in ${dir}:\n${tail}\nInstall a C++ compiler and libpcap-dev, then run npm run bench again.`);
  }
  return addon;
}
