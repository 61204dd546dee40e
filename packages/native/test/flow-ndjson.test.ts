/**
 * FlowBatch.ndjson() (cpp/flow_ndjson.cc): the `--flows` text of a batch in
 * one native call. Here: the number text it shares with JS (js_number.cc
 * against Number.prototype.toString), row ranges, empty batches, batches that
 * outlive their table or ring, and every way a call can be wrong. That the
 * text equals @pfwork/core's flowRecordLineAt on every flow of real captures
 * is test/flows-ndjson-native.test.ts (native does not import core).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcapFile } from '../../core/src/craft/index.js';
import { FlowTable, Ring, emptyFlowBatch, flowBatchFromNative, loadNative, type FlowBatch } from '../src/index.js';
import { TcpTalk, udp } from './support/flow-frames.js';

const T0 = 1_700_000_000;
const dir = mkdtempSync(path.join(tmpdir(), `pfw-flow-ndjson-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A batch of `n` one-packet UDP flows (half IPv4, half IPv6) from a closed table. */
function syntheticBatch(n: number): FlowBatch {
  const t = new FlowTable();
  t.insertSyntheticForTest(n - (n >> 1), T0);
  t.insertSyntheticForTest(n >> 1, T0 + 1, true);
  const b = t.flush('end');
  t.close();
  return b;
}

const lines = (text: string) => text.split('\n').slice(0, -1);

describe('number text (js_number.cc) is Number.prototype.toString', () => {
  it('for 300,000 doubles: random bit patterns, timestamps, durations, tiny and huge values, and the edges', () => {
    const n = 300_000;
    const v = new Float64Array(n);
    const bits = new Uint32Array(v.buffer);
    let s = 0x9e3779b9;
    const rnd = () => {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s;
    };
    for (let i = 0; i < n; i++) {
      switch (i % 5) {
        case 0: bits[2 * i] = rnd(); bits[2 * i + 1] = rnd(); break; // any double, NaN payloads included
        case 1: v[i] = T0 + (rnd() % 100_000_000) + (rnd() % 1e9) / 1e9; break; // ts
        case 2: v[i] = (rnd() % 100_000) + ((rnd() % 1e9) - 5e8) / 1e9; break; // duration, either sign
        case 3: v[i] = ((rnd() % 1000) / 1e9) * (rnd() & 1 ? 1 : -1); break; // sub-microsecond
        default: v[i] = (rnd() / 7) * 10 ** ((rnd() % 80) - 40);
      }
    }
    const edges = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 1 / 3, 4.35, 1e-7, 1e-6, 0.000001234, 123e-20, 1e21, 1e21 - 65536, 9.999999999999999e20,
      1e22, 2 ** 53, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 64, -(2 ** 60), 5e-324, 1.7976931348623157e308, NaN, Infinity, -Infinity];
    const all = Float64Array.from([...v, ...edges]);
    const got = (loadNative().jsNumberTextForTest(all) as string).split('\n');
    let bad = 0;
    for (let i = 0; i < all.length; i++) {
      if (got[i] !== String(all[i])) {
        bad++;
        if (bad < 5) expect({ value: all[i], text: got[i] }).toEqual({ value: all[i], text: String(all[i]) });
      }
    }
    expect(bad).toBe(0);
  });
});

