/**
 * The flow table's TCP state, Zeek history letters, timeouts and ends, on
 * hand-built packet sequences fed through FlowTable.update (one native call
 * per batch, locate included). Time is packet time throughout.
 */
import { describe, expect, it } from 'vitest';
import { FlowKeyFlag, FlowTable, FLOW_TABLE_DEFAULTS, type FlowTableOptions } from '../src/flows.js';
import { batchOf, buildFrame, flowRows, full, icmp, TcpTalk, udp, type FlowRow, type Timed } from './support/flow-frames.js';

const T0 = 1_700_000_000;

/** Feeds frames one batch at a time (so each update's finished flows are seen) and collects every record. */
class Harness {
  readonly table: FlowTable;
  readonly done: FlowRow[] = [];
  constructor(opts: FlowTableOptions = {}) {
    this.table = new FlowTable(opts);
  }
  feed(...frames: Timed[]): FlowRow[] {
    const rows = flowRows(this.table.update(batchOf(frames)));
    this.done.push(...rows);
    return rows;
  }
  advance(t: number): FlowRow[] {
    const whole = Math.floor(t);
    const rows = flowRows(this.table.advance(whole, Math.round((t - whole) * 1e9)));
    this.done.push(...rows);
    return rows;
  }
  flush(reason: 'end' | 'stop' = 'end'): FlowRow[] {
    const rows = flowRows(this.table.flush(reason));
    this.done.push(...rows);
    return rows;
  }
}

const tcpBytes = (payload = 0) => 40 + payload;

/** A whole connection: handshake, data both ways, FIN, FIN, last ACK. */
function fullConnection(talk: TcpTalk, t: number): Timed[] {
  return [
    { t, data: talk.send('c', 'S') },
    { t: t + 0.01, data: talk.send('s', 'SA') },
    { t: t + 0.02, data: talk.send('c', 'A') },
    { t: t + 0.03, data: talk.send('c', 'PA', 100) },
    { t: t + 0.04, data: talk.send('s', 'A') },
    { t: t + 0.05, data: talk.send('s', 'PA', 200) },
    { t: t + 0.06, data: talk.send('c', 'A') },
    { t: t + 0.07, data: talk.send('c', 'FA') },
    { t: t + 0.08, data: talk.send('s', 'FA') },
    { t: t + 0.09, data: talk.send('c', 'A') },
  ];
}

