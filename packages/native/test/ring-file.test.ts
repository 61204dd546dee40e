import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFrame, writePcapFile } from '../../core/src/craft/index.js';
import { NextResult, Ring } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pfw-ring-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tcp(i: number) {
  return buildFrame({ ip: { src: `10.0.0.${1 + (i % 50)}`, dst: '10.0.1.1' }, l4: { kind: 'tcp', sport: 40000 + i, dport: 80, flags: 'S' } });
}

function fixture(name: string, n: number): string {
  const file = path.join(dir, name);
  writePcapFile(file, Array.from({ length: n }, (_, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 123_456_789, data: tcp(i) })));
  return file;
}

describe('Ring over a capture file', () => {
  it('yields batches with the descriptor columns filled', async () => {
    const file = fixture('basic.pcap', 600);
    const ring = Ring.open({ file, maxBatch: 256 });
    expect(ring.backend).toBe('pcap');
    expect(ring.linkTypeName).toBe('EN10MB');
    const counts: number[] = [];
    let seen = 0;
    for await (const b of ring) {
      counts.push(b.count);
      for (let i = 0; i < b.count; i++, seen++) {
        expect(b.tsSec[i]).toBe(1_700_000_000 + seen);
        expect(b.tsNsec[i]).toBe(123_456_789);
        expect(b.caplen[i]).toBe(54);
        expect(b.len[i]).toBe(54);
        expect(b.l3Off[i]).toBe(14);
        expect(b.l4Off[i]).toBe(34);
        expect(b.payloadOff[i]).toBe(54);
        expect(b.ipVersion[i]).toBe(4);
        expect(b.proto[i]).toBe(6);
        expect(b.sport[i]).toBe(40000 + seen);
        expect(b.dport[i]).toBe(80);
        expect(b.src4[i]).toBe((0x0a000000 | (1 + (seen % 50))) >>> 0);
        expect(b.dst4[i]).toBe(0x0a000101);
        expect(b.tcpFlags[i]).toBe(2);
        expect(Array.from(b.packet(i))).toEqual(Array.from(tcp(seen)));
      }
      expect(b.bytes).toBe(54 * b.count);
    }
    expect(counts).toEqual([256, 256, 88]);
    expect(seen).toBe(600);
    expect(ring.readBatch()).toBe(NextResult.End);
    expect(ring.stats()).toEqual({ received: 600, dropped: 0, delivered: 600 });
    ring.close();
  });
});
