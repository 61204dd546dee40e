/** DNS: header, questions, records, name compression, and hostile input. */
import { describe, expect, it } from 'vitest';
import { parseIPv6 } from '../src/craft/index.js';
import {
  decodeDns,
  decodeDnsHeader,
  DNS_MAX_POINTERS,
  DNS_TYPE,
  dnsRcodeName,
  dnsTypeName,
  DnsHeader,
  readDnsName,
} from '../src/decode/index.js';
import { DnsWriter } from './support/dns-writer.js';
import { expectEveryTruncation } from './support/truncation.js';

function response(): Uint8Array {
  const w = new DnsWriter().header({ id: 0xbeef, flags: 0x8180, qd: 1, an: 8, ns: 1, ar: 1 });
  w.question('www.example.com', DNS_TYPE.A);
  w.record('www.example.com', DNS_TYPE.CNAME, 300, (x) => x.name('edge.example.net'));
  w.record('edge.example.net', DNS_TYPE.A, 60, (x) => x.raw([93, 184, 216, 34]));
  w.record('edge.example.net', DNS_TYPE.AAAA, 60, (x) => x.raw(parseIPv6('2606:2800:220:1::248:1893')));
  w.record('example.com', DNS_TYPE.MX, 3600, (x) => x.u16(10).name('mail.example.com'));
  w.record('example.com', DNS_TYPE.TXT, 3600, (x) => x.u8(5).raw([...'v=spf'].map((c) => c.charCodeAt(0))).u8(0).u8(3).raw([0xc3, 0xa9, 0x21]));
  w.record('_sip._tcp.example.com', DNS_TYPE.SRV, 86400, (x) => x.u16(1).u16(5).u16(5060).name('sip.example.com'));
  w.record('34.216.184.93.in-addr.arpa', DNS_TYPE.PTR, 10, (x) => x.name('www.example.com'));
  w.record('example.com', DNS_TYPE.NS, 10, (x) => x.name('a.iana-servers.net'));
  w.record('example.com', DNS_TYPE.SOA, 900, (x) => x.name('ns.icann.org').name('noc.dns.icann.org').u32(2024010101).u32(7200).u32(3600).u32(1209600).u32(3600));
  w.record('.', DNS_TYPE.OPT, 0x00008000, () => {}, 1232);
  return w.build();
}

