/**
 * Field rules of every concept schema: one row per rule, the message asserted
 * word for word (it is API: the CLI prints it and users search for it).
 */
import { describe, expect, it } from 'vitest';
import { checkOptions, ConfigError, resolveOptions, type Options } from '../src/index.js';

const READ = { read: 'in.pcap' };

/** The problems of an input as the CLI prints them. */
function lines(input: unknown): string[] {
  const r = checkOptions(input as Options, { cpuCount: 4 });
  return r.ok ? [] : r.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
}

describe('defaults', () => {
  it('fills every field of every concept', () => {
    expect(resolveOptions({ capture: READ }, { cpuCount: 4 })).toEqual({
      capture: {
        read: 'in.pcap',
        backend: 'auto',
        snaplen: 262144,
        direction: 'both',
        samplingRate: 1,
        promiscuous: true,
        hwTimestamp: false,
        blockSize: 1048576,
        blockCount: 32,
        retireTimeoutMs: 10,
        batchSize: 4096,
      },
      cluster: { id: 99, type: 'per-flow' },
      workers: { count: 4 },
      supervision: { restartDelayMs: 100, restartBackoff: 1.5, maxRestartDelayMs: 15000, stableAfterMs: 30000, maxUnstableRestarts: 16, killTimeoutMs: 5000 },
      output: { path: '-', flows: false, statsIntervalSec: 1 },
      flows: { tcpIdleTimeoutSec: 300, udpIdleTimeoutSec: 60, icmpIdleTimeoutSec: 30, otherIdleTimeoutSec: 60, activeTimeoutSec: 1800, tcpCloseDelaySec: 5, fragmentTimeoutSec: 30, maxFlows: 1000000, maxFragments: 16384 },
      handler: { config: {}, stopOnError: false, offloadThreads: 1, offloadMaxQueue: 1024 },
    });
  });

  it('"auto" workers is one per CPU; a number stays', () => {
    expect(resolveOptions({ capture: READ, workers: { count: 'auto' } }, { cpuCount: 7 }).workers.count).toBe(7);
    expect(resolveOptions({ capture: READ, workers: { count: 3 } }, { cpuCount: 7 }).workers.count).toBe(3);
  });

  it('keeps given values', () => {
    const o = resolveOptions(
      { capture: { interface: 'eth0', bpf: 'tcp port 80', snaplen: 128, samplingRate: 10, durationSec: 2.5 }, cluster: { id: 7, type: 'per-flow-5-tuple' }, workers: { count: 2, user: 'nobody' } },
      { cpuCount: 4 },
    );
    expect(o.capture).toMatchObject({ interface: 'eth0', bpf: 'tcp port 80', snaplen: 128, samplingRate: 10, durationSec: 2.5 });
    expect(o.cluster).toEqual({ id: 7, type: 'per-flow-5-tuple' });
    expect(o.workers).toEqual({ count: 2, user: 'nobody' });
  });
});

