/**
 * The PF_RING backend's binding, through the Ring, against the libpfring
 * STAND-IN (test/pfring/pfring-standin.c; not PF_RING: it records every call
 * and returns scripted results). What this proves: each Ring method makes the
 * right libpfring call with the right arguments, in order; zero-copy reads
 * land in a batch; waiting goes through the event loop; every scripted
 * failure becomes the right error. What it cannot prove: that real PF_RING
 * behaves as the stand-in does (see docs/pfring.md).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ring } from '../src/ring.js';
import { PacketDirection } from '../src/constants.js';
import { clusterHash } from '../src/cluster.js';
import { resolveRingOptions } from '../src/options.js';
import { chooseLiveBackend, PFRING_LIBRARY_ENV } from '../src/pfring.js';
import type { Batch } from '../src/types.js';
import { buildFrame } from './support/frames.js';
import { HAVE_GCC, STANDIN_SKIP, buildStandin, packetLine, type Standin } from './pfring/standin.js';

const DEV = 'pfw-standin0';
const EAFNOSUPPORT = 97;
const EPERM = 1;
const ENODEV = 19;
const EBUSY = 16;
const EINVAL = 22;
const EIO = 5;

// Three frames as PF_RING would hand them over: TCP v4 (received), UDP v6
// (transmitted), and a TCP frame cut at caplen 60 of 1514 on the wire.
const tcp4 = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'tcp', sport: 51000, dport: 80, flags: 'S' } });
const udp6 = buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2' }, l4: { kind: 'udp', sport: 5353, dport: 53 }, payload: new Uint8Array(20).fill(7) });
const cut = buildFrame({ ip: { src: '192.168.1.10', dst: '192.168.1.20' }, l4: { kind: 'tcp', sport: 443, dport: 40000, flags: 'A' }, payload: new Uint8Array(200) }).subarray(0, 60);
const PACKETS = [
  { sec: 1700000000, nsec: 123456789, ifindex: 7, rx: true, bytes: tcp4 },
  { sec: 1700000001, nsec: 5, ifindex: 7, rx: false, bytes: udp6 },
  { sec: 1700000002, nsec: 999999999, ifindex: 9, rx: true, bytes: cut, len: 1514 },
];
const align8 = (n: number) => (n + 7) & ~7;

const TITLE = 'PF_RING backend against the libpfring stand-in';
describe.skipIf(!HAVE_GCC)(HAVE_GCC ? TITLE : `${TITLE} (skipped: ${STANDIN_SKIP})`, () => {
  let s: Standin;
  const rings: Ring[] = [];
  const open = (opts: Parameters<typeof Ring.open>[0], script: string[] = []): Ring => {
    s.script(script);
    s.clearLog();
    const r = Ring.open(opts);
    rings.push(r);
    return r;
  };
  /** Opening must fail: returns the error (and the calls it made). */
  const openFails = (opts: Parameters<typeof Ring.open>[0], script: string[]): Error & { code: string; errno?: number; syscall?: string } => {
    s.script(script);
    s.clearLog();
    try {
      rings.push(Ring.open(opts));
    } catch (err) {
      return err as Error & { code: string };
    }
    throw new Error('Ring.open did not throw');
  };
  const names = () => s.calls().map((c) => c.call);

  beforeAll(() => {
    s = buildStandin();
    process.env[PFRING_LIBRARY_ENV] = s.lib('full');
  });
  afterAll(() => {
    for (const r of rings) r.close();
    delete process.env[PFRING_LIBRARY_ENV];
    s?.cleanup();
  });
  beforeEach(() => {
    process.env[PFRING_LIBRARY_ENV] = s.lib('full');
  });

  describe('call sequence', () => {
    it('Ring.open with every option: open, fd, watermark 1, then each setting, then enable', () => {
      const ring = open(
        {
          device: DEV,
          backend: 'pfring',
          snaplen: 1600,
          promiscuous: true,
          applicationName: 'pfw-test',
          socketMode: 'read',
          direction: 'rx',
          samplingRate: 4,
          cluster: { id: 7, type: 'per-flow-5-tuple' },
          clusterSlot: { index: 2, count: 4 },
          bpf: 'tcp or udp',
        },
        ['linktype 1'],
      );
      expect(ring.backend).toBe('pfring');
      expect(ring.backendReason).toBe("backend 'pfring' asked for");
      const calls = s.calls();
      expect(calls.map(({ call, rc, ...args }) => (call === 'pfring_get_selectable_fd' ? { call } : { call, ...args, rc }))).toEqual([
        { call: 'pfring_open', device: DEV, caplen: 1600, flags: 4 | 16 | 8, rc: 0 }, // LONG_HEADER | TIMESTAMP | PROMISC
        { call: 'pfring_get_selectable_fd' },
        { call: 'pfring_set_poll_watermark', watermark: 1, rc: 0 },
        { call: 'pfring_get_link_type', rc: 1 },
        { call: 'pfring_set_application_name', name: 'pfw-test', rc: 0 },
        { call: 'pfring_set_socket_mode', mode: 2, rc: 0 }, // recv_only_mode
        { call: 'pfring_set_direction', direction: 1, rc: 0 }, // rx_only_direction
        { call: 'pfring_set_sampling_rate', rate: 4, rc: 0 },
        { call: 'pfring_set_cluster_consumer', cluster_id: 7, queue_id: 2, type: 4, options: 0, rc: 0 },
        { call: 'pfring_set_bpf_filter', filter: 'tcp or udp', rc: 0 },
        { call: 'pfring_enable_ring', rc: 0 },
      ]);
      expect(calls[1]!.rc).toBeGreaterThan(2); // the stand-in's eventfd: a real descriptor
    });

    it('each Ring method maps to its libpfring call, in the order called: open/enable/cluster/bpf/direction/sampling/appname/recv/stats/send/close', async () => {
      const ring = open({ device: DEV, backend: 'pfring', snaplen: 2048, promiscuous: false, enabled: false }, [
        ...PACKETS.map(packetLine),
        'stats 1000 7',
      ]);
      s.clearLog();
      ring.enable();
      ring.setCluster(42, 'round-robin');
      ring.setBPFFilter('ip6 or tcp');
      ring.setDirection('both');
      ring.setSamplingRate(1);
      ring.setApplicationName('suricata-like');
      const batch = await ring.nextBatch();
      expect(batch!.count).toBe(3);
      expect(ring.stats()).toEqual({ received: 1000, dropped: 7, delivered: 3 });
      ring.writePacketData(tcp4);
      ring.setDirection('tx');
      ring.removeBPFFilter();
      ring.removeFromCluster();
      ring.disable();
      ring.close();
      ring.close(); // idempotent: one pfring_close
      const recv = { call: 'pfring_recv', buffer_len: 0, wait: 0, rc: 1 }; // zero copy, non-blocking
      expect(s.calls()).toEqual([
        { call: 'pfring_enable_ring', rc: 0 },
        { call: 'pfring_set_cluster', cluster_id: 42, type: 1, rc: 0 }, // no clusterSlot: the first free queue
        { call: 'pfring_set_bpf_filter', filter: 'ip6 or tcp', rc: 0 },
        { call: 'pfring_set_direction', direction: 0, rc: 0 }, // rx_and_tx_direction
        { call: 'pfring_set_sampling_rate', rate: 1, rc: 0 },
        { call: 'pfring_set_application_name', name: 'suricata-like', rc: 0 },
        recv,
        recv,
        recv,
        { call: 'pfring_stats', rc: 0 },
        { call: 'pfring_send', len: tcp4.length, flush: 1, hex: Buffer.from(tcp4).toString('hex'), rc: tcp4.length },
        { call: 'pfring_set_direction', direction: 2, rc: 0 }, // tx_only_direction
        { call: 'pfring_remove_bpf_filter', rc: 0 },
        { call: 'pfring_remove_from_cluster', rc: 0 },
        { call: 'pfring_disable_ring', rc: 0 },
        { call: 'pfring_stats', rc: 0 }, // close() keeps the last totals
        { call: 'pfring_close', rc: 0 },
      ]);
      expect(ring.stats()).toEqual({ received: 1000, dropped: 7, delivered: 3 });
    });

    it('a library without pfring_set_cluster_consumer (< 8.7) joins with pfring_set_cluster', () => {
      process.env[PFRING_LIBRARY_ENV] = s.lib('no-consumer');
      open({ device: DEV, backend: 'pfring', cluster: { id: 9, type: 'per-flow' }, clusterSlot: { index: 1, count: 2 } });
      expect(s.calls().filter((c) => c.call.startsWith('pfring_set_cluster'))).toEqual([
        { call: 'pfring_set_cluster', cluster_id: 9, type: 0, rc: 0 },
      ]);
    });

    it('hwTimestamp adds PF_RING_HW_TIMESTAMP to the open flags', () => {
      open({ device: DEV, backend: 'pfring', promiscuous: false, hwTimestamp: true });
      expect(s.calls()[0]).toMatchObject({ call: 'pfring_open', flags: 4 | 16 | 32 });
    });
  });

  describe('zero-copy reads into a batch', () => {
    let ring: Ring;
    let batch: Batch;
    beforeAll(async () => {
      ring = open({ device: DEV, backend: 'pfring', cluster: { id: 3, type: 'per-flow-5-tuple' } }, PACKETS.map(packetLine));
      batch = (await ring.nextBatch())!;
    });

    it('delivers every packet with its bytes, lengths, timestamp, ifindex and direction', () => {
      expect(batch.count).toBe(3);
      for (let i = 0; i < 3; i++) {
        const p = PACKETS[i]!;
        const off = batch.dataOff[i]!;
        expect(Buffer.from(batch.data.subarray(off, off + batch.caplen[i]!))).toEqual(Buffer.from(p.bytes));
        expect(batch.caplen[i]).toBe(p.bytes.length);
        expect(batch.len[i]).toBe(p.len ?? p.bytes.length);
        expect(batch.tsSec[i]).toBe(p.sec);
        expect(batch.tsNsec[i]).toBe(p.nsec);
        expect(batch.ifindex[i]).toBe(p.ifindex);
        expect(batch.direction[i]).toBe(p.rx ? PacketDirection.Rx : PacketDirection.Tx);
      }
    });

    it('the batch is a view over the library\'s ring memory, not a copy: offsets are the stand-in\'s slots', () => {
      // The stand-in stores packets back to back at 8-byte alignment in its
      // ring and hands out pointers into it (buffer_len 0). A view over that
      // memory has exactly these offsets; a copied batch would not need them.
      const slots = [0, align8(tcp4.length), align8(tcp4.length) + align8(udp6.length)];
      expect(Array.from(batch.dataOff.subarray(0, 3))).toEqual(slots);
      expect(batch.data.byteLength).toBe(slots[2]! + cut.length);
      expect(s.calls().filter((c) => c.call === 'pfring_recv').every((c) => c.buffer_len === 0)).toBe(true);
    });

    it('locates L2-L4 and hashes each packet with the ring\'s cluster type', () => {
      expect(Array.from(batch.proto.subarray(0, 3))).toEqual([6, 17, 6]);
      expect(Array.from(batch.sport.subarray(0, 3))).toEqual([51000, 5353, 443]);
      expect(Array.from(batch.dport.subarray(0, 3))).toEqual([80, 53, 40000]);
      expect(Array.from(batch.ipVersion.subarray(0, 3))).toEqual([4, 6, 4]);
      for (let i = 0; i < 3; i++) expect(batch.hash[i]).toBe(clusterHash(PACKETS[i]!.bytes, 'per-flow-5-tuple'));
    });

    it('the view is detached by the next read and by close(): stale reads are empty, never a crash', async () => {
      const stale = batch.data;
      expect(ring.readBatch()).toBe(0); // NextResult.NoPacket: the stand-in has nothing more
      expect(stale.byteLength).toBe(0);
      expect(stale[0]).toBeUndefined();
      ring.close();
      expect(s.calls().filter((c) => c.call === 'pfring_close')).toHaveLength(1);
    });
  });

  it('a PF_RING module device (zc:...) is read in copy mode: libpfring copies into the backend\'s buffer', async () => {
    const ring = open({ device: `zc:${DEV}`, backend: 'pfring', snaplen: 1600 }, PACKETS.map(packetLine));
    const b = (await ring.nextBatch())!;
    expect(b.count).toBe(3);
    expect(s.calls().filter((c) => c.call === 'pfring_recv').map((c) => c.buffer_len)).toEqual([1600, 1600, 1600]);
    for (let i = 0; i < 3; i++) {
      const off = b.dataOff[i]!;
      expect(Buffer.from(b.data.subarray(off, off + b.caplen[i]!))).toEqual(Buffer.from(PACKETS[i]!.bytes));
    }
    expect(b.len[2]).toBe(1514);
    ring.close();
  });

  it('waiting does not block the event loop: a packet arriving 200 ms later is delivered by a pending nextBatch()', async () => {
    const ring = open({ device: DEV, backend: 'pfring' }, ['delay 200', packetLine(PACKETS[0]!)]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const t0 = Date.now();
    const b = await ring.nextBatch();
    clearInterval(timer);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(ticks).toBeGreaterThanOrEqual(3); // timers ran while nextBatch() waited
    expect(b!.count).toBe(1);
    expect(b!.tsNsec[0]).toBe(PACKETS[0]!.nsec);
    ring.close();
  });

  describe('errors', () => {
    it('pfring_open with EAFNOSUPPORT: the module is not loaded', () => {
      const err = openFails({ device: DEV, backend: 'pfring' }, [`fail pfring_open 0 ${EAFNOSUPPORT}`]);
      expect(err.code).toBe('PFW_PFRING_MODULE');
      expect(err.message).toBe('the pf_ring kernel module is not loaded: modprobe pf_ring');
      expect(err.errno).toBe(EAFNOSUPPORT);
      expect(err.syscall).toBe('pfring_open');
      expect(names()).toEqual(['pfring_open']);
    });

    it('pfring_open with EPERM: no capture privilege', () => {
      const err = openFails({ device: DEV, backend: 'pfring' }, [`fail pfring_open 0 ${EPERM}`]);
      expect(err.code).toBe('PFW_NO_CAP_NET_RAW');
      expect(err.message).toBe(
        `cannot open ${DEV} with PF_RING: capturing needs root or CAP_NET_RAW (sudo setcap cap_net_raw,cap_net_admin+ep $(command -v node)): Operation not permitted`,
      );
    });

    it('pfring_open with ENODEV: no such interface', () => {
      const err = openFails({ device: DEV, backend: 'pfring' }, [`fail pfring_open 0 ${ENODEV}`]);
      expect(err.code).toBe('PFW_NO_SUCH_DEVICE');
      expect(err.message).toBe(`cannot open ${DEV} with PF_RING: no such interface (ip link lists the interfaces): No such device`);
    });

    it('pfring_open with any other errno: PFW_PFRING_OPEN with the reason', () => {
      const err = openFails({ device: DEV, backend: 'pfring' }, [`fail pfring_open 0 ${EBUSY}`]);
      expect(err.code).toBe('PFW_PFRING_OPEN');
      expect(err.message).toBe(`cannot open ${DEV} with PF_RING: Device or resource busy`);
    });

    it('a taken cluster queue (EBUSY) names the cluster and the queue, and the ring is closed', () => {
      const err = openFails(
        { device: DEV, backend: 'pfring', cluster: { id: 7, type: 'per-flow' }, clusterSlot: { index: 3, count: 4 } },
        [`fail pfring_set_cluster_consumer -1 ${EBUSY}`],
      );
      expect(err.code).toBe('PFW_PFRING_CLUSTER');
      expect(err.message).toBe(
        'cannot join PF_RING cluster 7 as queue 3: the queue is taken by another ring (a previous worker with this index still running, ' +
          'or another application on cluster 7): Device or resource busy',
      );
      expect(err.syscall).toBe('pfring_set_cluster_consumer');
      expect(names().slice(-1)).toEqual(['pfring_close']);
    });

    it('a refused cluster (EINVAL) states PF_RING\'s rules', () => {
      const err = openFails({ device: DEV, backend: 'pfring', cluster: { id: 7, type: 'per-flow' } }, [`fail pfring_set_cluster -1 ${EINVAL}`]);
      expect(err.code).toBe('PFW_PFRING_CLUSTER');
      expect(err.message).toBe(
        'cannot join PF_RING cluster 7 (every ring of a cluster must capture the same interface, and at most 64 rings can join): Invalid argument',
      );
    });

    it('an expression libpcap cannot compile fails before PF_RING sees it', () => {
      const err = openFails({ device: DEV, backend: 'pfring', bpf: 'tcp port' }, []);
      expect(err.code).toBe('PFW_BPF_INVALID');
      expect(names()).not.toContain('pfring_set_bpf_filter');
    });

    it('PF_RING refusing a filter: PF_RING_ERROR_* named when errno is not set', () => {
      const err = openFails({ device: DEV, backend: 'pfring', bpf: 'tcp' }, ['fail pfring_set_bpf_filter -1 0']);
      expect(err.code).toBe('PFW_PFRING_BPF');
      expect(err.message).toBe(`PF_RING refused the BPF filter "tcp" on ${DEV}: pfring_set_bpf_filter returned PF_RING_ERROR_GENERIC (-1)`);
    });

    const setters: Array<[string, string, (r: Ring) => void, string, string]> = [
      ['pfring_set_direction', '-7 0', (r) => r.setDirection('rx'), 'PFW_PFRING_DIRECTION', `cannot set the capture direction on ${DEV}: pfring_set_direction returned PF_RING_ERROR_NOT_SUPPORTED (-7)`],
      ['pfring_set_sampling_rate', `-1 ${EINVAL}`, (r) => r.setSamplingRate(10), 'PFW_PFRING_SAMPLING', `cannot set the sampling rate 10 on ${DEV}: Invalid argument`],
      ['pfring_set_socket_mode', '-2 0', (r) => r.setSocketMode('read'), 'PFW_PFRING_SOCKET_MODE', `cannot set the socket mode on ${DEV}: pfring_set_socket_mode returned PF_RING_ERROR_INVALID_ARGUMENT (-2)`],
      // Ring.open names the application ('pfwork' by default): the open itself fails.
      ['pfring_set_application_name', `-1 ${EINVAL}`, (r) => r.setApplicationName('x'), 'PFW_PFRING_APPNAME', `cannot set the application name "pfwork" on ${DEV}: Invalid argument`],
      ['pfring_enable_ring', '-11 0', (r) => r.enable(), 'PFW_PFRING_ENABLE', `cannot enable the PF_RING ring on ${DEV}: pfring_enable_ring returned PF_RING_ERROR_INVALID_STATUS (-11)`],
      ['pfring_disable_ring', `-1 ${EIO}`, (r) => r.disable(), 'PFW_PFRING_DISABLE', `cannot disable the PF_RING ring on ${DEV}: Input/output error`],
      ['pfring_stats', '-1 0', (r) => r.stats(), 'PFW_PFRING_STATS', `cannot read PF_RING statistics of ${DEV}: pfring_stats returned PF_RING_ERROR_GENERIC (-1)`],
      ['pfring_send', '-4 0', (r) => r.writePacketData(tcp4), 'PFW_PFRING_SEND', `cannot send a ${tcp4.length}-byte frame on ${DEV}: pfring_send returned PF_RING_ERROR_NO_TX_SLOT_AVAILABLE (-4)`],
      ['pfring_remove_from_cluster', '-7 0', (r) => r.removeFromCluster(), 'PFW_PFRING_CLUSTER', `cannot leave the PF_RING cluster on ${DEV}: pfring_remove_from_cluster returned PF_RING_ERROR_NOT_SUPPORTED (-7)`],
      ['pfring_recv', `-1 ${EIO}`, (r) => r.readBatch(), 'PFW_PFRING_RECV', `cannot read from PF_RING on ${DEV}: Input/output error`],
    ];
    it.each(setters)('%s failing (%s) -> the mapped error', (fn, rcErrno, act, code, message) => {
      let ring: Ring | undefined;
      let err: (Error & { code?: string; syscall?: string }) | undefined;
      try {
        ring = open({ device: DEV, backend: 'pfring', enabled: fn !== 'pfring_enable_ring' }, [`fail ${fn} ${rcErrno}`]);
        act(ring);
      } catch (e) {
        err = e as Error & { code?: string };
      }
      expect(err, `${fn} did not throw`).toBeDefined();
      expect(err!.code).toBe(code);
      expect(err!.message).toBe(message);
      expect(err!.syscall).toBe(fn);
      ring?.close();
    });

    it('cluster ids PF_RING cannot hold are refused before any call', () => {
      for (const id of [0, 65536]) {
        s.clearLog();
        expect(() => Ring.open({ device: DEV, backend: 'pfring', cluster: { id, type: 'per-flow' } })).toThrow(
          `invalid ring options: cluster.id must be an integer from 1 to 65535 on pfring (PF_RING keeps 16 bits and 0 means "no cluster"), got ${id}`,
        );
        expect(names()).toEqual([]);
      }
      const ring = open({ device: DEV, backend: 'pfring' });
      expect(() => ring.setCluster(70000, 'per-flow')).toThrow(
        'setCluster: id (70000) must be from 1 to 65535 on pfring (PF_RING keeps 16 bits and 0 means "no cluster")',
      );
      ring.close();
    });

    it('a cluster queue beyond PF_RING\'s 64 is refused before any call', () => {
      s.clearLog();
      expect(() =>
        Ring.open({ device: DEV, backend: 'pfring', cluster: { id: 1, type: 'per-flow' }, clusterSlot: { index: 64, count: 65 } }),
      ).toThrow("invalid ring options: clusterSlot.index (64) is PF_RING's cluster queue id: it must be below 64 (MAX_CLUSTER_QUEUES)");
      expect(names()).toEqual([]);
    });

    it('backend pfring without libpfring: PFW_PFRING_ABSENT', () => {
      process.env[PFRING_LIBRARY_ENV] = `${s.dir}/absent/libpfring.so`;
      const err = openFails({ device: DEV, backend: 'pfring' }, []);
      expect(err.code).toBe('PFW_PFRING_ABSENT');
      expect(err.message.split('\n').slice(0, 2)).toEqual([
        "PF_RING's library (libpfring) could not be loaded. Paths tried (from PFWORK_PFRING_LIBRARY):",
        `  ${s.dir}/absent/libpfring.so: cannot open shared object file: No such file or directory`,
      ]);
    });

    it('backend pfring with a library that is too old: PFW_PFRING_VERSION', () => {
      process.env[PFRING_LIBRARY_ENV] = s.lib('old');
      const err = openFails({ device: DEV, backend: 'pfring' }, []);
      expect(err.code).toBe('PFW_PFRING_VERSION');
      expect(err.message).toBe(
        `libpfring at ${s.lib('old')} lacks pfring_set_socket_mode (found PF_RING 5.6.0); pfwork needs PF_RING 6.0 or later: upgrade PF_RING (library and kernel module together)`,
      );
    });
  });

  it('backend auto on this machine says which backend and why', () => {
    delete process.env[PFRING_LIBRARY_ENV];
    const choice = chooseLiveBackend();
    const r = resolveRingOptions({ device: DEV }, { pageSize: 4096, pfringAvailable: choice.backend === 'pfring', pfringReason: choice.reason });
    expect(r.backend).toBe(choice.backend);
    expect(r.backendReason).toBe(`auto picked ${choice.reason}`);
    if (choice.backend === 'afpacket') {
      expect(r.backendReason).toMatch(/^auto picked afpacket: /);
    }
  });
});