describe('decodeDns', () => {
  it('decodes a response: header, question and every record type it knows', () => {
    const m = decodeDns(response(), 0);
    expect(m.ok).toBe(true);
    expect(m).toMatchObject({ id: 0xbeef, qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, rcode: 0, qdcount: 1, ancount: 8, nscount: 1, arcount: 1, capped: false });
    expect(m.questions).toEqual([{ name: 'www.example.com', type: 1, class: 1 }]);
    expect(m.answers.map((a) => [a.name, dnsTypeName(a.type), a.ttl, a.data])).toEqual([
      ['www.example.com', 'CNAME', 300, 'edge.example.net'],
      ['edge.example.net', 'A', 60, '93.184.216.34'],
      ['edge.example.net', 'AAAA', 60, '2606:2800:220:1::248:1893'],
      ['example.com', 'MX', 3600, { preference: 10, exchange: 'mail.example.com' }],
      ['example.com', 'TXT', 3600, ['v=spf', '', 'é!']],
      ['_sip._tcp.example.com', 'SRV', 86400, { priority: 1, weight: 5, port: 5060, target: 'sip.example.com' }],
      ['34.216.184.93.in-addr.arpa', 'PTR', 10, 'www.example.com'],
      ['example.com', 'NS', 10, 'a.iana-servers.net'],
    ]);
    expect(m.authorities[0]!.data).toEqual({ mname: 'ns.icann.org', rname: 'noc.dns.icann.org', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600 });
    expect(m.additionals[0]).toMatchObject({ name: '.', type: DNS_TYPE.OPT, class: 1232, ttl: 0x8000, rdataLength: 0, data: undefined });
  });

  it('compression keeps the case of the bytes pointed at', () => {
    const w = new DnsWriter().header({ qd: 1, an: 1 });
    w.question('www.Example.COM', DNS_TYPE.MX);
    w.record('example.com', DNS_TYPE.MX, 1, (x) => x.u16(5).name('mx.example.com'));
    const m = decodeDns(w.build(), 0);
    expect([m.answers[0]!.name, m.answers[0]!.data]).toEqual(['Example.COM', { preference: 5, exchange: 'mx.Example.COM' }]);
  });

  it('names: the mnemonics of types and rcodes', () => {
    expect([dnsTypeName(1), dnsTypeName(65), dnsTypeName(65280)]).toEqual(['A', 'HTTPS', 'TYPE65280']);
    expect([dnsRcodeName(0), dnsRcodeName(3), dnsRcodeName(16)]).toEqual(['NOERROR', 'NXDOMAIN', 'RCODE16']);
  });

  it('starts at an offset (the UDP payload) with pointers relative to the message', () => {
    const msg = response();
    const b = new Uint8Array(42 + msg.length);
    b.set(msg, 42);
    const m = decodeDns(b, 42);
    expect(m.ok).toBe(true);
    expect(m.answers[1]!.data).toBe('93.184.216.34');
    expect(m.answers[1]!.rdataOffset).toBeGreaterThan(42);
  });

  it('reads DNS over TCP (2-byte length prefix) and stops at that length', () => {
    const msg = response();
    const b = new Uint8Array(2 + msg.length + 5);
    b[0] = msg.length >> 8;
    b[1] = msg.length & 0xff;
    b.set(msg, 2);
    const m = decodeDns(b, 0, { tcp: true });
    expect(m.ok).toBe(true);
    expect(m.answers).toHaveLength(8);
    expect(decodeDns(b.subarray(0, 1), 0, { tcp: true })).toMatchObject({ ok: false, error: 'truncated', needed: 14, available: 1 });
    expect(decodeDns(b.subarray(0, 7), 0, { tcp: true })).toMatchObject({ ok: false, error: 'truncated', needed: 14, available: 7 });
  });

  it('masks the mDNS unicast-response and cache-flush bits of the class', () => {
    const w = new DnsWriter().header({ qd: 1, an: 1 });
    w.question('printer.local', DNS_TYPE.PTR, 0x8001);
    w.record('printer.local', DNS_TYPE.A, 120, (x) => x.raw([10, 0, 0, 9]), 0x8001);
    const m = decodeDns(w.build(), 0);
    expect(m.questions[0]!.class).toBe(1);
    expect(m.answers[0]!.class).toBe(1);
  });

  it('leaves data undefined for rdata of the wrong size or a type it does not decode', () => {
    const w = new DnsWriter().header({ an: 2 });
    w.record('a.b', DNS_TYPE.A, 1, (x) => x.raw([1, 2, 3, 4, 5]));
    w.record('a.b', DNS_TYPE.HTTPS, 1, (x) => x.raw([0, 1, 0]));
    const m = decodeDns(w.build(), 0);
    expect(m.ok).toBe(true);
    expect(m.answers.map((a) => [a.data, a.rdataLength])).toEqual([
      [undefined, 5],
      [undefined, 3],
    ]);
  });

  it('bounds the records decoded (maxRecords) and says so', () => {
    const w = new DnsWriter().header({ qd: 1, an: 3 });
    w.question('x.y', 1);
    for (let i = 0; i < 3; i++) w.record('x.y', 1, 1, (x) => x.raw([1, 1, 1, i]));
    const m = decodeDns(w.build(), 0, { maxRecords: 2 });
    expect(m).toMatchObject({ ok: true, capped: true });
    expect(m.answers.map((a) => a.data)).toEqual(['1.1.1.0']);
  });

  it('is truncated at every length of a whole response, keeping what it read', () => {
    const msg = response();
    expectEveryTruncation(msg, 0, msg.length, (d, o, end) => decodeDns(d, o, { end }));
    const cut = decodeDns(msg.subarray(0, msg.length - 30), 0);
    expect(cut.questions).toHaveLength(1);
    expect(cut.answers.length).toBeGreaterThan(3);
  });

  it('reports a pointer past the end of the capture as truncated', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.u16(0xc000 | 200).u16(1).u16(1);
    expect(decodeDns(w.build(), 0)).toMatchObject({ ok: false, error: 'truncated', needed: 201, available: 18 });
  });
});

