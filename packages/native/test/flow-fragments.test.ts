/**
 * IP fragments in flows (cpp/flow_frags.cc): every fragment counts, with its
 * own IP total length, in the flow of its datagram's first fragment; early
 * fragments wait for it; fragments whose first fragment never comes are
 * counted in a flow without ports, never dropped.
 */
import { describe, expect, it } from 'vitest';
import { buildIPv4Fragments } from '../../core/src/craft/index.js';
import { FlowKeyFlag, FlowTable, type FlowTableOptions } from '../src/flows.js';
import { batchOf, buildFrame, buildIpPacket, concat, flowRows, full, innerUdp, type FlowRow } from './support/flow-frames.js';

const T0 = 1_700_000_000;

function feed(table: FlowTable, frames: Uint8Array[], start = T0): FlowRow[] {
  return flowRows(table.update(batchOf(frames.map((data, i) => ({ t: start + i * 0.001, data })))));
}

/** A 300-byte UDP datagram 10.3.0.1:3333 -> 10.3.0.2:4444 in fragments of 128 bytes (3 frames). */
function v4Fragments(id = 7, src = '10.3.0.1'): Uint8Array[] {
  return buildIPv4Fragments(
    { ip: { src, dst: '10.3.0.2', id }, l4: { kind: 'udp', sport: 3333, dport: 4444 }, payload: new Uint8Array(300) },
    128,
  );
}

const ipLen = (frame: Uint8Array) => (frame[16]! << 8) | frame[17]!;
const sumLen = (frames: Uint8Array[]) => frames.reduce((n, f) => n + ipLen(f), 0);

function table(opts: FlowTableOptions = {}) {
  return new FlowTable(opts);
}

describe('IPv4 fragments', () => {
  it('in order: one flow with every fragment and the sum of their IP lengths', () => {
    const frags = v4Fragments();
    expect(frags).toHaveLength(3);
    const t = table();
    feed(t, frags);
    const rows = flowRows(t.flush('end'));
    expect(rows.map((f) => [f.origPort, f.respPort, f.origPkts, f.origBytes])).toEqual([[3333, 4444, 3, sumLen(frags)]]);
    expect(t.stats()).toMatchObject({ fragmentsHeld: 0, fragmentsUnmatched: 0 });
  });

  it('last fragment first: the early ones are held, then join the flow of the first fragment', () => {
    const frags = v4Fragments().reverse();
    const t = table();
    feed(t, frags);
    const [f] = flowRows(t.flush('end'));
    expect([f!.orig, f!.origPort, f!.origPkts, f!.origBytes]).toEqual(['10.3.0.1', 3333, 3, sumLen(frags)]);
    // the flow starts at the first fragment seen, not at the first fragment of the datagram
    expect(f!.firstNs).toBe(BigInt(T0) * 1_000_000_000n);
    expect(t.stats().fragmentsHeld).toBe(2);
  });

  it('fragments whose first fragment never comes: a flow without ports, counted at flush', () => {
    const frags = v4Fragments().slice(1);
    const t = table();
    expect(feed(t, frags)).toEqual([]);
    const [f] = flowRows(t.flush('end'));
    expect([f!.proto, f!.orig, f!.resp, f!.origPort, f!.respPort, f!.origPkts, f!.origBytes]).toEqual([
      17, '10.3.0.1', '10.3.0.2', 0, 0, 2, sumLen(frags),
    ]);
    expect(f!.keyFlags & FlowKeyFlag.NoPorts).toBe(FlowKeyFlag.NoPorts);
    expect(t.stats()).toMatchObject({ fragmentsHeld: 2, fragmentsUnmatched: 2 });
  });

  it('... or once fragmentTimeoutSec has passed (then the flow times out like any other)', () => {
    const t = table({ fragmentTimeoutSec: 10, udpIdleTimeoutSec: 60 });
    feed(t, v4Fragments().slice(1));
    t.advance(T0 + 9);
    expect(t.stats().fragmentsUnmatched).toBe(0);
    t.advance(T0 + 11);
    expect(t.stats()).toMatchObject({ fragmentsUnmatched: 2, active: 1 });
    // its last packet was at T0 + 0.002: idle 60 s later
    expect(flowRows(t.advance(T0 + 61)).map((f) => [f.origPkts, f.end])).toEqual([[2, 'idle']]);
  });

  it('datagrams with the same id from different sources do not mix', () => {
    const a = v4Fragments(9, '10.3.0.1');
    const b = v4Fragments(9, '10.3.0.5');
    const t = table();
    feed(t, [a[0]!, b[1]!, a[1]!, b[0]!, a[2]!, b[2]!]);
    const rows = flowRows(t.flush('end')).map((f) => [f.orig, f.origPort, f.origPkts]);
    expect(rows.sort()).toEqual([['10.3.0.1', 3333, 3], ['10.3.0.5', 3333, 3]]);
  });

  it('a full fragment cache settles its oldest datagram early (counted without ports) and counts that', () => {
    const t = table({ maxFragments: 1 });
    const a = v4Fragments(1);
    const b = v4Fragments(2);
    feed(t, [a[2]!, b[2]!, a[0]!, b[0]!]);
    const rows = flowRows(t.flush('end')).map((f) => [f.origPort, f.origPkts]);
    // room for one datagram: b's entry pushed a's out (a's held last fragment went to the
    // portless flow), a's first fragment pushed b's out (b's too), b's first fragment pushed
    // a's (settled) out: 2 fragments without ports, 2 with, 3 datagrams forgotten early
    expect(rows.sort()).toEqual([[0, 2], [3333, 2]]);
    expect(t.stats()).toMatchObject({ fragmentEntriesDropped: 3, fragmentsUnmatched: 2 });
  });
});

