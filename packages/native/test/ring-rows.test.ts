/**
 * Ring.open({ rows: false }): batches without descriptor rows, for readers
 * that never look at a single packet (a flows-only worker). Such a ring must
 * deliver exactly what a ring with rows delivers (the same batches, counts,
 * bytes and data, the same flows ended the same way, the same packets per
 * cluster slot of a file), only with every column empty.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedPcaps } from '../../../test/support/pcaps.js';
import { Ring, type RingOptions } from '../src/index.js';
import { mixedTraffic, writePcapFile } from './support/capture-files.js';
import { flowRows, type FlowRow } from './support/flow-frames.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-ring-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mixed = path.join(dir, 'mixed.pcap');
writePcapFile(mixed, mixedTraffic(900).map((p, i) => ({ tsSec: 1_700_000_000 + Math.floor(i / 100), tsNsec: (i % 100) * 1000, data: p.data })));

const COLUMNS = ['dataOff', 'tsSec', 'tsNsec', 'caplen', 'len', 'l3Off', 'l4Off', 'payloadOff', 'ipVersion', 'proto', 'sport', 'dport', 'vlan', 'src4', 'dst4', 'hash', 'flags', 'ifindex', 'direction', 'ipLen', 'tcpFlags'] as const;

interface Read {
  batches: { count: number; bytes: number; dataLength: number; columnLengths: number[] }[];
  flows: FlowRow[];
}

async function read(options: RingOptions): Promise<Read> {
  const ring = Ring.open(options);
  const out: Read = { batches: [], flows: [] };
  for await (const b of ring) {
    out.batches.push({ count: b.count, bytes: b.bytes, dataLength: b.data.length, columnLengths: COLUMNS.map((c) => b[c].length) });
    if (b.flows) out.flows.push(...flowRows(b.flows));
  }
  ring.close();
  return out;
}

const withoutColumns = (r: Read) => ({ ...r, batches: r.batches.map(({ columnLengths: _, ...rest }) => rest) });

describe('Ring.open({ rows: false })', () => {
  it('delivers the same batches and flows as a ring with rows, with every column empty', async () => {
    const rows = await read({ file: mixed, flows: true, maxBatch: 64 });
    const none = await read({ file: mixed, flows: true, maxBatch: 64, rows: false });
    expect(rows.batches.length).toBeGreaterThan(10);
    expect(rows.flows.length).toBeGreaterThan(100);
    expect(withoutColumns(none)).toEqual(withoutColumns(rows));
    expect(rows.batches.filter((b) => b.count > 0).every((b) => b.columnLengths.every((n) => n >= b.count))).toBe(true);
    expect(none.batches.every((b) => b.columnLengths.every((n) => n === 0))).toBe(true);
  });

  it('keeps the same packets in every cluster slot of a file (the hash is still computed to choose them)', async () => {
    for (const type of ['per-flow', 'per-flow-5-tuple', 'round-robin'] as const) {
      for (const index of [0, 1, 2]) {
        const slot = { file: mixed, flows: true, cluster: { id: 7, type }, clusterSlot: { index, count: 3 } } as const;
        const rows = await read(slot);
        const none = await read({ ...slot, rows: false });
        expect(withoutColumns(none), `${type} slot ${index}`).toEqual(withoutColumns(rows));
        expect(rows.batches.reduce((n, b) => n + b.count, 0)).toBeGreaterThan(100);
      }
    }
  });

  const shared = (sharedPcaps() ?? []).filter((r) => !r.unsupported).slice(0, 12);
  it.skipIf(shared.length === 0)('agrees with rows on shared captures (tunnels, fragments, damage)', async () => {
    for (const row of shared) {
      const opts = { file: row.file, flows: true } as const;
      const a = await read(opts).catch((err: Error) => err.message);
      const b = await read({ ...opts, rows: false }).catch((err: Error) => err.message);
      expect(typeof b === 'string' ? b : withoutColumns(b), row.localPath).toEqual(typeof a === 'string' ? a : withoutColumns(a));
    }
  });

  it('rejects a rows option that is not a boolean, with the other problems', () => {
    expect(() => Ring.open({ file: mixed, rows: 'no' as never, maxBatch: 0 })).toThrow(/rows must be true or false, got "no"[\s\S]*maxBatch|maxBatch[\s\S]*rows must be true or false, got "no"/);
  });
});
