/** TCP headers and options. */
import { describe, expect, it } from 'vitest';
import { buildFrame } from '../src/craft/index.js';
import { decodeTCP, decodeTcpOption, TCP_FLAG, TCP_OPTION, TcpHeader, tcpFlagsText, TcpOption } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

/** A TCP header (ports 40000 -> 443, seq 0xfffffff0, ack 7, flags SYN) with these option bytes, padded with END to 4. */
function tcpWith(options: number[], payload: number[] = []): Uint8Array {
  const optLen = (options.length + 3) & ~3;
  const hl = 20 + optLen;
  const b = new Uint8Array(hl + payload.length);
  const d = new DataView(b.buffer);
  d.setUint16(0, 40000);
  d.setUint16(2, 443);
  d.setUint32(4, 0xfffffff0);
  d.setUint32(8, 7);
  b[12] = (hl / 4) << 4;
  b[13] = TCP_FLAG.SYN;
  d.setUint16(14, 29200);
  d.setUint16(16, 0xabcd);
  d.setUint16(18, 0);
  b.set(options, 20);
  b.set(payload, hl);
  return b;
}

// A Linux SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes).
const LINUX_SYN = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 3, 3, 7];

describe('decodeTCP', () => {
  it('decodes the fixed header of a crafted segment', () => {
    const f = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'tcp', sport: 51000, dport: 80, flags: 'PA', seq: 1000, ack: 2000, window: 512 }, payload: new Uint8Array(5) });
    const t = decodeTCP(f, 34);
    expect(t).toMatchObject({ ok: true, srcPort: 51000, dstPort: 80, seq: 1000, ack: 2000, headerLength: 20, flags: TCP_FLAG.PSH | TCP_FLAG.ACK, window: 512, urgentPointer: 0, optionsLength: 0, payloadOffset: 54 });
    expect(t).toMatchObject({ mss: -1, windowScale: -1, sackPermitted: false, sackBlocks: 0, hasTimestamps: false, optionsMalformed: false });
    expect(tcpFlagsText(t.flags)).toBe('PA');
  });

  it('reads sequence numbers as unsigned 32-bit', () => {
    expect(decodeTCP(tcpWith([]), 0)).toMatchObject({ seq: 0xfffffff0, ack: 7, checksum: 0xabcd });
  });

  it('decodes MSS, SACK permitted, timestamps and window scale', () => {
    const t = decodeTCP(tcpWith(LINUX_SYN), 0);
    expect(t).toMatchObject({ ok: true, headerLength: 40, optionsOffset: 20, optionsLength: 20, payloadOffset: 40, mss: 1460, sackPermitted: true, hasTimestamps: true, tsVal: 0x12345678, tsEcr: 0x9abcdef0, windowScale: 7, optionsMalformed: false });
  });

  it('decodes SACK blocks (up to 4)', () => {
    const blocks = [
      [1, 2],
      [0xfffffff0, 0xffffffff],
      [100, 200],
    ];
    const opt = [1, 1, 5, 2 + 8 * blocks.length];
    for (const [l, r] of blocks) opt.push(l! >>> 24, (l! >>> 16) & 255, (l! >>> 8) & 255, l! & 255, r! >>> 24, (r! >>> 16) & 255, (r! >>> 8) & 255, r! & 255);
    const t = decodeTCP(tcpWith(opt), 0);
    expect(t.sackBlocks).toBe(3);
    expect([...t.sack.subarray(0, 6)]).toEqual(blocks.flat());
  });

  it('all flags, including AE (the former NS bit)', () => {
    const b = tcpWith([]);
    b[12]! |= 1;
    b[13] = 0xff;
    const t = decodeTCP(b, 0);
    expect(t.flags).toBe(0x1ff);
    expect(tcpFlagsText(t.flags)).toBe('FSRPAUECN');
  });

  it.each<[string, number[]]>([
    ['an option length of 0', [2, 0, 5, 0xb4]],
    ['an option running past the header', [8, 10, 0, 0]],
    ['a wrong MSS length', [2, 3, 5, 1]],
    ['a wrong window scale length', [3, 4, 7, 0]],
    ['a wrong SACK-permitted length', [4, 3, 0, 1]],
    ['a SACK of no block', [5, 2, 1, 1]],
    ['a SACK length not a multiple of 8', [5, 6, 0, 0, 0, 0, 1, 1]],
    ['a wrong timestamps length', [8, 6, 0, 0, 0, 0, 1, 1]],
    ['a kind with no room for its length', [1, 1, 1, 30]],
  ])('flags %s as optionsMalformed, keeping the header', (_what, opt) => {
    const t = decodeTCP(tcpWith(opt), 0);
    expect(t.ok).toBe(true);
    expect(t.optionsMalformed).toBe(true);
  });

  it('keeps options decoded before a malformed one', () => {
    const t = decodeTCP(tcpWith([2, 4, 5, 0xb4, 3, 0, 1, 1]), 0);
    expect(t).toMatchObject({ ok: true, mss: 1460, windowScale: -1, optionsMalformed: true });
  });

  it('skips unknown options by their length and stops at END', () => {
    const t = decodeTCP(tcpWith([30, 4, 0, 0, 0, 3, 3, 2]), 0); // MPTCP (skipped), END, then bytes that would be a window scale
    expect(t).toMatchObject({ ok: true, windowScale: -1, optionsMalformed: false });
  });

  it('reuses an out object without stale options', () => {
    const out = new TcpHeader();
    decodeTCP(tcpWith(LINUX_SYN), 0, out);
    decodeTCP(tcpWith([]), 0, out);
    expect(out).toMatchObject({ mss: -1, windowScale: -1, sackPermitted: false, hasTimestamps: false, sackBlocks: 0, optionsMalformed: false });
  });

  it('is truncated at every length below the header, options included', () => {
    const plain = tcpWith([]);
    expectEveryTruncation(plain, 0, 20, (d, o, end) => decodeTCP(d, o, undefined, end), () => 20);
    const syn = tcpWith(LINUX_SYN, [1, 2, 3]);
    // The data offset is byte 12: before it the minimum (20) is all that is known.
    expectEveryTruncation(syn, 0, 40, (d, o, end) => decodeTCP(d, o, undefined, end), (k) => (k < 13 ? 20 : 40));
  });

  it('is malformed with a data offset below 5', () => {
    const b = tcpWith([]);
    b[12] = 4 << 4;
    expect(decodeTCP(b, 0)).toMatchObject({ ok: false, error: 'malformed', detail: 'TCP header length 16 is below 20' });
  });
});

