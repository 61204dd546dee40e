/**
 * The AF_PACKET Ring, live, on a veth pair: frames are injected from the
 * namespace end with writePacketData (test/support/inject.ts) and captured on
 * the root-namespace end.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrame, PcapWriter, type FrameSpec } from '../../core/src/craft/index.js';
import { isRoot, NEEDS_ROOT, createVethPair, type VethPair } from '../../../test/support/netns.js';
import { startInjector, type Injector } from '../../../test/support/inject.js';
import { clusterHash } from '../src/cluster.js';
import { NextResult } from '../src/constants.js';
import { Ring } from '../src/ring.js';
import type { Batch } from '../src/types.js';
import { ifindexOf, scratchDir, sleep, startReader, tsNs, waitFor, wallNs, type Got } from './support/live.js';

const root = isRoot();
if (!root) console.warn(`live-ring.test.ts skipped: ${NEEDS_ROOT}`);

let pair: VethPair;
let injector: Injector;
let scratch: ReturnType<typeof scratchDir>;
let files = 0;

/** Writes frames to a scratch pcap and injects them; resolves with the number sent. */
async function inject(frames: Uint8Array[], rate = 0): Promise<number> {
  const file = scratch.file(`f${files++}.pcap`);
  const w = new PcapWriter(file);
  for (const data of frames) w.write({ tsSec: 0, tsNsec: 0, data });
  w.close();
  const r = await injector.inject({ file, rate });
  expect(r.sent).toBe(frames.length);
  return r.sent;
}

/** UDP frame whose payload starts with a 4-byte marker (big-endian). */
function udp(marker: number, extra: Partial<FrameSpec> = {}, size = 32): Uint8Array {
  const payload = new Uint8Array(Math.max(size, 4));
  new DataView(payload.buffer).setUint32(0, marker);
  return buildFrame({
    ip: { src: '10.1.0.1', dst: '10.1.0.2' },
    l4: { kind: 'udp', sport: 40000 + (marker % 1000), dport: 5000 },
    payload,
    ...extra,
  });
}

function open(opts: Record<string, unknown> = {}): Ring {
  return Ring.open({ device: pair.captureIf, snaplen: 4096, blockSize: 1 << 16, blockCount: 8, retireTimeoutMs: 5, ...opts });
}

/** Reads until `n` packets came (or 3 s), then 30 ms more to catch extras; closes the ring. */
async function capture(ring: Ring, n: number, send: () => Promise<unknown>): Promise<Got[]> {
  const reader = startReader(ring);
  await send();
  await waitFor(() => reader.got.length >= n, 3000);
  await sleep(30);
  ring.close();
  await reader.done;
  return reader.got;
}