describe('TCP: handshake, data, FIN/FIN/ACK', () => {
  it('is one flow with Zeek history ShADadFf, ended fin once the close delay has passed', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    expect(h.feed(...fullConnection(talk, T0))).toEqual([]);
    // tcpCloseDelaySec (5 s) after the last packet, and not before
    expect(h.advance(T0 + 0.09 + 4.99)).toEqual([]);
    const [f] = h.advance(T0 + 0.09 + 5.001);
    expect(f).toMatchObject({
      proto: 6,
      orig: '10.0.0.1',
      origPort: 51000,
      resp: '10.0.0.2',
      respPort: 80,
      origPkts: 6,
      origBytes: 5 * tcpBytes() + tcpBytes(100),
      respPkts: 4,
      respBytes: 3 * tcpBytes() + tcpBytes(200),
      history: 'ShADadFf',
      end: 'fin',
    });
    expect(f!.firstNs).toBe(BigInt(T0) * 1_000_000_000n);
    expect(f!.lastNs).toBe(BigInt(T0) * 1_000_000_000n + 90_000_000n);
    expect(h.table.stats()).toMatchObject({ active: 0, created: 1, finished: 1 });
  });

  it('reports the TCP flags each side sent', () => {
    const h = new Harness();
    h.feed(...fullConnection(new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80), T0));
    const b = h.table.flush('end');
    // client: S, A, P, F; server: S, A, P, F
    expect([b.origTcpFlags[0], b.respTcpFlags[0]]).toEqual([0x1b, 0x1b]);
  });

  it('does not close while only one FIN is acknowledged: the flow stays open until flushed', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    const frames = fullConnection(talk, T0).slice(0, 9); // no last ACK of the server's FIN
    h.feed(...frames);
    expect(h.advance(T0 + 100)).toEqual([]);
    expect(h.flush('end').map((f) => [f.history, f.end])).toEqual([['ShADadFf', 'end']]);
  });

  it('takes late packets within the close delay into the same flow', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    h.feed(...fullConnection(talk, T0), { t: T0 + 2, data: talk.send('s', 'A') });
    const [f] = h.advance(T0 + 10);
    expect(f).toMatchObject({ respPkts: 5, end: 'fin' });
  });

  it('a new SYN on the ports of a closed flow reports the old flow at once and starts a new one', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    h.feed(...fullConnection(talk, T0));
    const again = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    const ended = h.feed({ t: T0 + 1, data: again.send('c', 'S') });
    expect(ended.map((f) => [f.history, f.end, f.origPkts])).toEqual([['ShADadFf', 'fin', 6]]);
    expect(h.flush('end').map((f) => [f.history, f.end, f.origPkts])).toEqual([['S', 'end', 1]]);
  });

  it('a RST after the close delay is a flow of its own (as Zeek logs it)', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80);
    h.feed(...fullConnection(talk, T0));
    const late = h.feed({ t: T0 + 20, data: talk.send('s', 'R') });
    expect(late.map((f) => f.end)).toEqual(['fin']);
    expect(h.flush('end').map((f) => [f.orig, f.history, f.end])).toEqual([['10.0.0.2', 'R', 'rst']]);
  });
});

describe('TCP: RST, half-open, odd flag combinations', () => {
  it('a refused connection (SYN, RST+ACK) ends rst with history Sr', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 40000, '10.0.0.2', 23);
    h.feed({ t: T0, data: talk.send('c', 'S') }, { t: T0 + 0.001, data: talk.send('s', 'RA') });
    const [f] = h.advance(T0 + 6);
    expect(f).toMatchObject({ history: 'Sr', end: 'rst', origPkts: 1, respPkts: 1 });
  });

  it('a RST in the middle of a connection ends it rst, its history keeping both sides', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 40000, '10.0.0.2', 443);
    h.feed(
      { t: T0, data: talk.send('c', 'S') },
      { t: T0 + 0.01, data: talk.send('s', 'SA') },
      { t: T0 + 0.02, data: talk.send('c', 'A') },
      { t: T0 + 0.03, data: talk.send('c', 'PA', 10) },
      { t: T0 + 0.04, data: talk.send('c', 'R') },
    );
    expect(h.advance(T0 + 1)).toEqual([]);
    expect(h.flush('end').map((f) => [f.history, f.end])).toEqual([['ShADR', 'rst']]);
  });

  it('a half-open connection (SYN only, retransmitted) ends idle after tcpIdleTimeoutSec with history S', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 40001, '10.0.0.2', 22);
    const syn = talk.send('c', 'S');
    h.feed({ t: T0, data: syn }, { t: T0 + 3, data: syn });
    expect(h.advance(T0 + 3 + 299.9)).toEqual([]);
    const [f] = h.advance(T0 + 3 + 300);
    expect(f).toMatchObject({ history: 'S', end: 'idle', origPkts: 2, respPkts: 0 });
  });

  it('the originator is whoever sent the first packet seen, even a SYN-ACK (history H, then a)', () => {
    const h = new Harness();
    const talk = new TcpTalk('10.0.0.1', 40002, '10.0.0.2', 80);
    talk.send('c', 'S'); // not captured
    h.feed({ t: T0, data: talk.send('s', 'SA') }, { t: T0 + 0.01, data: talk.send('c', 'A') });
    expect(h.flush('end').map((f) => [f.orig, f.origPort, f.history])).toEqual([['10.0.0.2', 80, 'Ha']]);
  });

  it('SYN+FIN records Q and FIN+RST records I (Zeek letters for inconsistent packets)', () => {
    const h = new Harness();
    const a = new TcpTalk('10.0.0.1', 1, '10.0.0.2', 2);
    const b = new TcpTalk('10.0.0.1', 3, '10.0.0.2', 4);
    h.feed({ t: T0, data: a.send('c', 'SF') }, { t: T0, data: b.send('c', 'FR') });
    const hist = h.flush('end').map((f) => [f.origPort, f.history]);
    expect(hist.sort()).toEqual([[1, 'Q'], [3, 'I']]);
  });

  it('flush(stop) ends open flows with stop; a closed flow still lingering keeps fin', () => {
    const h = new Harness();
    h.feed(...fullConnection(new TcpTalk('10.0.0.1', 51000, '10.0.0.2', 80), T0));
    const open = new TcpTalk('10.0.0.3', 1234, '10.0.0.2', 80);
    h.feed({ t: T0 + 1, data: open.send('c', 'S') });
    const ends = h.flush('stop').map((f) => [f.orig, f.end]).sort();
    expect(ends).toEqual([['10.0.0.1', 'fin'], ['10.0.0.3', 'stop']]);
    expect(h.table.stats().active).toBe(0);
  });
});