// [what, input, expected lines]
const FIELD_RULES: [string, unknown, string[]][] = [
  ['options not an object', 5, ['expected an object of pfwork options, got 5']],
  ['options an array', [], ['expected an object of pfwork options, got an array']],
  ['concept not an object', { capture: 'eth0' }, ['capture: expected an object of capture options, got "eth0"']],
  ['$schema not a string', { $schema: 1, capture: READ }, ['$schema: expected a JSON schema URL, got 1']],
  ['cluster not an object', { capture: READ, cluster: 4 }, ['cluster: expected an object of cluster options, got 4']],
  // capture
  ['interface empty', { capture: { interface: '' } }, ['capture.interface: expected an interface name (1 to 15 characters, no "/", ":" or spaces), got ""']],
  ['interface too long', { capture: { interface: 'a-very-long-ifname0' } }, ['capture.interface: expected an interface name (1 to 15 characters, no "/", ":" or spaces), got "a-very-long-ifname0"']],
  ['interface with a slash', { capture: { interface: 'eth/0' } }, ['capture.interface: expected an interface name (1 to 15 characters, no "/", ":" or spaces), got "eth/0"']],
  ['interface with a space', { capture: { interface: 'eth 0' } }, ['capture.interface: expected an interface name (1 to 15 characters, no "/", ":" or spaces), got "eth 0"']],
  ['interface "."', { capture: { interface: '.' } }, ['capture.interface: expected an interface name (1 to 15 characters, no "/", ":" or spaces), got "."']],
  ['interface a number', { capture: { interface: 0 } }, ['capture.interface: expected an interface name (1 to 15 characters, no "/", ":" or spaces), got 0']],
  ['read empty', { capture: { read: '' } }, ['capture.read: expected a capture file path, got ""']],
  ['backend unknown', { capture: { ...READ, backend: 'dpdk' } }, ['capture.backend: expected one of "auto", "pfring", "afpacket" or "pcap", got "dpdk"']],
  ['backend near miss', { capture: { ...READ, backend: 'afpaket' } }, ['capture.backend: expected one of "auto", "pfring", "afpacket" or "pcap", got "afpaket" (did you mean "afpacket"?)']],
  ['snaplen 0', { capture: { ...READ, snaplen: 0 } }, ['capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got 0']],
  ['snaplen too big', { capture: { ...READ, snaplen: 262145 } }, ['capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got 262145']],
  ['snaplen fractional', { capture: { ...READ, snaplen: 1.5 } }, ['capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got 1.5']],
  ['snaplen text', { capture: { ...READ, snaplen: '96' } }, ['capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got "96"']],
  ['bpf not a string', { capture: { ...READ, bpf: 80 } }, ['capture.bpf: expected a BPF filter expression (a string), got 80']],
  ['direction unknown', { capture: { interface: 'eth0', direction: 'in' } }, ['capture.direction: expected one of "rx", "tx" or "both", got "in"']],
  ['sampling 0', { capture: { ...READ, samplingRate: 0 } }, ['capture.samplingRate: expected an integer >= 1 (1 keeps every packet, N keeps 1 in N), got 0']],
  ['sampling fractional', { capture: { ...READ, samplingRate: 0.5 } }, ['capture.samplingRate: expected an integer >= 1 (1 keeps every packet, N keeps 1 in N), got 0.5']],
  ['promiscuous not boolean', { capture: { interface: 'eth0', promiscuous: 'yes' } }, ['capture.promiscuous: expected true or false, got "yes"']],
  ['hwTimestamp not boolean', { capture: { interface: 'eth0', hwTimestamp: 1 } }, ['capture.hwTimestamp: expected true or false, got 1']],
  ['blockSize 0', { capture: { interface: 'eth0', blockSize: 0 } }, ['capture.blockSize: expected an integer from 1 to 1073741824 (bytes per ring block), got 0']],
  ['blockSize over 1 GiB', { capture: { interface: 'eth0', blockSize: 2 ** 31 } }, ['capture.blockSize: expected an integer from 1 to 1073741824 (bytes per ring block), got 2147483648']],
  ['blockCount 0', { capture: { interface: 'eth0', blockCount: 0 } }, ['capture.blockCount: expected an integer from 1 to 65536 (ring blocks), got 0']],
  ['retireTimeoutMs negative', { capture: { interface: 'eth0', retireTimeoutMs: -1 } }, ['capture.retireTimeoutMs: expected an integer from 0 to 60000 (milliseconds), got -1']],
  ['batchSize 0', { capture: { ...READ, batchSize: 0 } }, ['capture.batchSize: expected an integer from 1 to 65536 (packets per batch), got 0']],
  ['durationSec 0', { capture: { interface: 'eth0', durationSec: 0 } }, ['capture.durationSec: expected a positive number of seconds, got 0']],
  // cluster
  ['cluster id negative', { capture: READ, cluster: { id: -1 } }, ['cluster.id: expected an integer from 0 to 65535, got -1']],
  ['cluster id too big', { capture: READ, cluster: { id: 65536 } }, ['cluster.id: expected an integer from 0 to 65535, got 65536']],
  [
    'cluster type unknown',
    { capture: READ, cluster: { type: 'hash' } },
    ['cluster.type: expected one of "per-flow", "round-robin", "per-flow-2-tuple", "per-flow-4-tuple", "per-flow-5-tuple" or "per-flow-tcp-5-tuple", got "hash"'],
  ],
  [
    'cluster type near miss',
    { capture: READ, cluster: { type: 'per-flow-5tuple' } },
    ['cluster.type: expected one of "per-flow", "round-robin", "per-flow-2-tuple", "per-flow-4-tuple", "per-flow-5-tuple" or "per-flow-tcp-5-tuple", got "per-flow-5tuple" (did you mean "per-flow-5-tuple"?)'],
  ],
  // workers
  ['workers 0', { capture: READ, workers: { count: 0 } }, ['workers.count: expected a positive integer or "auto", got 0']],
  ['workers negative', { capture: READ, workers: { count: -2 } }, ['workers.count: expected a positive integer or "auto", got -2']],
  ['workers fractional', { capture: READ, workers: { count: 1.5 } }, ['workers.count: expected a positive integer or "auto", got 1.5']],
  ['workers text', { capture: READ, workers: { count: 'many' } }, ['workers.count: expected a positive integer or "auto", got "many"']],
  ['workers too many', { capture: READ, workers: { count: 257 } }, ['workers.count: expected at most 256 workers, got 257']],
  ['user empty', { capture: READ, workers: { user: '' } }, ['workers.user: expected a user name or a numeric uid, got ""']],
  ['user negative uid', { capture: READ, workers: { user: -1 } }, ['workers.user: expected a user name or a numeric uid, got -1']],
  ['user with a space', { capture: READ, workers: { user: 'no body' } }, ['workers.user: expected a user name or a numeric uid, got "no body"']],
  // supervision
  ['restartDelayMs 0', { capture: READ, supervision: { restartDelayMs: 0 } }, ['supervision.restartDelayMs: expected an integer from 1 to 3600000 (milliseconds), got 0']],
  ['restartBackoff below 1', { capture: READ, supervision: { restartBackoff: 0.5 } }, ['supervision.restartBackoff: expected a number >= 1, got 0.5']],
  ['maxRestartDelayMs 0', { capture: READ, supervision: { maxRestartDelayMs: 0 } }, ['supervision.maxRestartDelayMs: expected an integer from 1 to 3600000 (milliseconds), got 0']],
  ['stableAfterMs 0', { capture: READ, supervision: { stableAfterMs: 0 } }, ['supervision.stableAfterMs: expected an integer from 1 to 86400000 (milliseconds), got 0']],
  ['maxUnstableRestarts negative', { capture: READ, supervision: { maxUnstableRestarts: -1 } }, ['supervision.maxUnstableRestarts: expected an integer >= 0, got -1']],
  ['killTimeoutMs 0', { capture: READ, supervision: { killTimeoutMs: 0 } }, ['supervision.killTimeoutMs: expected an integer from 1 to 600000 (milliseconds), got 0']],
  // output
  ['output path empty', { capture: READ, output: { path: '' } }, ['output.path: expected "-" (stdout) or a file path, got ""']],
  ['flows not boolean', { capture: READ, output: { flows: 'yes' } }, ['output.flows: expected true or false, got "yes"']],
  ['statsIntervalSec too small', { capture: READ, output: { statsIntervalSec: 0.01 } }, ['output.statsIntervalSec: expected a number of seconds from 0.1 to 3600, got 0.01']],
  // flows
  ['tcp idle 0', { capture: READ, flows: { tcpIdleTimeoutSec: 0 } }, ['flows.tcpIdleTimeoutSec: expected an integer from 1 to 86400 (seconds), got 0']],
  ['udp idle too long', { capture: READ, flows: { udpIdleTimeoutSec: 86401 } }, ['flows.udpIdleTimeoutSec: expected an integer from 1 to 86400 (seconds), got 86401']],
  ['icmp idle fractional', { capture: READ, flows: { icmpIdleTimeoutSec: 1.5 } }, ['flows.icmpIdleTimeoutSec: expected an integer from 1 to 86400 (seconds), got 1.5']],
  ['other idle text', { capture: READ, flows: { otherIdleTimeoutSec: '60' } }, ['flows.otherIdleTimeoutSec: expected an integer from 1 to 86400 (seconds), got "60"']],
  ['active 0', { capture: READ, flows: { activeTimeoutSec: 0 } }, ['flows.activeTimeoutSec: expected an integer from 1 to 86400 (seconds), got 0']],
  ['maxFlows 0', { capture: READ, flows: { maxFlows: 0 } }, ['flows.maxFlows: expected an integer from 1 to 100000000, got 0']],
  ['tcp close delay 0', { capture: READ, flows: { tcpCloseDelaySec: 0 } }, ['flows.tcpCloseDelaySec: expected an integer from 1 to 86400 (seconds), got 0']],
  ['tcp close delay fractional', { capture: READ, flows: { tcpCloseDelaySec: 0.5 } }, ['flows.tcpCloseDelaySec: expected an integer from 1 to 86400 (seconds), got 0.5']],
  ['fragment timeout too long', { capture: READ, flows: { fragmentTimeoutSec: 86401 } }, ['flows.fragmentTimeoutSec: expected an integer from 1 to 86400 (seconds), got 86401']],
  ['fragment timeout text', { capture: READ, flows: { fragmentTimeoutSec: '30' } }, ['flows.fragmentTimeoutSec: expected an integer from 1 to 86400 (seconds), got "30"']],
  ['maxFragments 0', { capture: READ, flows: { maxFragments: 0 } }, ['flows.maxFragments: expected an integer from 1 to 10000000, got 0']],
  ['maxFragments too many', { capture: READ, flows: { maxFragments: 10_000_001 } }, ['flows.maxFragments: expected an integer from 1 to 10000000, got 10000001']],
  // handler
  ['handler path empty', { capture: READ, handler: { path: '' } }, ['handler.path: expected a module path (.js, .mjs or .ts), got ""']],
  ['handler config an array', { capture: READ, handler: { path: 'h.ts', config: [1] } }, ["handler.config: expected an object (the handler's options), got an array"]],
  ['stopOnError not boolean', { capture: READ, handler: { stopOnError: 'no' } }, ['handler.stopOnError: expected true or false, got "no"']],
  ['offloadThreads 0', { capture: READ, handler: { offloadThreads: 0 } }, ['handler.offloadThreads: expected an integer from 1 to 64, got 0']],
  ['offloadMaxQueue 0', { capture: READ, handler: { offloadMaxQueue: 0 } }, ['handler.offloadMaxQueue: expected an integer from 1 to 1000000, got 0']],
];

