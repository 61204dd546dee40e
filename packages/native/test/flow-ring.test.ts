/**
 * The flow table inside the Ring (Ring.open({ flows })): updated in C++ for
 * every delivered packet while the batch is built, finished flows handed over
 * with the batch in which they finished, the flows still open at the end of a
 * file in one last batch of count 0, and close() losing none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePcapFile } from '../../core/src/craft/index.js';
import { FLOW_END_NAMES, NextResult, Ring, type Batch, type FlowBatch } from '../src/index.js';
import { flowRows, TcpTalk, udp, type FlowRow } from './support/flow-frames.js';

const T0 = 1_700_000_000;
const dir = mkdtempSync(path.join(tmpdir(), `pfw-flow-ring-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** UDP a (2 packets), UDP b, 100 s of silence, UDP c, then a whole TCP connection. */
function capture(): string {
  const file = path.join(dir, 'flows.pcap');
  const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
  const tcp: [number, Uint8Array][] = [
    [200, talk.send('c', 'S')],
    [200.01, talk.send('s', 'SA')],
    [200.02, talk.send('c', 'A')],
    [200.03, talk.send('c', 'FA')],
    [200.04, talk.send('s', 'FA')],
    [200.05, talk.send('c', 'A')],
  ];
  const frames: [number, Uint8Array][] = [
    [0, udp('10.1.0.1', 1000, '10.1.0.2', 53)],
    [1, udp('10.1.0.2', 53, '10.1.0.1', 1000)],
    [2, udp('10.1.0.3', 2000, '10.1.0.2', 53)],
    [100, udp('10.1.0.4', 3000, '10.1.0.2', 53)],
    ...tcp,
  ];
  writePcapFile(file, frames.map(([t, data]) => ({ tsSec: T0 + Math.floor(t), tsNsec: Math.round((t % 1) * 1e6) * 1000, data })));
  return file;
}
const FILE = capture();

const summary = (rows: FlowRow[]) => rows.map((f) => `${f.orig}:${f.origPort} ${f.origPkts}/${f.respPkts} ${f.end}`).sort();

describe('Ring.open({ flows })', () => {
  it('hands finished flows over with the batch in which they finished, and the open ones in a last batch of count 0', async () => {
    const ring = Ring.open({ file: FILE, flows: { udpIdleTimeoutSec: 60 }, maxBatch: 2 });
    const seen: { firstTs: number; count: number; flows: string[] }[] = [];
    for await (const b of ring) seen.push({ firstTs: b.count ? b.tsSec[0]! - T0 : -1, count: b.count, flows: summary(flowRows(b.flows!)) });
    // batches of 2: [0,1] [2,100] [200,200.01] ... then the count-0 batch
    expect(seen[0]).toEqual({ firstTs: 0, count: 2, flows: [] });
    expect(seen[1]).toEqual({ firstTs: 2, count: 2, flows: ['10.1.0.1:1000 1/1 idle', '10.1.0.3:2000 1/0 idle'] });
    const last = seen[seen.length - 1]!;
    // c (at 100 s) timed out when the TCP packets came (200 s); the closed TCP flow lingers to the end
    expect(seen.find((s) => s.firstTs === 200)!.flows).toEqual(['10.1.0.4:3000 1/0 idle']);
    expect(last).toEqual({ firstTs: -1, count: 0, flows: ['10.0.0.1:51000 4/2 fin'] });
    expect(seen.reduce((n, s) => n + s.flows.length, 0)).toBe(4);
    expect(ring.flowTable!.stats()).toMatchObject({ packets: 10, created: 4, finished: 4, active: 0 });
    ring.close();
    expect(ring.flushFlows().count).toBe(0);
  });

  it('readBatch() users flush at the end themselves: flushFlows("end")', () => {
    const ring = Ring.open({ file: FILE, flows: true });
    const flows: FlowBatch[] = [];
    for (;;) {
      const b = ring.readBatch();
      if (typeof b === 'number') {
        expect(b).toBe(NextResult.End);
        break;
      }
      flows.push((b as Batch).flows!);
    }
    flows.push(ring.flushFlows('end'));
    const rows = flows.flatMap((f) => flowRows(f));
    // default UDP idle timeout is 60 s: a and b end idle when c comes 98 s later
    expect(summary(rows)).toEqual(['10.0.0.1:51000 4/2 fin', '10.1.0.1:1000 1/1 idle', '10.1.0.3:2000 1/0 idle', '10.1.0.4:3000 1/0 idle']);
    ring.close();
  });

  it('close() in the middle of a file ends the open flows with stop; flushFlows() returns them, once', async () => {
    const ring = Ring.open({ file: FILE, flows: true, maxBatch: 3 });
    const first = await ring.nextBatch();
    expect(first!.count).toBe(3);
    ring.close();
    const rows = flowRows(ring.flushFlows());
    expect(summary(rows)).toEqual(['10.1.0.1:1000 1/1 stop', '10.1.0.3:2000 1/0 stop']);
    expect(rows.map((r) => r.end).every((e) => FLOW_END_NAMES.includes(e as never))).toBe(true);
    expect(ring.flushFlows().count).toBe(0);
  });

  it('each ring of a software cluster tracks the flows of its own slot: together, the same flows, ended the same way', async () => {
    const all = async (opts: object) => {
      const ring = Ring.open({ file: FILE, flows: true, ...opts });
      const rows: FlowRow[] = [];
      for await (const b of ring) rows.push(...flowRows(b.flows!));
      ring.close();
      return rows;
    };
    const one = summary(await all({}));
    const slots = await Promise.all([0, 1].map((index) => all({ cluster: { id: 1, type: 'per-flow' }, clusterSlot: { index, count: 2 } })));
    expect(slots.every((s) => s.length > 0)).toBe(true);
    expect(summary(slots.flat())).toEqual(one);
  });

  it('a ring without flows has no batch.flows and no flow table', async () => {
    const ring = Ring.open({ file: FILE });
    const b = await ring.nextBatch();
    expect(b!.flows).toBeUndefined();
    expect(ring.flowTable).toBeNull();
    expect(() => ring.flushFlows()).toThrow('flushFlows: this ring was opened without flows (Ring.open({ ..., flows: true }))');
    ring.close();
  });

  it('rejects bad flow options with the ring options, every problem listed', () => {
    expect(() => Ring.open({ file: FILE, flows: { maxFlows: 0 } })).toThrow(
      'invalid ring options: flows.maxFlows must be an integer from 1 to 100000000, got 0',
    );
    expect(() => Ring.open({ file: FILE, flows: { maxFlows: 0, tcpIdleTimeoutSec: 0 } })).toThrow(
      'invalid ring options:\n- flows.maxFlows must be an integer from 1 to 100000000, got 0\n- flows.tcpIdleTimeoutSec must be a number of seconds above 0 and at most 31536000, got 0',
    );
    expect(() => Ring.open({ file: FILE, flows: 'yes' as never })).toThrow(
      'invalid ring options: flows must be true, false or an object of flow table options, got "yes"',
    );
  });
});
