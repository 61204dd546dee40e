/**
 * FlowBatch.ndjson() (the `--flows` text written in C++, cpp/flow_ndjson.cc)
 * must be exactly core's flowRecordLineAt (= JSON.stringify(flowRecordAt()))
 * for every row, each line followed by '\n': every flow of every shared
 * capture, generated captures (the bench generator's mix; VLAN/QinQ, MPLS,
 * PPPoE, IPv6 with extension headers, ICMP/ICMPv6, SCTP, fragments; every
 * tunnel encapsulation with IPv4 and IPv6 outer layers), and hand-filled
 * columns with the values a native text writer could get wrong (escapes and
 * Latin-1 history bytes, IPv6 compression cases, numbers past 2^53, NaN,
 * unknown codes, 255 tunnel layers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flowRecordAt, flowRecordLineAt } from '@pfwork/core';
import { FlowTable, flowBatchFromNative, type FlowBatch } from '@pfwork/native';
import { generateCapture } from '../bench/gen/generate.js';
import {
  batchOf, buildIpPacket, concat, erspan2, erspan3, geneve, gre, gtpu, innerEthernet, ipInIp, outerUdp, pptpGre, teredo, vxlan,
} from '../packages/native/test/support/flow-frames.js';
import { writeEdgeCapture } from './support/edge-capture.js';
import { eachFlowBatch, eachSharedFlowBatch } from './support/flow-batches.js';
import { SHARED_PCAPS_SKIP, sharedPcaps } from './support/pcaps.js';

const rows = sharedPcaps();
const dir = mkdtempSync(path.join(tmpdir(), `pfw-ndjson-native-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The text flowRecordLineAt gives for rows [from, to), each line followed by '\n'. */
function jsText(f: FlowBatch, worker: number, from = 0, to = f.count): string {
  let s = '';
  for (let i = from; i < to; i++) s += flowRecordLineAt(f, i, worker) + '\n';
  return s;
}

/** Fails naming the first row whose native line differs. */
function expectSameText(f: FlowBatch, worker: number, where: string): void {
  const got = f.ndjson(worker);
  if (got === jsText(f, worker)) return;
  const lines = got.split('\n');
  for (let i = 0; i < f.count; i++) {
    expect({ where, flow: i, line: lines[i] }).toEqual({ where, flow: i, line: flowRecordLineAt(f, i, worker) });
  }
  expect(lines.length, `${where}: line count`).toBe(f.count + 1);
}

describe.skipIf(!rows)('FlowBatch.ndjson() on the shared captures', () => {
  if (!rows) it.skip(SHARED_PCAPS_SKIP, () => {});
  const usable = (rows ?? []).filter((r) => !r.unsupported);
  it(`equals flowRecordLineAt() for every flow of ${usable.length} captures`, async () => {
    const total = await eachSharedFlowBatch(usable, (f, file) => expectSameText(f, 5, file));
    expect(total).toBeGreaterThan(100);
  });
});

