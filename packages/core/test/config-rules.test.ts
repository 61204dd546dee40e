/**
 * Cross-field rules: each one's message word for word, that they are all
 * reported together, and that a rule is skipped when its own fields are wrong
 * (one mistake, one message).
 */
import { describe, expect, it } from 'vitest';
import { checkOptions, PFRING_CLUSTER_MAX, resolveOptions, TPACKET_V3_OVERHEAD, type Options } from '../src/index.js';

function lines(input: unknown, env: { pageSize?: number; cpuCount?: number } = {}): string[] {
  const r = checkOptions(input as Options, { cpuCount: 4, ...env });
  return r.ok ? [] : r.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
}

const LIVE = { interface: 'eth0' };
const READ = { read: 'in.pcap' };

const RULES: [string, unknown, string[]][] = [
  ['neither interface nor read', {}, ['capture: give exactly one of capture.interface (live capture, --interface) or capture.read (a capture file, --read); neither was given']],
  ['both interface and read', { capture: { interface: 'eth0', read: 'a.pcap' } }, ['capture: capture.interface ("eth0") and capture.read ("a.pcap") cannot both be given: choose one']],
  ['pcap backend on an interface', { capture: { ...LIVE, backend: 'pcap' } }, ['capture.backend: "pcap" reads capture files; to capture from capture.interface ("eth0") use "auto", "afpacket" or "pfring"']],
  ['afpacket backend on a file', { capture: { ...READ, backend: 'afpacket' } }, ['capture.backend: "afpacket" captures from an interface; to read capture.read ("in.pcap") use "auto" or "pcap"']],
  ['pfring backend on a file', { capture: { ...READ, backend: 'pfring' } }, ['capture.backend: "pfring" captures from an interface; to read capture.read ("in.pcap") use "auto" or "pcap"']],
  ['blockSize not a multiple of the page size', { capture: { ...LIVE, blockSize: 5000, snaplen: 1000 } }, ['capture.blockSize: must be a multiple of the page size (4096), got 5000']],
  ['blockSize a power of two below the page size', { capture: { ...LIVE, blockSize: 2048, snaplen: 1000 } }, ['capture.blockSize: must be a multiple of the page size (4096), got 2048']],
  ['blockSize not a power of two', { capture: { ...LIVE, blockSize: 12288, snaplen: 1000 } }, ['capture.blockSize: must be a power of two, got 12288']],
  [
    'ring larger than the kernel allows',
    { capture: { ...LIVE, blockSize: 2 ** 30, blockCount: 4 } },
    ['capture.blockCount: capture.blockSize (1073741824) x capture.blockCount (4) = 4294967296 bytes is more than the kernel allows for one ring (4294967295 bytes)'],
  ],
  [
    'snaplen larger than a block holds',
    { capture: { ...LIVE, blockSize: 65536 } },
    ['capture.snaplen: a ring block of capture.blockSize (65536) bytes holds at most 65406 bytes of packet, got 262144: raise capture.blockSize or lower capture.snaplen'],
  ],
  ['direction on a file', { capture: { ...READ, direction: 'rx' } }, ['capture.direction: "rx" applies to live capture; packets read from a file (capture.read) have no direction: leave it "both"']],
  [
    'more workers than a PF_RING cluster holds',
    { capture: { ...LIVE, backend: 'pfring' }, workers: { count: 65 } },
    ['workers.count: a PF_RING cluster holds at most 64 sockets (CLUSTER_LEN), got 65 with capture.backend "pfring"'],
  ],
  [
    'round-robin with flow records',
    { capture: LIVE, cluster: { type: 'round-robin' }, output: { flows: true }, workers: { count: 3 } },
    ['cluster.type: "round-robin" spreads each flow over all 3 workers, so flow records (output.flows) would be split: use a per-flow type such as "per-flow"'],
  ],
  [
    'max restart delay below the first delay',
    { capture: READ, supervision: { restartDelayMs: 500, maxRestartDelayMs: 100 } },
    ['supervision.maxRestartDelayMs: must be at least supervision.restartDelayMs (500), got 100'],
  ],
  ['handler config without a handler', { capture: READ, handler: { config: { top: 3 } } }, ['handler.config: is given but handler.path is not: name the handler module (handler.path, --handler)']],
  ['output over the input file', { capture: READ, output: { path: 'in.pcap' } }, ['output.path: is the capture file being read (capture.read "in.pcap"): choose another file']],
];

describe('cross-field rules', () => {
  it.each(RULES)('%s', (_what, input, expected) => {
    expect(lines(input)).toEqual(expected);
  });
});