describe('field rules', () => {
  it.each(FIELD_RULES)('%s', (_what, input, expected) => {
    expect(lines(input)).toEqual(expected);
  });
});

describe('unknown keys are errors, with the closest known key', () => {
  it.each([
    ['top-level typo', { captur: READ, capture: READ }, ['captur: unknown option (did you mean "capture"?)']],
    ['field typo', { capture: { ...READ, snaplenn: 96 } }, ['capture.snaplenn: unknown option (did you mean "snaplen"?)']],
    ['kebab-case for camelCase', { capture: { ...READ, 'sampling-rate': 2 } }, ['capture.sampling-rate: unknown option (did you mean "samplingRate"?)']],
    ['transposed letters', { capture: READ, workers: { cuont: 2 } }, ['workers.cuont: unknown option (did you mean "count"?)']],
    ['nothing close', { capture: READ, cluster: { colour: 'blue' } }, ['cluster.colour: unknown option (known options: id, type)']],
    [
      'two at once',
      { capture: { ...READ, bfp: 'tcp', snapln: 1 } },
      ['capture.bfp: unknown option (did you mean "bpf"?)', 'capture.snapln: unknown option (did you mean "snaplen"?)'],
    ],
  ])('%s', (_what, input, expected) => {
    expect(lines(input)).toEqual(expected);
  });
});

