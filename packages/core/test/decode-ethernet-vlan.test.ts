/** Ethernet and VLAN tags. */
import { describe, expect, it } from 'vitest';
import { buildFrame } from '../src/craft/index.js';
import { decodeEthernet, decodeVlan, EthernetHeader, formatMac, isVlanTpid, OFFSET_ABSENT, VlanTag } from '../src/decode/index.js';
import { expectEveryTruncation } from './support/truncation.js';

const frame = buildFrame({ srcMac: '02:00:00:00:00:01', dstMac: 'ff:ff:ff:ff:ff:ff', ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } });

describe('decodeEthernet', () => {
  it('decodes addresses and type', () => {
    const e = decodeEthernet(frame, 0);
    expect(e).toMatchObject({ ok: true, error: null, offset: 0, dstOffset: 0, srcOffset: 6, etherType: 0x0800, isLength: false, payloadOffset: 14 });
    expect(formatMac(frame, e.srcOffset)).toBe('02:00:00:00:00:01');
    expect(formatMac(frame, e.dstOffset)).toBe('ff:ff:ff:ff:ff:ff');
  });

  it('flags an 802.3 length field', () => {
    const f = buildFrame({ etherType: 0x0026, body: new Uint8Array(38) });
    expect(decodeEthernet(f, 0)).toMatchObject({ ok: true, etherType: 0x26, isLength: true });
  });

  it('reuses the result object it is given', () => {
    const out = new EthernetHeader();
    expect(decodeEthernet(frame, 0, out)).toBe(out);
    decodeEthernet(frame.subarray(0, 3), 0, out);
    expect(out).toMatchObject({ ok: false, error: 'truncated' });
    decodeEthernet(frame, 0, out);
    expect(out).toMatchObject({ ok: true, error: null, needed: 0, available: 0, detail: '' });
  });

  it('is truncated at every length below 14', () => {
    expectEveryTruncation(frame, 0, 14, (d, o, end) => decodeEthernet(d, o, undefined, end), () => 14);
  });

  it('starts anywhere (an encapsulated frame) and reports an absent layer', () => {
    const outer = new Uint8Array(5 + frame.length);
    outer.set(frame, 5);
    expect(decodeEthernet(outer, 5)).toMatchObject({ ok: true, etherType: 0x0800, payloadOffset: 19 });
    expect(decodeEthernet(frame, OFFSET_ABSENT)).toMatchObject({ ok: false, error: 'absent' });
    expect(decodeEthernet(frame, -1)).toMatchObject({ ok: false, error: 'absent' });
  });
});

describe('decodeVlan', () => {
  it('walks a QinQ stack to the IP ethertype', () => {
    const f = buildFrame({ vlan: [100, 200], ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } });
    const e = decodeEthernet(f, 0);
    expect(e.etherType).toBe(0x88a8);
    const tag = new VlanTag();
    const ids: number[] = [];
    let type = e.etherType;
    let at = e.payloadOffset;
    while (isVlanTpid(type) && decodeVlan(f, at, tag).ok) {
      ids.push(tag.id);
      type = tag.etherType;
      at = tag.payloadOffset;
    }
    expect(ids).toEqual([100, 200]);
    expect(type).toBe(0x0800);
    expect(at).toBe(22);
  });

  it('splits the TCI into priority, DEI and id', () => {
    const b = Uint8Array.from([0xb0 | 0x10 | 0x0f, 0xff, 0x86, 0xdd]); // pcp 5, dei 1, id 0xfff
    expect(decodeVlan(b, 0)).toMatchObject({ ok: true, tci: 0xbfff, pcp: 5, dei: true, id: 0xfff, etherType: 0x86dd, payloadOffset: 4 });
  });

  it('knows the three TPIDs', () => {
    expect([0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd].map(isVlanTpid)).toEqual([true, true, true, false, false]);
  });

  it('is truncated at every length below 4', () => {
    const f = buildFrame({ vlan: [7], ip: { src: '10.0.0.1', dst: '10.0.0.2' }, l4: { kind: 'udp', sport: 1, dport: 2 } });
    expectEveryTruncation(f, 14, 4, (d, o, end) => decodeVlan(d, o, undefined, end), () => 4);
  });
});