describe('what the rules allow', () => {
  it.each<[string, unknown]>([
    ['a file with the default (auto) backend', { capture: READ }],
    ['a file with the pcap backend', { capture: { ...READ, backend: 'pcap' } }],
    ['an interface with pfring and 64 workers', { capture: { ...LIVE, backend: 'pfring' }, workers: { count: PFRING_CLUSTER_MAX } }],
    ['an interface with direction rx', { capture: { ...LIVE, direction: 'rx' } }],
    ['round-robin without flow records', { capture: LIVE, cluster: { type: 'round-robin' }, workers: { count: 4 } }],
    ['round-robin with flow records and one worker', { capture: LIVE, cluster: { type: 'round-robin' }, output: { flows: true }, workers: { count: 1 } }],
    ['the smallest block that holds a snaplen', { capture: { ...LIVE, blockSize: 4096, snaplen: 4096 - TPACKET_V3_OVERHEAD } }],
    ['a large snaplen with pfring (no tpacket blocks)', { capture: { ...LIVE, backend: 'pfring', blockSize: 4096 } }],
    ['a large snaplen when reading a file', { capture: { ...READ, blockSize: 4096 } }],
    ['the largest ring', { capture: { ...LIVE, blockSize: 2 ** 30, blockCount: 3 } }],
    ['equal first and max restart delays', { capture: READ, supervision: { restartDelayMs: 200, maxRestartDelayMs: 200 } }],
    ['output to stdout while reading "-"', { capture: { read: '-' }, output: { path: '-' } }],
  ])('%s', (_what, input) => {
    expect(lines(input)).toEqual([]);
  });

  it('checks blocks against the given page size (64 KiB pages on some arm64 kernels)', () => {
    expect(lines({ capture: { ...LIVE, blockSize: 32768, snaplen: 1000 } }, { pageSize: 65536 })).toEqual([
      'capture.blockSize: must be a multiple of the page size (65536), got 32768',
    ]);
  });

  it('"auto" workers counts as the CPU count for the PF_RING limit', () => {
    expect(lines({ capture: { ...LIVE, backend: 'pfring' } }, { cpuCount: 80 })).toEqual([
      'workers.count: a PF_RING cluster holds at most 64 sockets (CLUSTER_LEN), got 80 with capture.backend "pfring"',
    ]);
  });
});

describe('rules and fields together', () => {
  it('reports field problems and rule problems in one list', () => {
    expect(lines({ capture: { snaplen: 0 }, workers: { count: 0 }, supervision: { restartDelayMs: 500, maxRestartDelayMs: 100 } })).toEqual([
      'capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got 0',
      'capture: give exactly one of capture.interface (live capture, --interface) or capture.read (a capture file, --read); neither was given',
      'workers.count: expected a positive integer or "auto", got 0',
      'supervision.maxRestartDelayMs: must be at least supervision.restartDelayMs (500), got 100',
    ]);
  });

  it('skips a rule whose field already has a problem (no second message about the same mistake)', () => {
    // blockSize fails its own check: the snaplen-fits-a-block rule does not run on it.
    expect(lines({ capture: { ...LIVE, blockSize: 'big' } })).toEqual([
      'capture.blockSize: expected an integer from 1 to 1073741824 (bytes per ring block), got "big"',
    ]);
    // 5000 is not a page multiple; that it also cannot hold the snaplen is not said twice.
    expect(lines({ capture: { ...LIVE, blockSize: 5000 } })).toEqual(['capture.blockSize: must be a multiple of the page size (4096), got 5000']);
    // A wrong backend name: no backend/source rule on top of it.
    expect(lines({ capture: { ...LIVE, backend: 'pcapng' } })).toEqual(['capture.backend: expected one of "auto", "pfring", "afpacket" or "pcap", got "pcapng" (did you mean "pcap"?)']);
  });

  it('still checks a rule when only unrelated fields are wrong', () => {
    expect(lines({ capture: { ...READ, backend: 'afpacket', snaplen: -1 } })).toEqual([
      'capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got -1',
      'capture.backend: "afpacket" captures from an interface; to read capture.read ("in.pcap") use "auto" or "pcap"',
    ]);
  });

  it('a typo in interface still says neither was given, and offers the key', () => {
    expect(lines({ capture: { inteface: 'eth0' } })).toEqual([
      'capture.inteface: unknown option (did you mean "interface"?)',
      'capture: give exactly one of capture.interface (live capture, --interface) or capture.read (a capture file, --read); neither was given',
    ]);
  });

  it('resolves a valid live configuration completely', () => {
    const o = resolveOptions({ capture: { interface: 'veth0', backend: 'afpacket', blockSize: 1 << 22, blockCount: 8 }, cluster: { type: 'per-flow-tcp-5-tuple', id: 12 } }, { cpuCount: 2 });
    expect(o.capture.blockSize).toBe(1 << 22);
    expect(o.cluster).toEqual({ id: 12, type: 'per-flow-tcp-5-tuple' });
    expect(o.workers.count).toBe(2);
  });
});