describe.skipIf(!root)('AF_PACKET ring on a veth pair', () => {
  beforeAll(() => {
    pair = createVethPair('ring');
    injector = startInjector(pair);
    scratch = scratchDir('live-ring');
  });
  afterAll(async () => {
    await injector?.close();
    pair?.cleanup();
    scratch?.cleanup();
  });

  it('delivers the exact bytes, lengths and nanosecond timestamps of what was sent, in order', async () => {
    const sizes = [60, 61, 64, 100, 127, 128, 500, 1000, 1499, 1514];
    const frames = sizes.map((s, i) => udp(i + 1, {}, s - 42));
    const ring = open();
    expect(ring.backend).toBe('afpacket');
    const before = wallNs();
    const got = await capture(ring, frames.length, () => inject(frames));
    const after = wallNs() + 1_000_000n;
    expect(got.map((g) => g.bytes)).toEqual(frames);
    expect(got.map((g) => g.caplen)).toEqual(sizes);
    expect(got.map((g) => g.len)).toEqual(sizes);
    const ifindex = ifindexOf(pair.captureIf);
    for (const [i, g] of got.entries()) {
      expect(g.ifindex).toBe(ifindex);
      expect(g.direction).toBe(0);
      expect(g.tsNsec).toBeGreaterThanOrEqual(0);
      expect(g.tsNsec).toBeLessThan(1e9);
      expect(tsNs(g) >= before && tsNs(g) <= after).toBe(true);
      if (i > 0) expect(tsNs(g) >= tsNs(got[i - 1]!)).toBe(true);
    }
    // nanosecond resolution: not all timestamps are whole microseconds
    expect(got.some((g) => g.tsNsec % 1000 !== 0)).toBe(true);
  });

  it('keeps snaplen bytes of each packet and reports the length on the wire', async () => {
    const frames = [udp(1, {}, 200), udp(2, {}, 40), udp(3, {}, 1400)];
    const ring = open({ snaplen: 100 });
    const got = await capture(ring, 3, () => inject(frames));
    expect(got.map((g) => g.caplen)).toEqual([100, 82, 100]);
    expect(got.map((g) => g.len)).toEqual(frames.map((f) => f.length));
    expect(got.map((g) => g.bytes)).toEqual(frames.map((f) => f.subarray(0, 100)));
  });

  it('a BPF filter keeps exactly the matching packets, in the kernel', async () => {
    const frames: Uint8Array[] = [];
    const want: number[] = [];
    for (let i = 0; i < 200; i++) {
      const dns = i % 7 === 0;
      const tcp = i % 5 === 0 && !dns;
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setUint32(0, i);
      frames.push(
        buildFrame({
          ip: { src: '10.2.0.1', dst: '10.2.0.2' },
          l4: tcp ? { kind: 'tcp', sport: 53, dport: 40000 } : { kind: 'udp', sport: 40000 + i, dport: dns ? 53 : 5353 },
          payload,
        }),
      );
      if (dns) want.push(i);
    }
    const ring = open({ bpf: 'udp port 53' });
    const got = await capture(ring, want.length, () => inject(frames));
    expect(got.map((g) => new DataView(g.bytes.buffer).getUint32(g.bytes.length - 8))).toEqual(want);
    // the rejected packets were never counted: the filter runs before the ring
    expect(ring.stats()).toMatchObject({ received: want.length, dropped: 0 });
  });

  it('removeBPFFilter lets everything through again', async () => {
    const ring = open({ bpf: 'tcp' });
    ring.removeBPFFilter();
    const got = await capture(ring, 5, () => inject([1, 2, 3, 4, 5].map((i) => udp(i))));
    expect(got).toHaveLength(5);
  });

  it('direction: rx keeps what arrives, tx what the host sends, both keeps both', async () => {
    const rx = open({ direction: 'rx' });
    const tx = open({ direction: 'tx' });
    const both = open();
    const sender = Ring.open({ device: pair.captureIf, snaplen: 128, blockSize: 1 << 16, blockCount: 1, enabled: false });
    const readers = [rx, tx, both].map((r) => startReader(r));
    const incoming = Array.from({ length: 20 }, (_, i) => udp(1000 + i));
    const outgoing = Array.from({ length: 15 }, (_, i) => udp(2000 + i, { srcMac: '02:00:00:00:00:09' }));
    await inject(incoming);
    for (const f of outgoing) sender.writePacketData(f);
    await waitFor(() => readers[2]!.got.length >= 35, 3000);
    await sleep(30);
    for (const r of [rx, tx, both, sender]) r.close();
    await Promise.all(readers.map((r) => r.done));
    const [gotRx, gotTx, gotBoth] = readers.map((r) => r.got);
    expect(gotRx!.map((g) => g.bytes)).toEqual(incoming);
    expect(gotRx!.every((g) => g.direction === 0)).toBe(true);
    expect(gotTx!.map((g) => g.bytes)).toEqual(outgoing);
    expect(gotTx!.every((g) => g.direction === 1)).toBe(true);
    expect(gotBoth!).toHaveLength(35);
    expect(gotBoth!.filter((g) => g.direction === 1).map((g) => g.bytes)).toEqual(outgoing);
    expect(gotBoth!.filter((g) => g.direction === 0).map((g) => g.bytes)).toEqual(incoming);
  });

  it('sampling 1 of n keeps about 1/n of the packets', async () => {
    const ring = open();
    ring.setSamplingRate(10);
    const frames = Array.from({ length: 1000 }, (_, i) => udp(i));
    const reader = startReader(ring);
    await inject(frames);
    await waitFor(() => reader.got.length >= 100, 3000);
    await sleep(40);
    ring.close();
    await reader.done;
    expect(reader.got.length).toBeGreaterThanOrEqual(95);
    expect(reader.got.length).toBeLessThanOrEqual(105);
  });

  it('a disabled ring receives nothing, and counts nothing', async () => {
    // A long retire timeout keeps packets in the block the kernel is filling.
    const ring = open({ enabled: false, retireTimeoutMs: 200 });
    await inject([1, 2, 3].map((i) => udp(i)));
    await sleep(20);
    expect(ring.readBatch()).toBe(NextResult.NotEnabled);
    expect(ring.stats()).toMatchObject({ received: 0, dropped: 0 });
    ring.enable();
    expect(ring.readBatch()).toBe(NextResult.NoPacket);
    await inject([4, 5].map((i) => udp(i)));
    await sleep(260);
    const b = ring.readBatch() as Batch;
    expect(typeof b).toBe('object');
    expect(b.count).toBe(2);
    ring.release();
    // Accepted, then the ring is disabled before the kernel hands their block over.
    await inject([6, 7].map((i) => udp(i)));
    ring.disable();
    await inject([8].map((i) => udp(i)));
    ring.enable();
    await sleep(260);
    expect(ring.readBatch()).toBe(NextResult.NoPacket);
    const got = await capture(ring, 1, () => inject([udp(9)]));
    expect(got.map((g) => new DataView(g.bytes.buffer).getUint32(42))).toEqual([9]);
  });

  it('closing while a batch view is alive detaches it: touching it afterwards does not crash', async () => {
    const ring = open();
    await inject(Array.from({ length: 10 }, (_, i) => udp(i, {}, 200)));
    await sleep(30);
    const b = ring.readBatch() as Batch;
    expect(b.count).toBe(10);
    const view = b.data;
    const first = view[0];
    expect(first).toBe(2); // the destination MAC 02:...
    ring.close();
    expect(view.byteLength).toBe(0);
    expect(view[0]).toBeUndefined();
    expect(view[100]).toBeUndefined();
    let sum = 0;
    for (let i = 0; i < 4096; i++) sum += view[i] ?? 0;
    expect(sum).toBe(0);
    // methods that copy say so with a catchable TypeError, never a crash
    expect(() => view.slice(0, 10)).toThrow(TypeError);
  });

  it('reading after close throws a clear error', async () => {
    const ring = open();
    ring.close();
    ring.close(); // idempotent
    expect(() => ring.readBatch()).toThrow(expect.objectContaining({ code: 'PFW_RING_CLOSED' }));
    expect(() => ring.readPacketData()).toThrow(/closed/);
    await expect(ring.nextBatch()).rejects.toMatchObject({ code: 'PFW_RING_CLOSED' });
    expect(() => ring.writePacketData(udp(1))).toThrow(expect.objectContaining({ code: 'PFW_RING_CLOSED' }));
    expect(ring.stats()).toMatchObject({ received: 0, dropped: 0 });
  });

  it('reports a VLAN tag the kernel moved into metadata exactly like an in-band tag', async () => {
    const specs: FrameSpec[] = [
      { vlan: [100] },
      { vlan: [4094] },
      { vlan: [7], vlanTpids: [0x88a8] },
      { vlan: [300, 42] }, // QinQ: outer 802.1ad (stripped), inner 802.1Q (stays in the bytes)
      {},
    ];
    const frames = specs.map((s, i) => udp(i + 1, s));
    const ring = open();
    const got = await capture(ring, frames.length, () => inject(frames));
    expect(got).toHaveLength(frames.length);
    // the same frames read from a file, tags in the bytes
    const file = scratch.file('vlan.pcap');
    const w = new PcapWriter(file);
    for (const data of frames) w.write({ tsSec: 1, tsNsec: 0, data });
    w.close();
    const fileRing = Ring.open({ file });
    const fromFile: Got[] = [];
    for (;;) {
      const b = fileRing.readBatch();
      if (typeof b === 'number') break;
      for (let i = 0; i < b.count; i++) {
        fromFile.push({ vlan: b.vlan[i]!, proto: b.proto[i]!, sport: b.sport[i]!, dport: b.dport[i]!, hash: b.hash[i]! } as Got);
      }
    }
    fileRing.close();
    expect(got.map((g) => g.vlan)).toEqual([100, 4094, 7, 300, 0]);
    expect(got.map((g) => g.vlan)).toEqual(fromFile.map((g) => g.vlan));
    expect(got.map((g) => [g.proto, g.sport, g.dport])).toEqual(fromFile.map((g) => [g.proto, g.sport, g.dport]));
    expect(got.map((g) => g.hash)).toEqual(fromFile.map((g) => g.hash));
    // len counts the stripped tag (as libpcap does): it equals what was sent, as from a file
    expect(got.map((g) => g.len)).toEqual(frames.map((f) => f.length));
    // the outer tag is not in the bytes the kernel hands over (4 bytes shorter)
    expect(got.map((g) => g.bytes.length)).toEqual(frames.map((f, i) => f.length - (specs[i]!.vlan ? 4 : 0)));
    expect(got[3]!.bytes.subarray(12, 14)).toEqual(Uint8Array.of(0x81, 0x00));
    // the cluster hash (per-flow counts the VLAN id) is that of the frame as sent
    for (const [i, f] of frames.entries()) {
      expect(clusterHash(got[i]!.bytes, 'per-flow', 1, specs[i]!.vlan ? specs[i]!.vlan![0]! : -1)).toBe(clusterHash(f, 'per-flow'));
    }
  });

  it('names a device that does not exist', () => {
    expect(() => Ring.open({ device: 'pfwnosuchdev0' })).toThrow(
      expect.objectContaining({
        code: 'PFW_NO_SUCH_DEVICE',
        message: "No network device named 'pfwnosuchdev0' in this network namespace; `ip link` lists the devices that exist",
      }),
    );
  });

  it('says hardware timestamps are not available on a veth, instead of faking them', () => {
    expect(() => open({ hwTimestamp: true })).toThrow(
      expect.objectContaining({
        code: 'PFW_NO_HW_TIMESTAMP',
        message:
          `Hardware timestamps were asked for, but '${pair.captureIf}' has no hardware receive timestamps (its driver ` +
          `offers software timestamps only); \`ethtool -T ${pair.captureIf}\` shows the same. Open without hwTimestamp ` +
          'to get software timestamps (nanoseconds, taken when the kernel received the packet)',
      }),
    );
  });

  it('says CAP_NET_RAW is needed when the process lacks it', () => {
    const script = `
      import { Ring } from './packages/native/src/ring.ts';
      try { Ring.open({ device: '${pair.captureIf}' }); console.log(JSON.stringify({ ok: true })); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    // Root without any capability: an empty bounding set drops them all at exec.
    const out = execFileSync(
      'setpriv',
      ['--bounding-set=-all', '--inh-caps=-all', '--', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8' },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.code).toBe('PFW_NO_CAP_NET_RAW');
    expect(r.message).toBe(
      `Capturing on '${pair.captureIf}' needs CAP_NET_RAW (opening an AF_PACKET socket was refused: Operation not permitted). ` +
        'Run as root, grant the capability to node (sudo setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(command -v node)")"), ' +
        'or let a supervisor that has it create the sockets (createFanoutGroup) and adopt one with Ring.open({ fd })',
    );
  });
});
