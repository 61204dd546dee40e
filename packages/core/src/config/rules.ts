/**
 * Cross-field rules: what no single field can say on its own. They run on
 * the fields that passed their own checks (a rule whose fields failed is
 * skipped, so one mistake is reported once), all together, before anything
 * is opened.
 */
import type { ConfigProblem } from './problems.js';
import type { ResolvedOptions } from './options.js';

/** The page size the ring geometry is checked against (x86-64 and most arm64 kernels). */
export const DEFAULT_PAGE_SIZE = 4096;

/**
 * Bytes of a TPACKET_V3 block that are not packet: the block descriptor
 * (48, aligned) plus, per frame, tp_mac: TPACKET_ALIGN(TPACKET3_HDRLEN + 16) - 14
 * = 82 for Ethernet (net/packet/af_packet.c, tpacket_rcv). A packet longer than
 * blockSize minus this is cut short by the kernel.
 */
export const TPACKET_V3_OVERHEAD = 48 + 82;

/** PF_RING's CLUSTER_LEN: the most sockets one kernel cluster holds. */
export const PFRING_CLUSTER_MAX = 64;

/** The kernel rejects rings whose size overflows 32 bits (packet_set_ring). */
export const MAX_RING_BYTES = 0xffffffff;

export interface RuleEnv {
  readonly pageSize: number;
}

export interface Rule {
  /** The fields the rule reads; it is skipped when any of them has its own problem. */
  readonly fields: readonly string[];
  readonly check: (o: ResolvedOptions, env: RuleEnv) => ConfigProblem | undefined;
}

const q = JSON.stringify;

function problem(path: string, message: string): ConfigProblem {
  return { path, message };
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

export const rules: readonly Rule[] = [
  {
    fields: ['capture.interface', 'capture.read'],
    check: ({ capture: c }) => {
      if (c.interface === undefined && c.read === undefined) {
        return problem('capture', 'give exactly one of capture.interface (live capture, --interface) or capture.read (a capture file, --read); neither was given');
      }
      if (c.interface !== undefined && c.read !== undefined) {
        return problem('capture', `capture.interface (${q(c.interface)}) and capture.read (${q(c.read)}) cannot both be given: choose one`);
      }
      return undefined;
    },
  },
  {
    fields: ['capture.backend', 'capture.interface', 'capture.read'],
    check: ({ capture: c }) => {
      if (c.backend === 'pcap' && c.interface !== undefined) {
        return problem('capture.backend', `"pcap" reads capture files; to capture from capture.interface (${q(c.interface)}) use "auto", "afpacket" or "pfring"`);
      }
      if ((c.backend === 'afpacket' || c.backend === 'pfring') && c.read !== undefined) {
        return problem('capture.backend', `${q(c.backend)} captures from an interface; to read capture.read (${q(c.read)}) use "auto" or "pcap"`);
      }
      return undefined;
    },
  },
  {
    fields: ['capture.blockSize'],
    check: ({ capture: c }, env) =>
      c.blockSize % env.pageSize === 0 ? undefined : problem('capture.blockSize', `must be a multiple of the page size (${env.pageSize}), got ${c.blockSize}`),
  },
  {
    fields: ['capture.blockSize'],
    check: ({ capture: c }) => (isPowerOfTwo(c.blockSize) ? undefined : problem('capture.blockSize', `must be a power of two, got ${c.blockSize}`)),
  },
  {
    fields: ['capture.blockSize', 'capture.blockCount'],
    check: ({ capture: c }) => {
      const total = c.blockSize * c.blockCount;
      return total <= MAX_RING_BYTES
        ? undefined
        : problem('capture.blockCount', `capture.blockSize (${c.blockSize}) x capture.blockCount (${c.blockCount}) = ${total} bytes is more than the kernel allows for one ring (${MAX_RING_BYTES} bytes)`);
    },
  },
  {
    fields: ['capture.snaplen', 'capture.blockSize', 'capture.backend', 'capture.read'],
    check: ({ capture: c }) => {
      if (c.read !== undefined || c.backend === 'pfring' || c.backend === 'pcap') return undefined;
      const room = c.blockSize - TPACKET_V3_OVERHEAD;
      return c.snaplen <= room
        ? undefined
        : problem('capture.snaplen', `a ring block of capture.blockSize (${c.blockSize}) bytes holds at most ${room} bytes of packet, got ${c.snaplen}: raise capture.blockSize or lower capture.snaplen`);
    },
  },
  {
    fields: ['capture.direction', 'capture.read'],
    check: ({ capture: c }) =>
      c.read !== undefined && c.direction !== 'both'
        ? problem('capture.direction', `${q(c.direction)} applies to live capture; packets read from a file (capture.read) have no direction: leave it "both"`)
        : undefined,
  },
  {
    fields: ['workers.count', 'capture.backend'],
    check: ({ workers: w, capture: c }) =>
      c.backend === 'pfring' && w.count > PFRING_CLUSTER_MAX
        ? problem('workers.count', `a PF_RING cluster holds at most ${PFRING_CLUSTER_MAX} sockets (CLUSTER_LEN), got ${w.count} with capture.backend "pfring"`)
        : undefined,
  },
  {
    fields: ['cluster.type', 'output.flows', 'workers.count'],
    check: ({ cluster, output, workers }) =>
      cluster.type === 'round-robin' && output.flows && workers.count > 1
        ? problem('cluster.type', `"round-robin" spreads each flow over all ${workers.count} workers, so flow records (output.flows) would be split: use a per-flow type such as "per-flow"`)
        : undefined,
  },
  {
    fields: ['supervision.restartDelayMs', 'supervision.maxRestartDelayMs'],
    check: ({ supervision: s }) =>
      s.maxRestartDelayMs >= s.restartDelayMs
        ? undefined
        : problem('supervision.maxRestartDelayMs', `must be at least supervision.restartDelayMs (${s.restartDelayMs}), got ${s.maxRestartDelayMs}`),
  },
  {
    fields: ['handler.path', 'handler.config'],
    check: ({ handler: h }) =>
      h.path === undefined && Object.keys(h.config).length > 0
        ? problem('handler.config', 'is given but handler.path is not: name the handler module (handler.path, --handler)')
        : undefined,
  },
  {
    fields: ['output.path', 'capture.read'],
    check: ({ output: o, capture: c }) =>
      c.read !== undefined && o.path !== '-' && o.path === c.read
        ? problem('output.path', `is the capture file being read (capture.read ${q(c.read)}): choose another file`)
        : undefined,
  },
];

/**
 * Runs every rule whose fields are all valid. `failed(path)` tells whether a
 * field has its own problem.
 */
export function checkRules(o: ResolvedOptions, env: RuleEnv, failed: (path: string) => boolean): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  // A field a rule already found wrong is not checked again by later rules
  // (a blockSize that is not a power of two says nothing useful about snaplen).
  const ruled = new Set<string>();
  for (const r of rules) {
    if (r.fields.some((f) => failed(f) || ruled.has(f))) continue;
    const p = r.check(o, env);
    if (p) {
      out.push(p);
      ruled.add(p.path);
    }
  }
  return out;
}