describe('idle and active timeouts', () => {
  it('a UDP gap longer than udpIdleTimeoutSec splits the flow; the record comes with the packet that passes the timeout', () => {
    const h = new Harness();
    h.feed({ t: T0, data: udp('10.1.0.1', 5000, '10.1.0.2', 53) }, { t: T0 + 1, data: udp('10.1.0.2', 53, '10.1.0.1', 5000) });
    const ended = h.feed({ t: T0 + 1 + 61, data: udp('10.1.0.1', 5000, '10.1.0.2', 53) });
    expect(ended.map((f) => [f.origPkts, f.respPkts, f.end])).toEqual([[1, 1, 'idle']]);
    expect(h.flush('end').map((f) => [f.orig, f.origPkts, f.end])).toEqual([['10.1.0.1', 1, 'end']]);
  });

  it('each protocol has its own idle timeout (TCP 300 s, UDP 60 s, ICMP 30 s by default)', () => {
    expect(FLOW_TABLE_DEFAULTS).toMatchObject({ tcpIdleTimeoutSec: 300, udpIdleTimeoutSec: 60, icmpIdleTimeoutSec: 30, activeTimeoutSec: 1800 });
    const h = new Harness();
    h.feed(
      { t: T0, data: new TcpTalk('10.2.0.1', 1, '10.2.0.2', 2).send('c', 'S') },
      { t: T0, data: udp('10.2.0.1', 3, '10.2.0.2', 4) },
      { t: T0, data: icmp('10.2.0.1', '10.2.0.2', 8) },
    );
    expect(h.advance(T0 + 29).map((f) => f.proto)).toEqual([]);
    expect(h.advance(T0 + 30).map((f) => f.proto)).toEqual([1]);
    expect(h.advance(T0 + 60).map((f) => f.proto)).toEqual([17]);
    expect(h.advance(T0 + 299).map((f) => f.proto)).toEqual([]);
    expect(h.advance(T0 + 300).map((f) => f.proto)).toEqual([6]);
  });

  it('packet time going backwards: a flow last seen earlier than the list head still times out on time', () => {
    // B arrives after A with an older timestamp (a merged or reordered capture);
    // A's next packet moves it behind B, so B heads the UDP idle list.
    const h = new Harness();
    h.feed({ t: T0 + 100, data: udp('10.4.0.1', 1000, '10.4.0.2', 53) });
    h.feed({ t: T0 + 50, data: udp('10.4.0.3', 2000, '10.4.0.4', 53) });
    h.feed({ t: T0 + 101, data: udp('10.4.0.1', 1000, '10.4.0.2', 53) });
    expect(h.feed({ t: T0 + 109, data: udp('10.4.0.5', 3000, '10.4.0.6', 53) })).toEqual([]);
    // 50 + 60 s: B ends with the first packet at or past its deadline, not A's (160 s)
    const ended = h.feed({ t: T0 + 110, data: udp('10.4.0.5', 3000, '10.4.0.6', 53) });
    expect(ended.map((f) => [f.orig, f.end])).toEqual([['10.4.0.3', 'idle']]);
  });

  it('the idle timeouts are options', () => {
    const h = new Harness({ udpIdleTimeoutSec: 2 });
    h.feed({ t: T0, data: udp('10.1.0.1', 5000, '10.1.0.2', 53) });
    expect(h.advance(T0 + 2).map((f) => f.end)).toEqual(['idle']);
  });

  it('a flow older than activeTimeoutSec is reported (active) and counting starts afresh, keeping its originator', () => {
    const h = new Harness({ activeTimeoutSec: 100 });
    const frames: Timed[] = [];
    for (let t = 0; t <= 330; t += 30) {
      // every 4th packet comes from the responder, including the one at 120 s that starts the second record
      const fromB = t % 120 === 0 && t > 0;
      frames.push({ t: T0 + t, data: fromB ? udp('10.3.0.2', 53, '10.3.0.1', 5353) : udp('10.3.0.1', 5353, '10.3.0.2', 53) });
    }
    for (const f of frames) h.feed(f);
    h.flush('end');
    expect(h.done.map((f) => [f.orig, f.origPkts, f.respPkts, f.end, Number(f.firstNs / 1_000_000_000n) - T0])).toEqual([
      ['10.3.0.1', 4, 0, 'active', 0],
      ['10.3.0.1', 3, 1, 'active', 120],
      ['10.3.0.1', 3, 1, 'end', 240],
    ]);
  });
});