describe('decodeTcpOption', () => {
  it('walks every option, for kinds the header does not decode', () => {
    const seg = tcpWith([1, 30, 6, 0x10, 0, 0, 0, 2, 4, 5, 0xb4]);
    const t = decodeTCP(seg, 0);
    const opt = new TcpOption();
    const seen: [number, number][] = [];
    for (let o = t.optionsOffset; o < t.payloadOffset; o = opt.next) {
      if (!decodeTcpOption(seg, o, t.payloadOffset, opt).ok) break;
      seen.push([opt.kind, opt.dataLength]);
    }
    expect(seen).toEqual([
      [TCP_OPTION.NOP, 0],
      [TCP_OPTION.MPTCP, 4],
      [TCP_OPTION.MSS, 2],
      [TCP_OPTION.END, 0],
    ]);
  });

  it('reports bad and short options', () => {
    expect(decodeTcpOption(Uint8Array.from([2, 1]), 0, 2)).toMatchObject({ ok: false, error: 'malformed', detail: 'TCP option 2 has length 1, below 2' });
    expect(decodeTcpOption(Uint8Array.from([2, 4, 5]), 0, 3)).toMatchObject({ ok: false, error: 'truncated', needed: 4, available: 3 });
    expect(decodeTcpOption(Uint8Array.from([2]), 0, 1)).toMatchObject({ ok: false, error: 'truncated', needed: 2, available: 1 });
  });
});