describe('FlowBatch.ndjson() on generated captures', () => {
  it("the bench generator's mix (20,000 packets, 2,000 flows: TCP, UDP, ICMP/ICMPv6, IPv6, VLAN)", async () => {
    const file = path.join(dir, 'gen.pcap');
    generateCapture(file, { packets: 20_000, flows: 2_000, seed: 11 });
    expect(await eachFlowBatch(file, (f) => expectSameText(f, 0, file))).toBeGreaterThanOrEqual(2_000);
  });

  it('the edge capture: QinQ, MPLS, PPPoE, IPv6 extension headers, ICMP/ICMPv6, SCTP, IPv4 fragments', async () => {
    const file = path.join(dir, 'edge.pcap');
    writeEdgeCapture(file);
    expect(await eachFlowBatch(file, (f) => expectSameText(f, 1, file))).toBeGreaterThan(150);
  });

  it('every tunnel encapsulation, IPv4 and IPv6 inside and outside, nested layers', () => {
    const frames: Uint8Array[] = [];
    let port = 1000;
    for (const v6 of [false, true]) {
      for (const wrap of [
        (p: Uint8Array) => ipInIp(p),
        (p: Uint8Array) => ipInIp(p, true),
        (p: Uint8Array) => gre(v6 ? 0x86dd : 0x0800, p),
        (p: Uint8Array) => gre(0x6558, innerEthernet(p), { key: 0xffffffff }),
        ...(v6 ? [] : [(p: Uint8Array) => pptpGre(p, 7)]), // PPP protocol 0x0021: IPv4 only
        (p: Uint8Array) => erspan2(innerEthernet(p), 100),
        (p: Uint8Array) => erspan3(innerEthernet(p), 200),
        (p: Uint8Array) => vxlan(innerEthernet(p), 42),
        (p: Uint8Array) => outerUdp(50001, 4789, concat(Uint8Array.of(0x08, 0, 0, 0, 0, 0, 0x2a, 0), innerEthernet(p)), true), // VXLAN over IPv6
        (p: Uint8Array) => geneve(innerEthernet(p), 0x6558, 7),
        (p: Uint8Array) => gtpu(p, 0x1234, true),
        (p: Uint8Array) => vxlan(innerEthernet(ipInIp(p).subarray(14)), 9), // IP-in-IP inside VXLAN: two layers
        ...(v6 ? [(p: Uint8Array) => teredo(p), (p: Uint8Array) => teredo(p, true)] : []),
      ]) {
        // one inner UDP flow per encapsulation (the key is the inner 5-tuple), both directions
        const [a, b] = v6 ? ['2001:db8:9::1', '2001:db8:9::2'] : ['10.9.0.1', '10.9.0.2'];
        port++;
        frames.push(wrap(buildIpPacket({ src: a, dst: b }, { kind: 'udp', sport: port, dport: 2222 }, new Uint8Array(12))));
        frames.push(wrap(buildIpPacket({ src: b, dst: a }, { kind: 'udp', sport: 2222, dport: port }, new Uint8Array(20))));
      }
    }
    const t = new FlowTable();
    const during = t.update(batchOf(frames.map((data, i) => ({ t: 1_700_000_000 + i * 0.001, data }))));
    const f = t.flush('end');
    t.close();
    expect(during.count).toBe(0);
    expect(f.count).toBe(port - 1000);
    let tunneled = 0;
    for (let i = 0; i < f.count; i++) if (f.tunnelCount[i]) tunneled++;
    expect(tunneled).toBe(f.count);
    expect(f.ndjson(3)).toContain('"tunnel_parents":["vxlan 192.0.2.1:50000 192.0.2.2:4789 vni=9","ip ');
    expect(f.ndjson(3)).toContain('"tunnel_parents":["vxlan [2001:db8:ff::1]:50001 [2001:db8:ff::2]:4789 vni=42"]');
    expectSameText(f, 3, 'tunnels');
  });
});

/** IPv6 addresses whose RFC 5952 text has a rule of its own (glibc's inet_ntop writes some of them differently). */
const V6_CASES: number[][] = [
  [], // ::
  [15, 1], // ::1
  [1, 1], // 1::
  [10, 0xff, 11, 0xff, 12, 192, 13, 0, 14, 2, 15, 1], // ::ffff:192.0.2.1
  [12, 1, 13, 2, 14, 3, 15, 4], // ::102:304, not ::1.2.3.4
  [15, 2], // ::2, not ::0.0.0.2
  [1, 1, 5, 2, 7, 3, 9, 4, 11, 5, 13, 6, 15, 7], // 1:0:2:3:4:5:6:7 (one zero group stays)
  [1, 1, 7, 2, 13, 3, 15, 4], // 1::2:0:0:3:4: the first of two equal runs
  [1, 1, 3, 2, 11, 3], // 1:2::3:0:0: the longer run
  Array.from({ length: 32 }, (_, k) => (k % 2 ? k : 0xff)).slice(0, 32), // no zero group
  [0, 0x20, 1, 0x01, 2, 0x0d, 3, 0xb8, 4, 0xab, 5, 0xcd, 15, 0x10],
];

/**
 * A FlowBatch over a buffer we fill through its own column views: `count`
 * rows and `tunnelRows` tunnel layers with every awkward value.
 */