describe('keys: ICMP pairing, VLANs, times', () => {
  it('ICMP echo request and reply are one flow (type 8 as orig_p, counterpart 0 as resp_p); unreachables are one-way flows', () => {
    const h = new Harness();
    h.feed(
      { t: T0, data: icmp('10.4.0.1', '10.4.0.2', 8) },
      { t: T0 + 0.001, data: icmp('10.4.0.2', '10.4.0.1', 0) },
      { t: T0 + 0.002, data: icmp('10.4.0.2', '10.4.0.1', 3, 1) },
      { t: T0 + 0.003, data: icmp('10.4.0.1', '10.4.0.2', 3, 1) },
    );
    const rows = h.flush('end').map((f) => [f.orig, f.origPort, f.respPort, f.origPkts, f.respPkts, (f.keyFlags & FlowKeyFlag.OneWay) !== 0]);
    expect(rows.sort()).toEqual([
      ['10.4.0.1', 3, 1, 1, 0, true],
      ['10.4.0.1', 8, 0, 1, 1, false],
      ['10.4.0.2', 3, 1, 1, 0, true],
    ]);
  });

  it('ICMPv6 echo (128/129) pairs the same way, with IPv6 addresses and IPv6 IP bytes (40 + payload length)', () => {
    const h = new Harness();
    h.feed({ t: T0, data: icmp('2001:db8::1', '2001:db8::2', 128) }, { t: T0 + 0.001, data: icmp('2001:db8::2', '2001:db8::1', 129) });
    expect(h.flush('end').map((f) => [f.proto, f.orig, f.origPort, f.respPort, f.origPkts, f.respPkts, f.origBytes])).toEqual([
      [58, full('2001:db8::1'), 128, 129, 1, 1, 40 + 16],
    ]);
  });

  it('the VLAN ids are part of the key: the same 5-tuple on two VLANs is two flows', () => {
    const h = new Harness();
    h.feed(
      { t: T0, data: udp('10.5.0.1', 1, '10.5.0.2', 2, 8, [100]) },
      { t: T0, data: udp('10.5.0.2', 2, '10.5.0.1', 1, 8, [100]) },
      { t: T0, data: udp('10.5.0.1', 1, '10.5.0.2', 2, 8, [200, 300]) },
    );
    const rows = h.flush('end').map((f) => [f.vlan, f.innerVlan, f.origPkts, f.respPkts]);
    expect(rows.sort()).toEqual([[100, 0, 1, 1], [200, 300, 1, 0]]);
  });

  it('keeps nanosecond times exactly', () => {
    const h = new Harness();
    h.feed({ t: T0, nsec: 123_456_789, data: udp('10.6.0.1', 1, '10.6.0.2', 2) }, { t: T0 + 2, nsec: 987_654_321, data: udp('10.6.0.2', 2, '10.6.0.1', 1) });
    const [f] = h.flush('end');
    expect([f!.firstNs, f!.lastNs]).toEqual([BigInt(T0) * 1_000_000_000n + 123_456_789n, BigInt(T0 + 2) * 1_000_000_000n + 987_654_321n]);
  });

  it('frames that are not IP make no flow but are counted as packets', () => {
    const h = new Harness();
    h.feed({ t: T0, data: buildFrame({ etherType: 0x0806, body: new Uint8Array(28) }) });
    expect(h.flush('end')).toEqual([]);
    expect(h.table.stats()).toMatchObject({ packets: 1, ipPackets: 0, created: 0 });
  });
});

