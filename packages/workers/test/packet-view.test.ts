/**
 * The handler's Packet (src/worker/packet-view.ts) over a real batch read by
 * the native file backend: ports only where the protocol has them, ICMP
 * type/code on their own fields (the batch's port columns carry them, Zeek's
 * flow-record convention, which the Packet contract does not); `data` made
 * once per packet and read again for free.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFrame, writePcapFile } from '@pfwork/core/craft';
import { MetaFlag, Ring, type Batch } from '@pfwork/native';
import { PacketView } from '../src/worker/packet-view.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-packet-view-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frames = [
  buildFrame({ ip: { src: '192.0.2.1', dst: '192.0.2.2' }, l4: { kind: 'icmp', type: 8, code: 0 } }),
  buildFrame({ ip: { src: '192.0.2.2', dst: '192.0.2.1' }, l4: { kind: 'icmp', type: 3, code: 13 } }),
  buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2' }, l4: { kind: 'icmp6', type: 128, code: 0 } }),
  buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 5353, dport: 53 }, payload: new Uint8Array(4) }),
  buildFrame({ etherType: 0x0806 }),
];
const file = path.join(dir, 'mixed.pcap');
writePcapFile(file, frames.map((data, i) => ({ tsSec: 100 + i, tsNsec: 0, data })));

async function readAll(): Promise<{ ring: Ring; batch: Batch }> {
  const ring = Ring.open({ file, maxBatch: 16 });
  const batch = (await ring.nextBatch())!;
  expect(batch.count).toBe(frames.length);
  return { ring, batch };
}

describe('PacketView ports and ICMP', () => {
  it('an ICMP packet reports ports 0 and its type/code on icmpType/icmpCode', async () => {
    const { ring, batch } = await readAll();
    try {
      const v = new PacketView(batch);
      const seen = frames.map((_, i) => {
        v.moveTo(batch, i);
        return [v.proto, v.srcPort, v.dstPort, v.icmpType, v.icmpCode];
      });
      expect(seen).toEqual([
        [1, 0, 0, 8, 0],
        [1, 0, 0, 3, 13],
        [58, 0, 0, 128, 0],
        [17, 5353, 53, -1, -1],
        [0, 0, 0, -1, -1],
      ]);
      // the flags column is on the Packet too
      v.moveTo(batch, 0);
      expect(v.flags & MetaFlag.Icmp).toBe(MetaFlag.Icmp);
      expect(v.flags & MetaFlag.HasPorts).toBe(0);
      v.moveTo(batch, 3);
      expect(v.flags & MetaFlag.HasPorts).toBe(MetaFlag.HasPorts);
      expect(v.toJSON()).toMatchObject({ srcPort: 5353, dstPort: 53, icmpType: -1, icmpCode: -1 });
    } finally {
      ring.close();
    }
  });
});

describe('PacketView data', () => {
  it('data is one view of the current packet per call: the same object on every read, the next packet\'s bytes after moveTo', async () => {
    const { ring, batch } = await readAll();
    try {
      const v = new PacketView(batch);
      const views: Uint8Array[] = [];
      frames.forEach((frame, i) => {
        v.moveTo(batch, i);
        const d = v.data;
        expect(v.data).toBe(d);
        expect(Array.from(d)).toEqual(Array.from(frame));
        views.push(d);
      });
      expect(new Set(views).size).toBe(frames.length);
      // moving back to a packet gives its bytes again, in a new view
      v.moveTo(batch, 0);
      expect(v.data).not.toBe(views[0]);
      expect(Array.from(v.data)).toEqual(Array.from(frames[0]!));
    } finally {
      ring.close();
    }
  });
});