function handFilled(): FlowBatch {
  const count = 48;
  const tunnelRows = 600;
  const f = flowBatchFromNative({ buffer: new ArrayBuffer(count * 200 + tunnelRows * 64 + 64), count, tunnelCount: tunnelRows });
  const firstSecs = [0, 1_700_000_000, 2 ** 53 + 2, 1e21, Number.NaN, Number.POSITIVE_INFINITY, 1, 4_000_000_000];
  const nsecs = [0, 5, 999_999_999, 4_294_967_295, 123_456_789];
  const counters = [0, 1, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, 1.5, -0, Number.NaN, 2 ** 64];
  const protos = [0, 1, 6, 17, 47, 58, 132, 255];
  let histByte = 1;
  for (let i = 0; i < count; i++) {
    f.firstSec[i] = firstSecs[i % firstSecs.length]!;
    f.firstNsec[i] = nsecs[i % nsecs.length]!;
    f.lastSec[i] = i % 7 === 3 ? 0 : f.firstSec[i]! + (i % 3);
    f.lastNsec[i] = nsecs[(i + 2) % nsecs.length]!;
    f.origPkts[i] = counters[i % counters.length]!;
    f.origBytes[i] = counters[(i + 1) % counters.length]!;
    f.respPkts[i] = counters[(i + 2) % counters.length]!;
    f.respBytes[i] = counters[(i + 3) % counters.length]!;
    f.ipVersion[i] = [4, 6, 0, 6][i % 4]!;
    const a = V6_CASES[i % V6_CASES.length]!;
    for (let k = 0; k + 1 < a.length; k += 2) f.origAddr[i * 16 + a[k]!] = a[k + 1]!;
    for (let k = 0; k < 16; k++) f.respAddr[i * 16 + k] = (i * 29 + k * 7) & 0xff;
    f.origPort[i] = i % 2 ? 65535 : i;
    f.respPort[i] = (i * 1000) & 0xffff;
    f.vlan[i] = i % 5 ? 4095 : 0;
    f.innerVlan[i] = [0, 1, 65535][i % 3]!;
    f.proto[i] = protos[i % protos.length]!;
    f.endReason[i] = [0, 1, 2, 3, 4, 5, 6, 7, 255][i % 9]!;
    // history: every byte value 1-255 somewhere (escapes, DEL, Latin-1), some rows full (no terminator), some empty
    const len = i < 16 ? 16 : i % 4 === 0 ? 0 : 1 + (i % 16);
    for (let k = 0; k < len; k++) {
      f.historyBytes[i * 16 + k] = histByte;
      histByte = histByte === 255 ? 1 : histByte + 1;
    }
  }
  // tunnel layers: every type (0-9, 255), versions 4/6/0, with and without ids
  for (let r = 0; r < tunnelRows; r++) {
    f.tunnels.type[r] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255][r % 11]!;
    f.tunnels.ipVersion[r] = [4, 6, 0][r % 3]!;
    f.tunnels.hasId[r] = r % 4 ? 1 : 0;
    f.tunnels.id[r] = r % 5 ? r * 1000 : 0xffffffff;
    f.tunnels.sport[r] = r % 2 ? 65535 : r;
    f.tunnels.dport[r] = 4789;
    const a = V6_CASES[r % V6_CASES.length]!;
    for (let k = 0; k + 1 < a.length; k += 2) f.tunnels.src[r * 16 + a[k]!] = a[k + 1]!;
    for (let k = 0; k < 16; k++) f.tunnels.dst[r * 16 + k] = (r + k) & 0xff;
  }
  let next = 0;
  for (let i = 0; i < count; i++) {
    const n = i === 40 ? 255 : i % 3 === 0 ? 0 : (i % 5) + 1;
    if (n === 0 || next + n > tunnelRows) continue;
    f.tunnelStart[i] = next;
    f.tunnelCount[i] = n;
    next += n;
  }
  return f;
}

describe('FlowBatch.ndjson() on hand-filled columns', () => {
  const f = handFilled();

  it('equals flowRecordLineAt() and JSON.stringify(flowRecordAt()) on every row, for several workers', () => {
    expect(f.tunnelCount[40]).toBe(255);
    for (const worker of [0, 17, 4294967295]) {
      expectSameText(f, worker, `hand-filled, worker ${worker}`);
      const lines = f.ndjson(worker).split('\n');
      for (let i = 0; i < f.count; i++) expect(lines[i]).toBe(JSON.stringify(flowRecordAt(f, i, worker)));
    }
  });

  it('covers what it claims: escapes, Latin-1 bytes, null numbers, exponent forms, RFC 5952 cases', () => {
    const text = f.ndjson(0);
    for (const piece of ['\\u0001', '\\b', '\\t', '\\n', '\\f', '\\r', '\\"', '\\\\', '\u007f', '\u00e9', '\u00ff', '"history":""',
      '"orig_pkts":null', '"ts":null', '"ts":1e+21', ':9007199254740994,', ':18446744073709552000,', '"orig_ip_bytes":1e+21',
      '"id.orig_h":"::"', '"id.orig_h":"::1"', '"id.orig_h":"1::"', '"id.orig_h":"::ffff:192.0.2.1"', '"id.orig_h":"::102:304"',
      '"id.orig_h":"::2"', '"id.orig_h":"1:0:2:3:4:5:6:7"', '"id.orig_h":"1::2:0:0:3:4"', '"id.orig_h":"1:2::3:0:0"',
      '"proto":"47"', '"proto":"sctp"', '"end_reason":"end"', '"inner_vlan":65535', '"ts_ns":"5"', '4294967295"']) {
      expect(text, piece).toContain(piece);
    }
    expect(text).toMatch(/"tunnel_parents":\["[^"]*"(,"[^"]*"){254}\]/);
    expect(text).toMatch(/"8 \[[0-9a-f:.]+\]:\d+ \[[0-9a-f:.]+\]:4789"/); // unknown type above 7: ported, no id name
  });

  it('row ranges of the hand-filled batch are the same lines as flowRecordLineAt', () => {
    for (const [from, to] of [[0, 1], [13, 29], [40, 41], [47, 48], [0, 48], [20, 20]] as const) {
      expect(f.ndjson(9, from, to)).toBe(jsText(f, 9, from, to));
    }
  });
});