describe('a full table', () => {
  it('evicts the least recently seen flow (end evicted) and counts it', () => {
    const h = new Harness({ maxFlows: 3 });
    for (let i = 0; i < 3; i++) h.feed({ t: T0 + i, data: udp('10.7.0.1', 1000 + i, '10.7.0.2', 53) });
    h.feed({ t: T0 + 3, data: udp('10.7.0.1', 1000, '10.7.0.2', 53) }); // flow 0 seen again: flow 1 is now the oldest
    const evicted = h.feed({ t: T0 + 4, data: udp('10.7.0.1', 2000, '10.7.0.2', 53) });
    expect(evicted.map((f) => [f.origPort, f.end])).toEqual([[1001, 'evicted']]);
    expect(h.table.stats()).toMatchObject({ active: 3, evicted: 1, maxFlows: 3 });
    expect(h.flush('end').map((f) => f.origPort).sort()).toEqual([1000, 1002, 2000]);
  });
});

describe('FlowTable arguments (invalid cases)', () => {
  it('rejects bad options, naming the option and the value', () => {
    expect(() => new FlowTable({ maxFlows: 0 })).toThrow('flows.maxFlows must be an integer from 1 to 100000000, got 0');
    expect(() => new FlowTable({ udpIdleTimeoutSec: -1 })).toThrow('flows.udpIdleTimeoutSec must be a number of seconds above 0 and at most 31536000, got -1');
    expect(() => new FlowTable({ idle: 3 } as FlowTableOptions)).toThrow(/^flows\.idle is not a flow table option: use one of tcpIdleTimeoutSec, /);
    try {
      new FlowTable({ maxFlows: 1.5 });
    } catch (err) {
      expect((err as { code: string }).code).toBe('PFW_INVALID_ARGUMENT');
    }
  });

  it('rejects a flush reason other than end or stop', () => {
    const t = new FlowTable();
    expect(() => t.flush('later' as 'end')).toThrow(`flush: reason must be 'end' or 'stop', got "later"`);
  });

  it('rejects a batch whose packet lies outside its data', () => {
    const t = new FlowTable();
    const b = batchOf([{ t: T0, data: udp('10.8.0.1', 1, '10.8.0.2', 2) }]);
    (b.caplen as Uint32Array)[0] = 10_000;
    expect(() => t.update(b)).toThrow('FlowTable.update: packet 0 lies outside data');
  });

  it('throws PFW_CLOSED after close()', () => {
    const t = new FlowTable();
    t.close();
    expect(() => t.stats()).toThrow('this FlowTable was closed: create a new one');
  });
});
