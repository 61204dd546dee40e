/**
 * Ring.open() options (src/options.ts): defaults, backend choice, and every
 * validation rule with its message, word for word. Invalid options last.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Direction, Flag, SocketMode, resolveRingOptions, type RingOptions } from '../src/index.js';

const env = { pageSize: 4096, pfringAvailable: false };
const resolve = (o: RingOptions, e = env) => resolveRingOptions(o, e);

/** The message of the PFW_INVALID_OPTION error that `o` gets. */
function problem(o: unknown, e = env): string {
  try {
    resolveRingOptions(o as RingOptions, e);
  } catch (err) {
    expect((err as { code: string }).code).toBe('PFW_INVALID_OPTION');
    expect((err as Error).name).toBe('PfwArgumentError');
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('defaults', () => {
  it('a file', () => {
    const r = resolve({ file: 'trace.pcap' });
    expect(r).toEqual({
      backend: 'pcap', backendReason: 'auto: reading a file', source: 'file', device: path.resolve('trace.pcap'),
      snaplen: 262144, promiscuous: true, hwTimestamp: false, flags: Flag.Promisc,
      blockSize: 1048576, blockCount: 32, frameSize: 2048, retireTimeoutMs: 10, fd: -1, maxBatch: 256,
      bpf: null, direction: Direction.Both, socketMode: SocketMode.Read, samplingRate: 1, cluster: null,
      clusterSlot: { index: 0, count: 1 }, clusterQueue: -1, clusterIndexFd: -1, applicationName: 'pfwork', enabled: true, flows: null, rows: true,
      ignored: ['promiscuous'], warnings: [],
    });
  });

  it('a device: afpacket without PF_RING, pfring with it; socket mode both', () => {
    const a = resolve({ device: 'eth0' });
    expect([a.backend, a.backendReason, a.source, a.device, a.socketMode, a.ignored]).toEqual(['afpacket', 'auto: PF_RING is not loaded', 'device', 'eth0', SocketMode.Both, []]);
    const p = resolve({ device: 'eth0' }, { pageSize: 4096, pfringAvailable: true });
    expect([p.backend, p.backendReason]).toEqual(['pfring', 'auto: PF_RING is loaded']);
  });

  it('an adopted socket is afpacket, with or without its device name', () => {
    expect(resolve({ fd: 5 })).toMatchObject({ backend: 'afpacket', backendReason: 'auto: adopting an AF_PACKET socket (fd)', fd: 5, device: 'fd:5' });
    expect(resolve({ fd: 5, device: 'veth0' }, { pageSize: 4096, pfringAvailable: true })).toMatchObject({ backend: 'afpacket', device: 'veth0' });
  });

  it('names and PF_RING numbers are both accepted', () => {
    const r = resolve({ device: 'eth0', direction: 'rx', socketMode: SocketMode.Write, cluster: { id: 3, type: 'per-flow-4-tuple' } });
    expect([r.direction, r.socketMode, r.cluster]).toEqual([Direction.Rx, SocketMode.Write, { id: 3, type: 3 }]);
    expect(resolve({ device: 'eth0', direction: 2, cluster: { id: 3, type: 1 } })).toMatchObject({ direction: Direction.Tx, cluster: { id: 3, type: 1 } });
  });

  it('flags set promiscuous and hwTimestamp the PF_RING way', () => {
    expect(resolve({ device: 'eth0', flags: Flag.Promisc | Flag.HwTimestamp | Flag.LongHeader })).toMatchObject({ promiscuous: true, hwTimestamp: true, flags: Flag.Promisc | Flag.HwTimestamp | Flag.LongHeader });
    expect(resolve({ device: 'eth0', flags: Flag.Timestamp })).toMatchObject({ promiscuous: false, hwTimestamp: false, flags: Flag.Timestamp });
    expect(resolve({ device: 'eth0', flags: Flag.Promisc, promiscuous: true }).promiscuous).toBe(true);
  });

  it('says what has no effect: geometry and promiscuous on files, hwTimestamp and Reentrant as warnings', () => {
    const r = resolve({ file: 'x.pcap', blockSize: 4096, hwTimestamp: true, flags: Flag.Reentrant | Flag.HwTimestamp });
    expect(r.ignored).toEqual(['blockSize']);
    expect(r.warnings).toEqual([
      'hwTimestamp has no effect on a capture file: its timestamps are the ones the file recorded',
      "Flag.Reentrant has no effect on backend 'pcap': a Ring is used only from the JS thread",
    ]);
    expect(resolve({ device: 'eth0', blockSize: 1 << 16, snaplen: 1500 }, { pageSize: 4096, pfringAvailable: true }).ignored).toEqual(['blockSize']);
  });

  it('an empty bpf expression means no filter', () => {
    expect(resolve({ file: 'x.pcap', bpf: '  ' }).bpf).toBeNull();
  });
});

describe('AF_PACKET geometry, checked together', () => {
  it('accepts page-multiple power-of-two blocks that hold a packet', () => {
    expect(resolve({ device: 'eth0', blockSize: 1 << 16, snaplen: 9000, frameSize: 2048 }).blockSize).toBe(65536);
  });
  it('names the values that conflict', () => {
    expect(problem({ device: 'eth0', blockSize: 5000 })).toBe('invalid ring options: blockSize (5000) must be a multiple of the page size (4096)');
    expect(problem({ device: 'eth0', blockSize: 3 * 4096, snaplen: 1500 })).toBe(
      'invalid ring options: blockSize (12288) must be a power-of-two number of pages (4096 bytes each): the kernel allocates blocks that way');
    expect(problem({ device: 'eth0', blockSize: 65536 })).toBe(
      'invalid ring options: blockSize (65536) must hold one packet of snaplen (262144) plus 132 bytes of headers: raise blockSize or lower snaplen');
    expect(problem({ device: 'eth0', frameSize: 3000 })).toBe('invalid ring options: frameSize (3000) must be a multiple of 16 (TPACKET_ALIGNMENT)');
    expect(problem({ device: 'eth0', frameSize: 48, blockSize: 1 << 20 })).toBe('invalid ring options: frameSize (48) must divide blockSize (1048576)');
  });
  it('is not checked for files and pfring, which have no such ring', () => {
    expect(resolve({ file: 'x.pcap', blockSize: 5000 }).blockSize).toBe(5000);
    expect(resolve({ device: 'eth0', blockSize: 5000 }, { pageSize: 4096, pfringAvailable: true }).backend).toBe('pfring');
  });
});

describe('invalid options', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 'eth0', "options must be an object such as { file: 'trace.pcap' } or { device: 'eth0' }, got \"eth0\""],
    ['no source', {}, 'give device (an interface to capture on) or file (a pcap or pcapng file to read)'],
    ['both sources', { device: 'eth0', file: 'x.pcap' }, 'give either device ("eth0") or file ("x.pcap"), not both'],
    ['empty device', { device: '' }, 'device must be an interface name (a non-empty string), got ""'],
    ['file not a string', { file: 3 }, 'file must be a path (a non-empty string), got 3'],
    ['unknown option', { file: 'x.pcap', promisc: true }, 'unknown option "promisc"'],
    ['bad backend', { file: 'x.pcap', backend: 'dpdk' }, "backend must be 'auto', 'afpacket', 'pfring' or 'pcap', got \"dpdk\""],
    ['live backend for a file', { file: 'x.pcap', backend: 'afpacket' }, "backend 'afpacket' captures live; file (\"x.pcap\") needs backend 'pcap' or 'auto'"],
    ['pcap backend for a device', { device: 'eth0', backend: 'pcap' }, "backend 'pcap' reads files; device (\"eth0\") needs backend 'auto', 'afpacket' or 'pfring'"],
    ['fd with pfring', { fd: 3, backend: 'pfring' }, "fd (3) adopts an AF_PACKET socket; it needs backend 'afpacket' or 'auto', not 'pfring'"],
    ['fd with a file', { fd: 3, file: 'x.pcap' }, 'fd (3) adopts a live AF_PACKET socket; it cannot go with file ("x.pcap")'],
    ['negative fd', { fd: -2 }, 'fd must be a file descriptor (an integer >= 0), got -2'],
    ['snaplen 0', { file: 'x.pcap', snaplen: 0 }, 'snaplen must be an integer from 1 to 262144, got 0'],
    ['snaplen too big', { file: 'x.pcap', snaplen: 262145 }, 'snaplen must be an integer from 1 to 262144, got 262145'],
    ['blockCount 0', { device: 'eth0', blockCount: 0 }, 'blockCount must be an integer from 1 to 65536, got 0'],
    ['retireTimeoutMs', { device: 'eth0', retireTimeoutMs: 1.5 }, 'retireTimeoutMs must be an integer from 0 to 60000 (milliseconds), got 1.5'],
    ['maxBatch', { file: 'x.pcap', maxBatch: 0 }, 'maxBatch must be an integer from 1 to 65536, got 0'],
    ['samplingRate', { file: 'x.pcap', samplingRate: 0 }, 'samplingRate must be an integer >= 1 (1 keeps every packet, n keeps 1 of every n), got 0'],
    ['promiscuous not boolean', { device: 'eth0', promiscuous: 'yes' }, 'promiscuous must be true or false, got "yes"'],
    ['flags unknown bits', { device: 'eth0', flags: 1 << 9 }, 'flags (0x200) has bits pfwork does not know (0x200); use Flag.Reentrant, Flag.LongHeader, Flag.Promisc, Flag.Timestamp, Flag.HwTimestamp'],
    ['flags contradict', { device: 'eth0', flags: Flag.Promisc, promiscuous: false }, 'promiscuous (false) contradicts flags (0x8), which sets Flag.Promisc'],
    ['flags contradict hw', { device: 'eth0', flags: 0, hwTimestamp: true }, 'hwTimestamp (true) contradicts flags (0x0), which does not set Flag.HwTimestamp'],
    ['direction', { device: 'eth0', direction: 'in' }, "direction must be 'rx', 'tx' or 'both' (or Direction.Rx, .Tx, .Both), got \"in\""],
    ['socketMode', { device: 'eth0', socketMode: 'rw' }, "socketMode must be 'read', 'write' or 'both' (or SocketMode.Read, .Write, .Both), got \"rw\""],
    ['socketMode write on a file', { file: 'x.pcap', socketMode: 'write' }, "socketMode ('write') must be 'read' for a file (\"x.pcap\"): a file cannot send"],
    ['bpf not a string', { file: 'x.pcap', bpf: 1 }, 'bpf must be a filter expression (a string), got 1'],
    ['applicationName', { file: 'x.pcap', applicationName: 2 }, 'applicationName must be a string, got 2'],
    ['cluster not an object', { file: 'x.pcap', cluster: 4 }, 'cluster must be { id, type }, got 4'],
    ['cluster type', { file: 'x.pcap', cluster: { id: 1, type: 'per-host' } }, 'cluster.type must be one of per-flow (0), round-robin (1), per-flow-2-tuple (2), per-flow-4-tuple (3), per-flow-5-tuple (4), per-flow-tcp-5-tuple (5), got "per-host"'],
    ['cluster id on afpacket', { device: 'eth0', cluster: { id: 70000, type: 'per-flow' } }, 'cluster.id must be an integer from 0 to 65535 on afpacket (the PACKET_FANOUT group id is 16 bits), got 70000'],
    ['cluster id', { file: 'x.pcap', cluster: { id: -1, type: 'per-flow' } }, 'cluster.id must be an integer from 0 to 4294967295, got -1'],
    ['slot index too big', { file: 'x.pcap', cluster: { id: 1, type: 0 }, clusterSlot: { index: 3, count: 3 } }, 'clusterSlot.index (3) must be below clusterSlot.count (3)'],
    ['slot count 0', { file: 'x.pcap', cluster: { id: 1, type: 0 }, clusterSlot: { index: 0, count: 0 } }, 'clusterSlot.count must be an integer >= 1, got 0'],
    ['slot index negative', { file: 'x.pcap', cluster: { id: 1, type: 0 }, clusterSlot: { index: -1, count: 2 } }, 'clusterSlot.index must be an integer >= 0, got -1'],
    ['slot without cluster', { file: 'x.pcap', clusterSlot: { index: 0, count: 2 } }, 'clusterSlot needs cluster ({ id, type }): the cluster type decides which packets are in a slot'],
    ['slot on a device', { device: 'eth0', cluster: { id: 1, type: 0 }, clusterSlot: { index: 0, count: 2 } }, "clusterSlot is for capture files; a live ring's place in its cluster is set by cluster ({ id, type }) and the kernel"],
  ];
  for (const [name, o, p] of cases) {
    it(name, () => {
      expect(problem(o)).toBe(`invalid ring options: ${p}`);
    });
  }

  it('lists every problem at once', () => {
    let err: { message: string; problems: string[] } | undefined;
    try {
      resolve({ device: 'eth0', blockSize: 5000, snaplen: 0, samplingRate: -1 });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err!.problems).toEqual([
      'snaplen must be an integer from 1 to 262144, got 0',
      'samplingRate must be an integer >= 1 (1 keeps every packet, n keeps 1 of every n), got -1',
      'blockSize (5000) must be a multiple of the page size (4096)',
    ]);
    expect(err!.message).toBe(
      'invalid ring options:\n- snaplen must be an integer from 1 to 262144, got 0\n- samplingRate must be an integer >= 1 (1 keeps every packet, n keeps 1 of every n), got -1\n- blockSize (5000) must be a multiple of the page size (4096)',
    );
  });
});