describe('IPv6 fragments', () => {
  function v6Fragments(id = 0x1234): Uint8Array[] {
    const ip = { src: '2001:db8:6::1', dst: '2001:db8:6::2' };
    const first = buildIpPacket({ ...ip, frag6: { offset: 0, more: true, id } }, { kind: 'udp', sport: 5353, dport: 53 }, new Uint8Array(120));
    const second = buildIpPacket({ ...ip, frag6: { offset: 128, more: false, id } }, { kind: 'raw', proto: 17 }, new Uint8Array(64));
    const eth = (p: Uint8Array) => concat(Uint8Array.of(2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd), p);
    return [eth(first), eth(second)];
  }
  const len6 = (f: Uint8Array) => 40 + ((f[18]! << 8) | f[19]!);

  it('both fragments count in the flow of the first', () => {
    const frags = v6Fragments();
    const t = table();
    feed(t, frags);
    const [f] = flowRows(t.flush('end'));
    expect([f!.orig, f!.origPort, f!.respPort, f!.origPkts, f!.origBytes]).toEqual([
      full('2001:db8:6::1'), 5353, 53, 2, len6(frags[0]!) + len6(frags[1]!),
    ]);
  });

  it('a later fragment alone is a flow without ports of its upper protocol (UDP)', () => {
    const t = table();
    feed(t, v6Fragments().slice(1));
    const [f] = flowRows(t.flush('end'));
    expect([f!.proto, f!.origPort, f!.origPkts, (f!.keyFlags & FlowKeyFlag.NoPorts) !== 0]).toEqual([17, 0, 1, true]);
  });
});

describe('a fragmented tunnel packet', () => {
  it('the continuation of an outer fragment adds a packet but no IP bytes to the inner flow', () => {
    const inner = innerUdp(false, 200); // 240-byte inner IP packet
    const greHdr = Uint8Array.of(0, 0, 0x08, 0x00);
    const frags = buildIPv4Fragments(
      { ip: { src: '192.0.2.1', dst: '192.0.2.2', id: 77 }, l4: { kind: 'raw', proto: 47 }, payload: concat(greHdr, inner) },
      128,
    );
    expect(frags).toHaveLength(2);
    const t = table();
    feed(t, frags);
    const [f, ...rest] = flowRows(t.flush('end'));
    expect(rest).toEqual([]);
    expect([f!.orig, f!.origPort, f!.origPkts, f!.origBytes, f!.tunnels.map((x) => x.type)]).toEqual([
      '10.9.0.1', 1111, 2, inner.length, ['gre'],
    ]);
  });
});

describe('first fragments and ports', () => {
  it('a first fragment cut before its ports counts in a flow without ports; its datagram follows it', () => {
    const frags = v4Fragments(3);
    const cut = frags[0]!.slice(0, 14 + 20 + 2); // Ethernet + IPv4 + half a UDP header
    const t = table();
    feed(t, [cut, frags[1]!, frags[2]!]);
    const rows = flowRows(t.flush('end'));
    expect(rows.map((f) => [f.origPort, f.origPkts, (f.keyFlags & FlowKeyFlag.NoPorts) !== 0])).toEqual([[0, 3, true]]);
  });

  it('keeps counting a frame that is not a fragment but has no transport header (protocol 59)', () => {
    const t = table();
    feed(t, [buildFrame({ ip: { src: '2001:db8::1', dst: '2001:db8::2' } })]);
    expect(flowRows(t.flush('end')).map((f) => [f.proto, f.origPkts])).toEqual([[59, 1]]);
  });
});
