/** A one-paragraph description of the machine, printed under the table and in docs/bench.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memGiB: number;
  kernel: string;
  os: string;
  node: string;
  cc: string;
  libpcap: string;
  loadAvg: number[];
}

export function machineInfo(): MachineInfo {
  let osName = os.type();
  try {
    osName = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    // not Linux-like
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    os: osName,
    node: process.version,
    cc: tryRun(process.env.CC || 'cc', ['--version']).split('\n')[0] ?? '',
    libpcap: tryRun('sh', ['-c', "dpkg-query -W -f='${Version}' libpcap0.8-dev 2>/dev/null || dpkg-query -W -f='${Version}' libpcap-dev"]),
    loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function describeMachine(m: MachineInfo): string {
  return (
    `${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB; ${m.os}, Linux ${m.kernel}; Node ${m.node}; ${m.cc}; libpcap ${m.libpcap}; ` +
    `load average at start ${m.loadAvg.join(' ')}`
  );
}
