/** IPv4 headers and options. */
import { describe, expect, it } from 'vitest';
import { buildFrame, buildIPv4Fragments } from '../src/craft/index.js';
import { decodeIPv4, decodeIPv4Option, formatIPv4, IPv4Header, IPv4Option, ipv4ChecksumOk, ipv4OptionName, listIPv4Options } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

const payload = new Uint8Array(10).fill(7);
const plain = buildFrame({ ip: { src: '192.168.1.10', dst: '10.0.0.2', ttl: 33, id: 0x1234 }, l4: { kind: 'udp', sport: 5353, dport: 53 }, payload });
// Router alert (4 bytes) + NOP + record route with 2 slots (11 bytes): 16 bytes of options.
const opts = Uint8Array.from([148, 4, 0, 0, 1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
const withOptions = buildFrame({ ip: { src: '10.1.1.1', dst: '10.2.2.2', options: opts }, l4: { kind: 'tcp', sport: 1, dport: 2, flags: 'S' } });

describe('decodeIPv4', () => {
  it('decodes every field', () => {
    const ip = decodeIPv4(plain, 14);
    expect(ip).toMatchObject({
      ok: true,
      offset: 14,
      version: 4,
      headerLength: 20,
      dscp: 0,
      ecn: 0,
      totalLength: 20 + 8 + 10,
      id: 0x1234,
      flags: 0,
      dontFragment: false,
      moreFragments: false,
      fragmentOffset: 0,
      isFragment: false,
      ttl: 33,
      protocol: 17,
      srcOffset: 26,
      dstOffset: 30,
      optionsOffset: 34,
      optionsLength: 0,
      payloadOffset: 34,
      payloadBytes: 18,
    });
    expect(formatIPv4(ip.src)).toBe('192.168.1.10');
    expect(formatIPv4(ip.dst)).toBe('10.0.0.2');
    expect(ipv4ChecksumOk(plain, ip)).toBe(true);
  });

  it('notices a bad checksum', () => {
    const b = plain.slice();
    b[14 + 10]! ^= 0xff;
    expect(ipv4ChecksumOk(b, decodeIPv4(b, 14))).toBe(false);
  });

  it('decodes fragments', () => {
    const frags = buildIPv4Fragments({ ip: { src: '10.0.0.1', dst: '10.0.0.2', id: 77 }, l4: { kind: 'udp', sport: 1, dport: 2 }, payload: new Uint8Array(40) }, 16);
    const hs = frags.map((f) => decodeIPv4(f, 14));
    expect(hs.map((h) => [h.isFragment, h.moreFragments, h.fragmentOffset, h.id])).toEqual([
      [true, true, 0, 77],
      [true, true, 16, 77],
      [true, false, 32, 77],
    ]);
  });

  it('bounds the payload by the total length (Ethernet padding is not payload)', () => {
    const padded = new Uint8Array(plain.length + 12);
    padded.set(plain);
    expect(decodeIPv4(padded, 14).payloadBytes).toBe(18);
  });

  it('bounds the payload by what was captured (snaplen)', () => {
    expect(decodeIPv4(plain.subarray(0, 14 + 20 + 5), 14)).toMatchObject({ ok: true, payloadBytes: 5 });
  });

  it('accepts total length 0 (segmentation offload) and uses the captured length', () => {
    const b = plain.slice();
    b[16] = 0;
    b[17] = 0;
    expect(decodeIPv4(b, 14)).toMatchObject({ ok: true, totalLength: 0, payloadBytes: 18 });
  });

  it('decodes into a reused object without leaving stale state', () => {
    const out = new IPv4Header();
    decodeIPv4(withOptions, 14, out);
    expect(out.optionsLength).toBe(16);
    decodeIPv4(plain, 14, out);
    expect(out).toMatchObject({ ok: true, optionsLength: 0, headerLength: 20, protocol: 17 });
  });

  it('is truncated at every length below the header, options included', () => {
    expectEveryTruncation(plain, 14, 20, (d, o, end) => decodeIPv4(d, o, undefined, end), () => 20);
    expectEveryTruncation(withOptions, 14, 36, (d, o, end) => decodeIPv4(d, o, undefined, end), (k) => (k === 0 ? 20 : 36));
  });

  it.each<[string, (b: Uint8Array) => void, string]>([
    ['version 6', (b) => (b[14] = 0x65), 'IP version is 6, expected 4'],
    ['IHL 3', (b) => (b[14] = 0x43), 'IPv4 header length 12 is below 20'],
    [
      'total length below the header',
      (b) => {
        b[16] = 0;
        b[17] = 19;
      },
      'IPv4 total length 19 is below the header length 20',
    ],
  ])('is malformed with %s', (_what, damage, detail) => {
    const b = plain.slice();
    damage(b);
    expect(decodeIPv4(b, 14)).toMatchObject({ ok: false, error: 'malformed', detail });
  });
});

describe('IPv4 options', () => {
  it('lists them', () => {
    const ip = decodeIPv4(withOptions, 14);
    expect(ip).toMatchObject({ ok: true, headerLength: 36, optionsOffset: 34, optionsLength: 16, payloadOffset: 50 });
    const list = listIPv4Options(withOptions, ip);
    expect(list.map((o) => [ipv4OptionName(o.type), o.length, o.dataLength, o.copied, o.optionClass, o.number])).toEqual([
      ['router-alert', 4, 2, true, 0, 20],
      ['no-operation', 1, 0, false, 0, 1],
      ['record-route', 11, 9, false, 0, 7],
    ]);
    expect(list[2]!.dataOffset).toBe(34 + 5 + 2);
  });

  it('walks with a reused option object and stops at END', () => {
    const ip = decodeIPv4(withOptions, 14);
    const opt = new IPv4Option();
    const types: number[] = [];
    for (let o = ip.optionsOffset; o < ip.payloadOffset; o = opt.next) {
      if (!decodeIPv4Option(withOptions, o, ip.payloadOffset, opt).ok) break;
      types.push(opt.type);
    }
    expect(types).toEqual([148, 1, 7]);
  });

  it('stops at END: the padding after it is not options', () => {
    const f = buildFrame({ ip: { src: '10.1.1.1', dst: '10.2.2.2', options: Uint8Array.from([1, 0, 0x44, 0x44]) }, l4: { kind: 'udp', sport: 1, dport: 2 } });
    const ip = decodeIPv4(f, 14);
    const list = listIPv4Options(f, ip);
    expect(list.map((o) => ipv4OptionName(o.type))).toEqual(['no-operation', 'end-of-options']);
    expect(list[1]!.next).toBe(ip.payloadOffset);
  });

  it('reports a bad length as malformed and an option past the header as truncated', () => {
    expect(decodeIPv4Option(Uint8Array.from([7, 1, 0, 0]), 0, 4)).toMatchObject({ ok: false, error: 'malformed', detail: 'IPv4 option 7 has length 1, below 2' });
    expect(decodeIPv4Option(Uint8Array.from([7, 11, 0, 0]), 0, 4)).toMatchObject({ ok: false, error: 'truncated', needed: 11, available: 4 });
    expect(decodeIPv4Option(Uint8Array.from([7]), 0, 1)).toMatchObject({ ok: false, error: 'truncated', needed: 2, available: 1 });
    expect(decodeIPv4Option(new Uint8Array(0), 0, 0)).toMatchObject({ ok: false, error: 'truncated', needed: 1, available: 0 });
  });

  it('is empty for a header that did not decode', () => {
    expect(listIPv4Options(withOptions, decodeIPv4(withOptions.subarray(0, 20), 14))).toEqual([]);
  });
});
