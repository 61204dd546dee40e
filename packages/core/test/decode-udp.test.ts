/** UDP headers. */
import { describe, expect, it } from 'vitest';
import { buildFrame } from '../src/craft/index.js';
import { decodeUDP, UdpHeader } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

const f = buildFrame({ ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 5353, dport: 53 }, payload: new Uint8Array(21) });

describe('decodeUDP', () => {
  it('decodes the header', () => {
    const u = decodeUDP(f, 34);
    expect(u).toMatchObject({ ok: true, offset: 34, srcPort: 5353, dstPort: 53, length: 29, payloadOffset: 42, payloadBytes: 21 });
    expect(u.checksum).not.toBe(0);
  });

  it('bounds the payload by the length field and by the capture', () => {
    const padded = new Uint8Array(f.length + 6);
    padded.set(f);
    expect(decodeUDP(padded, 34).payloadBytes).toBe(21);
    expect(decodeUDP(f.subarray(0, 34 + 8 + 4), 34).payloadBytes).toBe(4);
  });

  it('accepts length 0 (IPv6 jumbogram) and uses what was captured', () => {
    const b = f.slice();
    b[38] = 0;
    b[39] = 0;
    expect(decodeUDP(b, 34)).toMatchObject({ ok: true, length: 0, payloadBytes: 21 });
  });

  it('is malformed with a length of 1 to 7', () => {
    const b = f.slice();
    b[38] = 0;
    b[39] = 7;
    expect(decodeUDP(b, 34)).toMatchObject({ ok: false, error: 'malformed', detail: 'UDP length 7 is below 8' });
  });

  it('is truncated at every length below 8', () => {
    expectEveryTruncation(f, 34, 8, (d, o, end) => decodeUDP(d, o, undefined, end), () => 8);
  });

  it('decodes into a reused object', () => {
    const out = new UdpHeader();
    expect(decodeUDP(f, 34, out)).toBe(out);
  });
});
