/** The baseline rows: Baseline A (C + libpcap) and Baseline B (node_pcap), and node_pcap's raw delivery. */
import { nativeHas } from '../lib/native-probe.js';
import { ensureNodePcap } from '../lib/node-pcap.js';
import { PROGRAMS_DIR, REPO_ROOT } from '../lib/paths.js';
import { runProgram } from '../lib/spawn.js';
import path from 'node:path';
import type { Row } from './types.js';

export const baselineA: Row = {
  id: 'a',
  title: 'Baseline A: C, libpcap + locate + hash + flow table',
  section: 'file',
  skipReason: () => undefined,
  runOnce: (env) => runProgram('Baseline A', env.bins.baseline_a!, [env.capture.path]),
};

/**
 * Two Baseline A processes at once, each reading the whole file: what this
 * machine's two cores give for this work when nothing is shared but the
 * hardware (page cache, memory, last-level cache, the hypervisor's scheduling).
 * Its "vs A" is the ceiling the 2-worker target (1.6x) is measured under:
 * two independent C readers reached 1.5x-2.1x of one on the development VM.
 */
export const baselineA2: Row = {
  id: 'a-2',
  title: 'Baseline A, 2 processes at once (context: 2-core scaling)',
  section: 'file',
  skipReason: () => undefined,
  runOnce: async (env) => {
    const once = () => baselineA.runOnce(env);
    const [x, y] = await Promise.all([once(), once()]);
    if (x.flows !== y.flows) throw new Error(`the two Baseline A processes counted ${x.flows} and ${y.flows} flows`);
    return {
      packets: x.packets + y.packets,
      copies: 2,
      // Each times itself from opening the file to its last packet; they start together.
      seconds: Math.max(x.seconds, y.seconds),
      cpuSeconds: (x.cpuSeconds ?? 0) + (y.cpuSeconds ?? 0),
      flows: x.flows,
      rssKb: [...(x.rssKb ?? []), ...(y.rssKb ?? [])],
    };
  },
};

function nodePcapRow(id: string, title: string, raw: boolean): Row {
  return {
    id,
    title,
    section: 'file',
    skipReason: () => undefined,
    runOnce: async (env) => {
      ensureNodePcap(env.log);
      const script = path.join(PROGRAMS_DIR, 'node-pcap-count.ts');
      return runProgram(title, process.execPath, ['--import', 'tsx', script, env.capture.path, ...(raw ? ['--raw'] : [])], {
        cwd: REPO_ROOT,
      });
    },
  };
}

export const baselineB = nodePcapRow('b', 'Baseline B: node_pcap, decode + count per 5-tuple', false);
export const baselineBRaw = nodePcapRow('b-raw', 'node_pcap raw delivery, no decode (context)', true);

/** pfwork's native path alone (Ring + FlowTable in one process): context for the worker rows. */
export const nativePath: Row = {
  id: 'native',
  title: 'pfwork native path alone: Ring batches + FlowTable, 1 process (context)',
  section: 'file',
  skipReason: () => (nativeHas('Ring') && nativeHas('FlowTable') ? undefined : '@pfwork/native lacks Ring or FlowTable (branches ring/flows not merged)'),
  runOnce: (env) =>
    runProgram('the native path', process.execPath, ['--import', 'tsx', path.join(PROGRAMS_DIR, 'native-path.ts'), env.capture.path], { cwd: REPO_ROOT }),
};

/**
 * pfwork's native path in 2 processes, each reading its cluster slot through
 * the cluster index built meanwhile (programs/native-path-slots.ts): the
 * 2-worker rows without the worker runtime. Against the one-process native
 * path it shows what the index design itself gives on this machine's two cores.
 */
export const nativePathSlots: Row = {
  id: 'native-2',
  title: 'pfwork native path, 2 processes through the cluster index (context)',
  section: 'file',
  skipReason: (env) => nativePath.skipReason(env),
  runOnce: (env) =>
    runProgram('the native path in 2 slots', process.execPath, ['--import', 'tsx', path.join(PROGRAMS_DIR, 'native-path-slots.ts'), env.capture.path, '--slots', '2'], {
      cwd: REPO_ROOT,
    }),
};