describe('every problem is listed at once', () => {
  it('fields across concepts, in concept order', () => {
    expect(lines({ handler: { path: '' }, workers: { count: 0 }, capture: { read: 'x', snaplen: 0, bogus: 1 }, cluster: { type: 'rr' } })).toEqual([
      'capture.snaplen: expected an integer from 1 to 262144 (bytes kept per packet), got 0',
      'capture.bogus: unknown option (known options: interface, read, backend, snaplen, bpf, direction, samplingRate, promiscuous, hwTimestamp, blockSize, blockCount, retireTimeoutMs, batchSize, durationSec)',
      'cluster.type: expected one of "per-flow", "round-robin", "per-flow-2-tuple", "per-flow-4-tuple", "per-flow-5-tuple" or "per-flow-tcp-5-tuple", got "rr"',
      'workers.count: expected a positive integer or "auto", got 0',
      'handler.path: expected a module path (.js, .mjs or .ts), got ""',
    ]);
  });

  it('resolveOptions throws a ConfigError (PFW_CONFIG) whose message lists them one per line', () => {
    let err: unknown;
    try {
      resolveOptions({ capture: { read: 'x' }, workers: { count: 0 }, output: { flows: 1 } } as unknown as Options, { source: 'pfwork.json' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.code).toBe('PFW_CONFIG');
    expect(ce.message).toBe(
      'invalid configuration in pfwork.json (2 problems):\n' +
        '  workers.count: expected a positive integer or "auto", got 0\n' +
        '  output.flows: expected true or false, got 1',
    );
    expect(ce.problems).toEqual([
      { path: 'workers.count', message: 'expected a positive integer or "auto", got 0' },
      { path: 'output.flows', message: 'expected true or false, got 1' },
    ]);
  });
});
