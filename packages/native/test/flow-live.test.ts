/**
 * Flows from a live AF_PACKET ring on a veth pair: the frames of a TCP
 * connection on VLAN 100 (the kernel hands the tag over in packet metadata),
 * a UDP exchange, a VXLAN-carried flow and a fragmented datagram are injected
 * from the namespace end; the flows the live ring reports are the flows the
 * same frames make from a capture file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIPv4Fragments, PcapWriter } from '../../core/src/craft/index.js';
import { isRoot, NEEDS_ROOT, createVethPair, type VethPair } from '../../../test/support/netns.js';
import { startInjector, type Injector } from '../../../test/support/inject.js';
import { Ring } from '../src/ring.js';
import type { FlowBatch } from '../src/flows.js';
import { flowRows, innerEthernet, innerUdp, innerUdpReply, TcpTalk, udp, vxlan, type FlowRow } from './support/flow-frames.js';
import { scratchDir, sleep, waitFor } from './support/live.js';

const root = isRoot();
if (!root) console.warn(`flow-live.test.ts skipped: ${NEEDS_ROOT}`);

let pair: VethPair;
let injector: Injector;
let scratch: ReturnType<typeof scratchDir>;

function frames(): Uint8Array[] {
  const talk = new TcpTalk('10.20.0.1', 43000, '10.20.0.2', 8080, { vlan: [100] });
  return [
    talk.send('c', 'S'),
    talk.send('s', 'SA'),
    talk.send('c', 'A'),
    talk.send('c', 'PA', 300),
    talk.send('s', 'PA', 900),
    talk.send('c', 'FA'),
    talk.send('s', 'FA'),
    talk.send('c', 'A'),
    udp('10.21.0.1', 5353, '10.21.0.2', 53, 40),
    udp('10.21.0.2', 53, '10.21.0.1', 5353, 120),
    vxlan(innerEthernet(innerUdp()), 77, 51000),
    vxlan(innerEthernet(innerUdpReply()), 77, 52000),
    ...buildIPv4Fragments(
      { ip: { src: '10.22.0.1', dst: '10.22.0.2', id: 99 }, l4: { kind: 'udp', sport: 7000, dport: 7001 }, payload: new Uint8Array(400) },
      160,
    ),
  ];
}

/** What must agree between the live and the file ring (times and end reasons differ by nature). */
const shape = (rows: FlowRow[]) =>
  rows
    .map((f) => ({ proto: f.proto, orig: f.orig, origPort: f.origPort, resp: f.resp, respPort: f.respPort, origPkts: f.origPkts,
      origBytes: f.origBytes, respPkts: f.respPkts, respBytes: f.respBytes, history: f.history, vlan: f.vlan, tunnels: f.tunnels }))
    .sort((a, b) => `${a.orig}:${a.origPort}`.localeCompare(`${b.orig}:${b.origPort}`));

describe.skipIf(!root)('flows from a live ring', () => {
  beforeAll(() => {
    pair = createVethPair('flows');
    injector = startInjector(pair);
    scratch = scratchDir('flow-live');
  });
  afterAll(async () => {
    await injector?.close();
    pair?.cleanup();
    scratch?.cleanup();
  });

  it('are the flows the same frames make from a file', async () => {
    const all = frames();
    const file = scratch.file('flows.pcap');
    const w = new PcapWriter(file);
    for (const data of all) w.write({ tsSec: 1_700_000_000, tsNsec: 0, data });
    w.close();

    const fileRing = Ring.open({ file, flows: true });
    const fromFile: FlowRow[] = [];
    for await (const b of fileRing) fromFile.push(...flowRows(b.flows!));
    fileRing.close();
    expect(fromFile).toHaveLength(4);

    const ring = Ring.open({ device: pair.captureIf, flows: true, snaplen: 4096, blockSize: 1 << 16, blockCount: 8, retireTimeoutMs: 5 });
    const live: FlowRow[] = [];
    let packets = 0;
    const reading = (async () => {
      for (;;) {
        const b = await ring.nextBatch();
        if (b === null) return;
        packets += b.count;
        live.push(...flowRows(b.flows as FlowBatch));
      }
    })();
    const r = await injector.inject({ file });
    expect(r.sent).toBe(all.length);
    expect(await waitFor(() => packets >= all.length, 3000)).toBe(true);
    await sleep(30);
    live.push(...flowRows(ring.flushFlows('stop')));
    ring.close();
    await reading;

    expect(packets).toBe(all.length);
    expect(shape(live)).toEqual(shape(fromFile));
    const tcp = live.find((f) => f.proto === 6)!;
    expect([tcp.vlan, tcp.history]).toEqual([100, 'ShADdFf']);
    // the closed TCP flow keeps fin; the others were open when we stopped
    expect(live.map((f) => f.end).sort()).toEqual(['fin', 'stop', 'stop', 'stop']);
  });
});