describe('name compression is loop-safe and bounded', () => {
  it('a pointer to itself', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.u16(0xc000 | 12).u16(1).u16(1);
    expect(decodeDns(w.build(), 0)).toMatchObject({ ok: false, error: 'malformed', detail: `DNS name compression loop (more than ${DNS_MAX_POINTERS} pointers)` });
  });

  it('two pointers pointing at each other', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.u16(0xc000 | 14).u16(0xc000 | 12).u16(1).u16(1);
    expect(decodeDns(w.build(), 0)).toMatchObject({ ok: false, error: 'malformed', detail: `DNS name compression loop (more than ${DNS_MAX_POINTERS} pointers)` });
  });

  it('a loop through a label grows the name past 255 bytes', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.u8(3).raw([97, 98, 99]).u16(0xc000 | 12).u16(1).u16(1);
    expect(decodeDns(w.build(), 0)).toMatchObject({ ok: false, error: 'malformed', detail: 'DNS name longer than 255 bytes' });
  });

  it('a forward chain of pointers longer than the limit', () => {
    const w = new DnsWriter().header({ qd: 1 });
    const start = w.length;
    for (let i = 0; i <= DNS_MAX_POINTERS; i++) w.u16(0xc000 | (start + 2 * (i + 1)));
    w.u8(0).u16(1).u16(1);
    const msg = w.build();
    const r = readDnsName(msg, 0, start);
    expect(r).toMatchObject({ ok: false, error: 'malformed', detail: `DNS name compression loop (more than ${DNS_MAX_POINTERS} pointers)` });
    // One pointer fewer is a legal (if odd) name: the root.
    expect(readDnsName(msg, 0, start + 2)).toMatchObject({ ok: true, name: '.', next: start + 4 });
  });

  it('an uncompressed name over 255 bytes', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.name(Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.'), false).u16(1).u16(1);
    expect(decodeDns(w.build(), 0)).toMatchObject({ ok: false, error: 'malformed', detail: 'DNS name longer than 255 bytes' });
  });

  it('a name of exactly 255 bytes is fine', () => {
    // 3 x 63-byte labels + one 61-byte label: 4 x 1 + 250 + the root byte = 255.
    const name = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
    const w = new DnsWriter().header({ qd: 1 });
    w.name(name, false).u16(1).u16(1);
    expect(decodeDns(w.build(), 0).questions[0]!.name).toBe(name);
  });

  it('reserved label types are malformed', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.u8(0x41).u8(0).u16(1).u16(1);
    expect(decodeDns(w.build(), 0)).toMatchObject({ ok: false, error: 'malformed', detail: 'DNS label type 0x40 is not supported' });
  });

  it('escapes bytes that would confuse a log line', () => {
    const w = new DnsWriter().header({ qd: 1 });
    w.u8(4).raw([97, 0x2e, 98, 0x5c]).u8(3).raw([0, 0x0a, 0xff]).u8(0).u16(1).u16(1);
    expect(decodeDns(w.build(), 0).questions[0]!.name).toBe('a\\.b\\\\.\\000\\010\\255');
  });
});

describe('decodeDnsHeader', () => {
  it('decodes every flag into a reused object', () => {
    const out = new DnsHeader();
    const b = new DnsWriter().header({ id: 1, flags: 0xffff, qd: 2, an: 3, ns: 4, ar: 5 }).build();
    expect(decodeDnsHeader(b, 0, out)).toBe(out);
    expect(out).toMatchObject({ ok: true, id: 1, qr: true, opcode: 15, aa: true, tc: true, rd: true, ra: true, z: true, ad: true, cd: true, rcode: 15, qdcount: 2, ancount: 3, nscount: 4, arcount: 5 });
  });

  it('is truncated at every length below 12', () => {
    const b = new DnsWriter().header({}).build();
    expectEveryTruncation(b, 0, 12, (d, o, end) => decodeDnsHeader(d, o, undefined, end), () => 12);
  });
});
