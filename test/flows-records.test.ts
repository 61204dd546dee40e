/**
 * Flow records as users see them (DESIGN section 6): field names and order,
 * JSON lines, nanosecond times, RFC 5952 addresses, tunnel parents that name
 * the outer endpoints tshark sees (`*.tshark-flows-outer.tsv`), and the
 * formatting rules on hand-made columns.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowRecordAt, flowRecordJson, flowRecords, protoName, type FlowColumns, type FlowRecord } from '@pfwork/core';
import { Ring } from '@pfwork/native';
import { readTsharkFlows, sharedPcaps, sharedPcapsDir } from './support/pcaps.js';
import { tsharkTimeNs } from './support/flows-tshark.js';

const rows = sharedPcaps();

async function recordsOf(file: string): Promise<{ records: FlowRecord[]; lastNs: bigint[] }> {
  const ring = Ring.open({ file, flows: true });
  const records: FlowRecord[] = [];
  const lastNs: bigint[] = [];
  for await (const b of ring) {
    const f = b.flows!;
    records.push(...flowRecords(f, 3));
    for (let i = 0; i < f.count; i++) lastNs.push(BigInt(f.lastSec[i]!) * 1_000_000_000n + BigInt(f.lastNsec[i]!));
  }
  ring.close();
  return { records, lastNs };
}

const DESIGN_ORDER = [
  'type', 'worker', 'ts', 'duration', 'proto', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'vlan',
  'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'history', 'end_reason', 'ts_ns',
];

describe.skipIf(!rows)('records from real captures', () => {
  it('have the DESIGN fields in its order, then ts_ns; JSON lines round-trip', async () => {
    const { records } = await recordsOf(path.join(sharedPcapsDir, 'ndpi/tests/cfgs/default/pcap/nano.pcapng'));
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(Object.keys(r)).toEqual(DESIGN_ORDER);
    expect(r).toMatchObject({ type: 'flow', worker: 3, proto: 'tcp', 'id.orig_h': '192.168.88.231', 'id.orig_p': 59642, vlan: 0, history: 'ShADad', end_reason: 'end' });
    const line = flowRecordJson(r);
    expect(line.startsWith('{"type":"flow","worker":3,"ts":1721295318.9767554,"duration":')).toBe(true);
    expect(JSON.parse(line)).toEqual(r);
  });

  it('keep nanosecond times exactly: ts_ns is tshark\'s first time, duration * 1e9 rounds to the exact span', async () => {
    for (const name of ['ndpi/tests/cfgs/default/pcap/nano.pcapng', 'tcpdump/tests/tcp-handshake-nano.pcap']) {
      const file = path.join(sharedPcapsDir, name);
      const { records, lastNs } = await recordsOf(file);
      const t = readTsharkFlows(`${file}.tshark-flows.tsv`);
      expect(records.map((r) => r.ts_ns)).toEqual(t.map((x) => String(tsharkTimeNs(x.first_ts!))));
      records.forEach((r, i) => {
        expect(BigInt(Math.round(r.duration * 1e9))).toBe(lastNs[i]! - BigInt(r.ts_ns));
        expect(r.ts).toBeCloseTo(Number(BigInt(r.ts_ns) / 1000n) / 1e6, 6);
      });
    }
  });

  const tunneled = (rows ?? []).filter((r) => !r.damaged && r.features.some((f) => /gre|vxlan|geneve|teredo|ip-in-ip|erspan|gtp/.test(f)));
  for (const row of tunneled) {
    it(`tunnel parents name the outer endpoints tshark sees: ${row.localPath}`, async () => {
      const { records } = await recordsOf(row.file);
      const outer = readTsharkFlows(`${row.file}.tshark-flows-outer.tsv`).filter((x) => x.proto !== 'non-ip');
      const withParents = records.filter((r) => r.tunnel_parents);
      // where tshark's inner and outer tables differ, some flow was inside a tunnel
      const pairs = (t: Record<string, string>[]) => t.filter((x) => x.proto !== 'non-ip').map((x) => `${x.a_addr} ${x.b_addr}`).sort().join();
      const entered = pairs(readTsharkFlows(`${row.file}.tshark-flows.tsv`)) !== pairs(outer);
      expect(withParents.length > 0).toBe(entered);
      for (const r of withParents) {
        const m = /^(ip|gre|erspan|vxlan|geneve|gtp-u|teredo) (\S+) (\S+)( (key|session|vni|teid)=\d+)?$/.exec(r.tunnel_parents![0]!);
        expect(m, r.tunnel_parents![0]).not.toBeNull();
        const ep = (s: string) => {
          const v6 = /^\[(.+)\]:(\d+)$/.exec(s);
          if (v6) return `${v6[1]} ${v6[2]}`;
          const [a, p] = s.includes('.') && s.includes(':') ? s.split(':') : [s, undefined];
          return p === undefined ? `${a} -` : `${a} ${p}`;
        };
        const mine = [ep(m![2]!), ep(m![3]!)].sort();
        const found = outer.some((o) => {
          const theirs = [`${o.a_addr} ${o.a_port}`, `${o.b_addr} ${o.b_port}`].sort();
          const noPorts = mine.every((e) => e.endsWith(' -'));
          return noPorts ? theirs.map((e) => e.split(' ')[0]).join() === mine.map((e) => e.split(' ')[0]).join() : theirs.join() === mine.join();
        });
        expect(found, `${r.tunnel_parents![0]} among tshark's outer flows`).toBe(true);
      }
    });
  }

  it('IPv4 in IPv4: the parent is the outer address pair', async () => {
    const { records } = await recordsOf(path.join(sharedPcapsDir, 'ndpi/tests/cfgs/default/pcap/4in4tunnel.pcap'));
    // five packets hours apart: five flows (UDP idle timeout), each with the same parent and tags
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => JSON.stringify([r.tunnel_parents, r.vlan, r.inner_vlan])))).toEqual(
      new Set([JSON.stringify([['ip 69.67.35.146 41.202.46.110'], 1624, 505])]),
    );
  });
});

/** A one-row FlowColumns built by hand (what @pfwork/native's FlowBatch carries). */
function columns(o: {
  v?: number; orig?: number[]; resp?: number[]; proto?: number; firstSec?: number; firstNsec?: number; lastSec?: number; lastNsec?: number;
  innerVlan?: number; end?: number; history?: string; tunnels?: { type: number; v: number; src: number[]; dst: number[]; sport: number; dport: number; id?: number }[];
}): FlowColumns {
  const addr = (b: number[] = []) => Uint8Array.from([...b, ...new Array(16 - b.length).fill(0)]);
  const t = o.tunnels ?? [];
  const cat = (xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]));
  return {
    count: 1,
    firstSec: [o.firstSec ?? 1_700_000_000], firstNsec: [o.firstNsec ?? 0],
    lastSec: [o.lastSec ?? o.firstSec ?? 1_700_000_000], lastNsec: [o.lastNsec ?? o.firstNsec ?? 0],
    origPkts: [1], origBytes: [60], respPkts: [0], respBytes: [0],
    origAddr: addr(o.orig ?? [10, 0, 0, 1]), respAddr: addr(o.resp ?? [10, 0, 0, 2]),
    origPort: [1], respPort: [2], vlan: [7], innerVlan: [o.innerVlan ?? 0],
    proto: [o.proto ?? 17], ipVersion: [o.v ?? 4], endReason: [o.end ?? 4],
    tunnelStart: [0], tunnelCount: [t.length],
    tunnels: {
      id: t.map((x) => x.id ?? 0), sport: t.map((x) => x.sport), dport: t.map((x) => x.dport),
      src: cat(t.map((x) => addr(x.src))), dst: cat(t.map((x) => addr(x.dst))),
      type: t.map((x) => x.type), ipVersion: t.map((x) => x.v), hasId: t.map((x) => (x.id === undefined ? 0 : 1)),
    },
    history: () => o.history ?? '',
  };
}

