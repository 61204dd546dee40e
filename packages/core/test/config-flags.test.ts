/** CLI flags -> Options -> the same schema and messages as a config file. */
import { describe, expect, it } from 'vitest';
import {
  checkOptions,
  conceptSchemas,
  CLUSTER_TYPES,
  clusterTypeNumber,
  flagFor,
  FLAGS,
  formatConfigProblems,
  mergeOptions,
  optionsFromFlags,
  resolveOptions,
  type Options,
} from '../src/index.js';

describe('optionsFromFlags', () => {
  it('maps every DESIGN section 7 flag to its option, converting numbers', () => {
    const o = optionsFromFlags({
      workers: '3',
      interface: 'eth1',
      backend: 'afpacket',
      clusterId: '42',
      clusterType: 'per-flow-4-tuple',
      bpf: 'udp',
      snaplen: '96',
      direction: 'rx',
      samplingRate: '10',
      handler: 'h.ts',
      flows: true,
      output: 'out.ndjson',
      duration: '2.5',
      statsInterval: '0.5',
      user: 'nobody',
    });
    expect(o).toEqual({
      capture: { interface: 'eth1', backend: 'afpacket', bpf: 'udp', snaplen: 96, direction: 'rx', samplingRate: 10, durationSec: 2.5 },
      cluster: { id: 42, type: 'per-flow-4-tuple' },
      workers: { count: 3, user: 'nobody' },
      handler: { path: 'h.ts' },
      output: { flows: true, path: 'out.ndjson', statsIntervalSec: 0.5 },
    });
  });

  it('accepts kebab-case keys too, and leaves absent flags out', () => {
    expect(optionsFromFlags({ 'cluster-type': 'round-robin', read: 'f.pcap' })).toEqual({ cluster: { type: 'round-robin' }, capture: { read: 'f.pcap' } });
    expect(optionsFromFlags({})).toEqual({});
  });

  it('keeps "auto" workers and passes non-numeric text on for the schema to report', () => {
    expect(optionsFromFlags({ workers: 'auto' })).toEqual({ workers: { count: 'auto' } });
    expect(checkOptions(optionsFromFlags({ read: 'f.pcap', snaplen: 'big', workers: '0' }), { cpuCount: 2 })).toMatchObject({
      ok: false,
      problems: [
        { path: 'capture.snaplen', message: 'expected an integer from 1 to 262144 (bytes kept per packet), got "big"' },
        { path: 'workers.count', message: 'expected a positive integer or "auto", got 0' },
      ],
    });
  });

  it('every flag names a field the schema knows', () => {
    for (const f of FLAGS) {
      const [concept, key] = f.path.split('.') as [keyof typeof conceptSchemas, string];
      expect(Object.keys(conceptSchemas[concept].unwrap().shape), f.path).toContain(key);
    }
    expect(flagFor('workers.count')).toBe('--workers');
    expect(flagFor('capture.samplingRate')).toBe('--sampling-rate');
    expect(flagFor('flows.maxFlows')).toBeUndefined();
  });
});

describe('mergeOptions: config file, then flags', () => {
  it('lets a flag override the file field by field and keeps the rest', () => {
    const file: Options = { capture: { interface: 'eth0', snaplen: 128 }, workers: { count: 4 }, handler: { path: 'h.ts', config: { top: 5, by: 'bytes' } } };
    const flags = optionsFromFlags({ workers: '2', bpf: 'tcp' });
    expect(mergeOptions(file, flags)).toEqual({
      capture: { interface: 'eth0', snaplen: 128, bpf: 'tcp' },
      workers: { count: 2 },
      handler: { path: 'h.ts', config: { top: 5, by: 'bytes' } },
    });
    expect(mergeOptions(undefined, { handler: { config: { top: 9 } } }, { handler: { config: { by: 'pkts' } } })).toEqual({ handler: { config: { top: 9, by: 'pkts' } } });
  });

  it('a typo in the file is still reported after merging', () => {
    const r = checkOptions(mergeOptions({ capture: { read: 'a.pcap', snapln: 64 } } as Options, optionsFromFlags({ workers: '1' })), { cpuCount: 1 });
    expect(r.ok ? [] : formatConfigProblems(r.problems)).toBe('capture.snapln: unknown option (did you mean "snaplen"?)');
  });
});

describe('cluster type numbers', () => {
  it("are PF_RING's cluster_type values", () => {
    expect(CLUSTER_TYPES).toEqual({
      'per-flow': 0,
      'round-robin': 1,
      'per-flow-2-tuple': 2,
      'per-flow-4-tuple': 3,
      'per-flow-5-tuple': 4,
      'per-flow-tcp-5-tuple': 5,
    });
    expect(clusterTypeNumber('per-flow-tcp-5-tuple')).toBe(5);
    expect(resolveOptions({ capture: { read: 'x' }, cluster: { type: 'per-flow-2-tuple' } }, { cpuCount: 1 }).cluster.type).toBe('per-flow-2-tuple');
  });
});

describe('formatConfigProblems', () => {
  it('prints one line per problem, with an optional indent', () => {
    const problems = [
      { path: 'workers.count', message: 'expected a positive integer or "auto", got 0' },
      { path: '', message: 'expected an object of pfwork options, got 5' },
    ];
    expect(formatConfigProblems(problems)).toBe('workers.count: expected a positive integer or "auto", got 0\nexpected an object of pfwork options, got 5');
    expect(formatConfigProblems(problems, '  ').split('\n')).toEqual(['  workers.count: expected a positive integer or "auto", got 0', '  expected an object of pfwork options, got 5']);
  });
});
