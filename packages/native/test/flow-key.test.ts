/**
 * The flow table's key (cpp/flow_key.cc): make_flow_key() keys IPv4 through
 * a shortcut (addresses compared as words) and everything else through the
 * general path (16-byte endpoints ordered as memcmp orders them). Both must
 * give the same key and the same sender side on every packet, or one flow
 * would be counted as two. flowKeyFastForTest runs both in C++.
 */
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../src/flows.js';
import { loadNative } from '../src/loader.js';
import { flowRows, type FlowRow } from './support/flow-frames.js';
import { SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { buildFrame, buildIPv4Fragments } from './support/frames.js';
import { commonFrames, mutatedFrames, SHARED_CAPTURES, sharedEthernetCaptures } from './support/common-frames.js';

interface Compared {
  taken: number;
  mismatches: number[];
}

const native = loadNative();
const compare = (frames: Uint8Array[]) => native.flowKeyFastForTest(frames) as Compared;

describe('the index hash is keyed per table', () => {
  it.skipIf(!SHARED_CAPTURES)(SHARED_CAPTURES ? 'nothing a table reports depends on its seed: the same captures give the same records in the same order' : SHARED_PCAPS_SKIP, () => {
    const records = () => {
      const t = new FlowTable({ udpIdleTimeoutSec: 5, tcpIdleTimeoutSec: 20 });
      const out: FlowRow[] = [];
      for (const row of SHARED_CAPTURES!.slice(0, 15)) {
        t.feedPcapForTest(row.file);
        out.push(...flowRows(t.take()));
      }
      out.push(...flowRows(t.flush('end')));
      t.close();
      return out;
    };
    const first = records();
    expect(first.length).toBeGreaterThan(100);
    for (let i = 0; i < 3; i++) expect(records()).toEqual(first);
  });
});

describe("the flow key's IPv4 shortcut", () => {
  it('keys both directions, equal addresses and equal ports as the general path does', () => {
    const frames: Uint8Array[] = [];
    const pairs: [string, string][] = [['10.0.0.1', '10.0.0.2'], ['10.0.0.2', '10.0.0.1'], ['10.0.0.9', '10.0.0.9'], ['255.255.255.255', '0.0.0.0'], ['128.0.0.1', '127.255.255.255']];
    for (const [src, dst] of pairs) {
      for (const [sport, dport] of [[1000, 2000], [2000, 1000], [53, 53], [0, 65535]] as const) {
        frames.push(buildFrame({ ip: { src, dst }, l4: { kind: 'udp', sport, dport } }));
        frames.push(buildFrame({ vlan: [5, 6], ip: { src, dst }, l4: { kind: 'tcp', sport, dport, flags: 'S' } }));
      }
      frames.push(buildFrame({ ip: { src, dst }, l4: { kind: 'raw', proto: 47 }, payload: new Uint8Array(4) }));
      frames.push(buildFrame({ ip: { src, dst }, l4: { kind: 'icmp', type: 8, code: 0 } }));
      frames.push(buildFrame({ ip: { src, dst }, l4: { kind: 'icmp', type: 3, code: 1 } }));
    }
    frames.push(...buildIPv4Fragments({ ip: { src: '10.9.9.9', dst: '10.1.1.1', id: 7 }, l4: { kind: 'udp', sport: 5, dport: 6 }, payload: new Uint8Array(3000) }, 1480));
    const r = compare(frames);
    expect(r.mismatches).toEqual([]);
    expect(r.taken).toBeGreaterThan(40);
  });

  it('agrees on 200,000 frames with random header bytes and random cuts', () => {
    const r = compare(mutatedFrames(commonFrames(), 200_000));
    expect(r.mismatches.slice(0, 5)).toEqual([]);
    expect(r.taken).toBeGreaterThan(10_000);
  });

  it.skipIf(!SHARED_CAPTURES)(SHARED_CAPTURES ? 'agrees on every frame of every shared Ethernet capture' : SHARED_PCAPS_SKIP, () => {
    let taken = 0;
    for (const { name, packets } of sharedEthernetCaptures()) {
      const r = compare(packets);
      expect(r.mismatches.slice(0, 5), name).toEqual([]);
      taken += r.taken;
    }
    expect(taken).toBeGreaterThan(1000);
  });
});