const v6 = (...words: number[]) => words.flatMap((w) => [w >> 8, w & 0xff]);

describe('formatting rules', () => {
  it('IPv6 addresses in RFC 5952 text: longest zero run compressed, first on a tie, single zero groups kept', () => {
    const r = flowRecordAt(columns({ v: 6, orig: v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), resp: v6(0x2001, 0, 0, 1, 0, 0, 0, 1), proto: 58 }), 0, 0);
    expect([r['id.orig_h'], r['id.resp_h'], r.proto]).toEqual(['2001:db8::1:0:0:1', '2001:0:0:1::1', 'icmp6']);
    const mapped = flowRecordAt(columns({ v: 6, orig: v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201), resp: v6(0xfe80, 0, 0, 0, 0, 0, 0, 0) }), 0, 0);
    expect([mapped['id.orig_h'], mapped['id.resp_h']]).toEqual(['::ffff:192.0.2.1', 'fe80::']);
  });

  it('protocol names for the common ones, the number otherwise', () => {
    expect([1, 6, 17, 58, 132, 47, 59].map(protoName)).toEqual(['icmp', 'tcp', 'udp', 'icmp6', 'sctp', '47', '59']);
  });

  it('ts_ns is exact for any time, ts and duration are seconds', () => {
    const r = flowRecordAt(columns({ firstSec: 1_700_000_000, firstNsec: 5, lastSec: 1_700_000_001, lastNsec: 4 }), 0, 0);
    expect([r.ts_ns, r.duration]).toEqual(['1700000000000000005', 0.999999999]);
    expect(flowRecordAt(columns({ firstSec: 0, firstNsec: 42 }), 0, 0).ts_ns).toBe('42');
  });

  it('end reasons by name; inner_vlan only with a second tag; tunnel parents with brackets, ports and ids as the type has them', () => {
    const r = flowRecordAt(columns({
      end: 0, innerVlan: 200, history: 'ShAF',
      tunnels: [
        { type: 2, v: 4, src: [192, 0, 2, 1], dst: [192, 0, 2, 2], sport: 0, dport: 0, id: 77 },
        { type: 4, v: 6, src: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), dst: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2), sport: 50000, dport: 4789, id: 42 },
        { type: 1, v: 4, src: [10, 0, 0, 1], dst: [10, 0, 0, 2], sport: 0, dport: 0 },
      ],
    }), 0, 1);
    expect(r).toMatchObject({ worker: 1, end_reason: 'fin', history: 'ShAF', vlan: 7, inner_vlan: 200 });
    expect(r.tunnel_parents).toEqual([
      'gre 192.0.2.1 192.0.2.2 key=77',
      'vxlan [2001:db8::1]:50000 [2001:db8::2]:4789 vni=42',
      'ip 10.0.0.1 10.0.0.2',
    ]);
    const plain = flowRecordAt(columns({ end: 6 }), 0, 0);
    expect(plain.end_reason).toBe('evicted');
    expect('inner_vlan' in plain || 'tunnel_parents' in plain).toBe(false);
  });
});
