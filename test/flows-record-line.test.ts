/**
 * flowRecordLineAt (the `--flows` NDJSON line written straight from the
 * columns) must be exactly JSON.stringify(flowRecordAt(...)): every flow of
 * every shared capture, a generated capture (the bench generator's), and
 * hand-made columns with the values a text template could get wrong
 * (escapes, lone surrogates, NaN, -0, QinQ, tunnels, unknown codes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flowRecordAt, flowRecordLineAt, type FlowColumns } from '@pfwork/core';
import { generateCapture } from '../bench/gen/generate.js';
import { eachFlowBatch, eachSharedFlowBatch } from './support/flow-batches.js';
import { SHARED_PCAPS_SKIP, sharedPcaps } from './support/pcaps.js';

const rows = sharedPcaps();

/** Fails naming the first flow of `f` whose line differs from JSON.stringify(flowRecordAt()). */
function expectSameLines(f: FlowColumns, worker: number, file: string): void {
  for (let i = 0; i < f.count; i++) {
    const want = JSON.stringify(flowRecordAt(f, i, worker));
    const got = flowRecordLineAt(f, i, worker);
    if (got !== want) expect({ file, flow: i, got }).toEqual({ file, flow: i, got: want });
  }
}

describe.skipIf(!rows)('flowRecordLineAt on the shared captures', () => {
  if (!rows) it.skip(SHARED_PCAPS_SKIP, () => {});
  const usable = (rows ?? []).filter((r) => !r.unsupported);
  it(`equals JSON.stringify(flowRecordAt()) for every flow of ${usable.length} captures`, async () => {
    const total = await eachSharedFlowBatch(usable, (f, file) => expectSameLines(f, 5, file));
    expect(total).toBeGreaterThan(100);
  });
});

describe('flowRecordLineAt on a generated capture', () => {
  const dir = mkdtempSync(path.join(tmpdir(), `pfw-record-line-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('equals JSON.stringify(flowRecordAt()) for every flow (20,000 packets, 2,000 flows)', async () => {
    const file = path.join(dir, 'gen.pcap');
    generateCapture(file, { packets: 20_000, flows: 2_000, seed: 7 });
    expect(await eachFlowBatch(file, (f) => expectSameLines(f, 0, file))).toBeGreaterThanOrEqual(2_000);
  });
});

function columns(o: {
  v?: number; proto?: number; firstSec?: number; firstNsec?: number; lastSec?: number; lastNsec?: number; innerVlan?: number;
  end?: number; history?: string; bytes?: number; tunnels?: { type: number; v: number; sport: number; dport: number; id?: number }[];
}): FlowColumns {
  const addr = () => Uint8Array.from({ length: 16 }, (_, k) => (k * 37 + 1) & 0xff);
  const t = o.tunnels ?? [];
  const cat = (n: number) => Uint8Array.from({ length: 16 * n }, (_, k) => (k * 11) & 0xff);
  return {
    count: 1,
    firstSec: [o.firstSec ?? 1_700_000_000], firstNsec: [o.firstNsec ?? 123],
    lastSec: [o.lastSec ?? o.firstSec ?? 1_700_000_000], lastNsec: [o.lastNsec ?? 999_999_999],
    origPkts: [3], origBytes: [o.bytes ?? 180], respPkts: [0], respBytes: [0],
    origAddr: addr(), respAddr: addr(), origPort: [65535], respPort: [0], vlan: [4095], innerVlan: [o.innerVlan ?? 0],
    proto: [o.proto ?? 6], ipVersion: [o.v ?? 4], endReason: [o.end ?? 0],
    tunnelStart: [0], tunnelCount: [t.length],
    tunnels: {
      id: t.map((x) => x.id ?? 0), sport: t.map((x) => x.sport), dport: t.map((x) => x.dport),
      src: cat(t.length), dst: cat(t.length),
      type: t.map((x) => x.type), ipVersion: t.map((x) => x.v), hasId: t.map((x) => (x.id === undefined ? 0 : 1)),
    },
    history: () => o.history ?? 'ShADadFf',
  };
}

describe('flowRecordLineAt on hand-made columns', () => {
  const cases: [string, Parameters<typeof columns>[0]][] = [
    ['plain IPv4 TCP', {}],
    ['IPv6, unknown proto, unknown end code', { v: 6, proto: 47, end: 99 }],
    ['history needing escapes', { history: 'a"b\\c\n\u0000\u001f\u007f' }],
    ['history with lone and paired surrogates', { history: 'S\ud800x\udc00\ud83d\ude00' }],
    ['non-ASCII history', { history: 'Sé✓' }],
    ['NaN and infinite numbers', { bytes: Number.NaN, lastSec: Number.POSITIVE_INFINITY }],
    ['zero first time, negative duration', { firstSec: 0, firstNsec: 5, lastSec: 0, lastNsec: 0 }],
    ['QinQ', { innerVlan: 100 }],
    ['tunnels of every type', {
      tunnels: [0, 1, 2, 3, 4, 5, 6, 7, 9].map((type, k) => ({ type, v: k % 2 ? 6 : 4, sport: 1000 + k, dport: 4789, ...(k % 3 ? { id: k * 1000 } : {}) })),
    }],
  ];
  for (const [name, o] of cases) {
    it(name, () => {
      const c = columns(o);
      for (const worker of [0, 17]) expect(flowRecordLineAt(c, 0, worker)).toBe(JSON.stringify(flowRecordAt(c, 0, worker)));
    });
  }
});