describe('FlowBatch.ndjson()', () => {
  it('writes every row: one line each, in row order, each a JSON object of that worker', () => {
    const b = syntheticBatch(1000);
    const text = b.ndjson(7);
    expect(text.endsWith('\n')).toBe(true);
    const ls = lines(text);
    expect(ls).toHaveLength(1000);
    for (let i = 0; i < ls.length; i++) {
      const r = JSON.parse(ls[i]!) as Record<string, unknown>;
      expect(r.type).toBe('flow');
      expect(r.worker).toBe(7);
      expect(r['id.orig_p']).toBe(b.origPort[i]);
      expect(r.end_reason).toBe('end');
    }
    expect(lines(b.ndjson(7)).filter((l) => l.includes('"id.orig_h":"2001:db8::')).length).toBe(500);
  });

  it('row ranges [from, to) are the same lines as the whole, and join back to it', () => {
    const b = syntheticBatch(300);
    const whole = b.ndjson(1);
    const ls = lines(whole);
    for (const [from, to] of [[0, 0], [0, 1], [5, 6], [17, 140], [299, 300], [0, 300], [300, 300]] as const) {
      expect(b.ndjson(1, from, to)).toBe(ls.slice(from, to).map((l) => l + '\n').join(''));
    }
    expect(b.ndjson(1, 0, 100) + b.ndjson(1, 100, 250) + b.ndjson(1, 250)).toBe(whole);
    expect(b.ndjson(1, 120)).toBe(ls.slice(120).map((l) => l + '\n').join(''));
  });

  it('an empty batch and an empty range give the empty string', () => {
    expect(emptyFlowBatch().ndjson(0)).toBe('');
    expect(emptyFlowBatch().ndjson(3, 0, 0)).toBe('');
    expect(syntheticBatch(4).ndjson(0, 2, 2)).toBe('');
  });

  it('a batch outlives the FlowTable that made it: the same text after close()', () => {
    const t = new FlowTable();
    t.insertSyntheticForTest(50, T0);
    const b = t.flush('stop');
    const before = b.ndjson(2);
    t.close();
    expect(() => t.flush()).toThrow(expect.objectContaining({ code: 'PFW_CLOSED' }));
    expect(b.ndjson(2)).toBe(before);
    expect(lines(before)).toHaveLength(50);
    expect(before).toContain('"end_reason":"stop"');
  });

  it("a Ring's batches format after the ring is closed, and so do the flows close() ended", async () => {
    const file = path.join(dir, 'ring.pcap');
    const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    writePcapFile(file, [
      { tsSec: T0, tsNsec: 1, data: udp('10.1.0.1', 1000, '10.1.0.2', 53) },
      { tsSec: T0 + 100, tsNsec: 2, data: udp('10.1.0.3', 1000, '10.1.0.2', 53) }, // the first flow idles out
      { tsSec: T0 + 100, tsNsec: 3, data: talk.send('c', 'S') },
    ]);
    const ring = Ring.open({ file, flows: true, maxBatch: 1 });
    const kept: FlowBatch[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = await ring.nextBatch();
      if (batch?.flows?.count) kept.push(batch.flows);
    }
    ring.close();
    const atClose = ring.flushFlows();
    expect(kept.map((f) => f.count)).toEqual([1]);
    expect(kept[0]!.ndjson(0)).toMatch(/^\{"type":"flow","worker":0,.*"id.orig_h":"10.1.0.1".*"end_reason":"idle".*\}\n$/);
    const stopped = lines(atClose.ndjson(0));
    expect(stopped).toHaveLength(2);
    for (const l of stopped) expect(JSON.parse(l)).toMatchObject({ end_reason: 'stop' });
  });

  it('rejects a worker that is not an integer from 0 to 4294967295', () => {
    const b = syntheticBatch(2);
    expect(lines(b.ndjson(4294967295))[0]).toContain('"worker":4294967295,');
    for (const w of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => b.ndjson(w)).toThrow(
        expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message: `FlowBatch.ndjson: worker must be an integer from 0 to 4294967295, got ${w}` }),
      );
    }
  });

  it('rejects a row range outside 0 <= from <= to <= count', () => {
    const b = syntheticBatch(10);
    for (const [from, to] of [[-1, 3], [4, 3], [0, 11], [11, 11], [0.5, 2], [0, Number.NaN]]) {
      expect(() => b.ndjson(0, from, to)).toThrow(
        expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message: `FlowBatch.ndjson: rows must satisfy 0 <= from <= to <= count (10), got from ${from}, to ${to}` }),
      );
    }
  });

  it('a batch whose buffer was transferred away throws a clear error instead of reading it', () => {
    const b = syntheticBatch(5);
    structuredClone(b.firstSec.buffer, { transfer: [b.firstSec.buffer as ArrayBuffer] });
    expect(() => b.ndjson(0)).toThrow(
      expect.objectContaining({
        code: 'PFW_INVALID_ARGUMENT',
        message: "FlowBatch.ndjson: this FlowBatch's buffer was detached (transferred to another thread): format the batch before transferring it",
      }),
    );
    expect(b.ndjson(0, 0, 0)).toBe('');
  });
});

describe('the native entry point checks what it reads (a call from elsewhere throws, never reads outside)', () => {
  const native = loadNative();

  it('a buffer smaller than the layout of count and tunnelCount', () => {
    const b = syntheticBatch(3);
    const buf = b.firstSec.buffer as ArrayBuffer;
    expect(() => native.flowNdjson(buf, 4, 0, 0, 0, 4)).toThrow(
      expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message: expect.stringMatching(/^flowNdjson: the buffer holds \d+ bytes; a FlowBatch of 4 flows and 0 tunnel layers needs \d+$/) }),
    );
    expect(() => native.flowNdjson(new ArrayBuffer(8), 1, 0, 0, 0, 1)).toThrow(expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT' }));
    expect(native.flowNdjson(buf, 3, 0, 0, 0, 3)).toBe(b.ndjson(0));
  });

  it('a row naming tunnel layers past the tunnel columns', () => {
    const big = new ArrayBuffer(4096);
    const b = flowBatchFromNative({ buffer: big, count: 2, tunnelCount: 1 });
    b.ipVersion[0] = 4;
    b.ipVersion[1] = 4;
    b.tunnelCount[0] = 1; // layer 0: fine
    b.tunnelStart[1] = 1;
    b.tunnelCount[1] = 1; // layer 1 of 1: past the end
    expect(lines(b.ndjson(0, 0, 1))).toHaveLength(1);
    expect(() => b.ndjson(0)).toThrow(
      expect.objectContaining({ code: 'PFW_INVALID_ARGUMENT', message: 'flowNdjson: flow 1 names tunnel layers 1-1 of 1: not a FlowBatch hand-over' }),
    );
  });

  it('arguments of the wrong type', () => {
    expect(() => native.flowNdjson(new Uint8Array(8), 0, 0, 0, 0, 0)).toThrow('flowNdjson: buffer must be an ArrayBuffer');
    expect(() => native.flowNdjson(new ArrayBuffer(8), -1, 0, 0, 0, 0)).toThrow('flowNdjson: count must be a non-negative integer');
    expect(() => native.flowNdjson(new ArrayBuffer(8), 1, 0, 0, 1, 0)).toThrow(
      'flowNdjson: rows must satisfy 0 <= from <= to <= count (1), got from 1, to 0',
    );
  });
});
