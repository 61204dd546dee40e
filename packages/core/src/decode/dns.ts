/**
 * DNS messages (RFC 1035): the header, questions and resource records, with
 * name compression. Names are read loop-safely: at most DNS_MAX_POINTERS
 * compression pointers per name and DNS_MAX_NAME_LENGTH bytes of name, so a
 * hostile packet costs bounded work. Record counts are bounded too
 * (maxRecords). Names and record data are strings: decodeDns allocates, so
 * call it for DNS packets, not for every packet.
 */
import { formatIPv4At, formatIPv6 } from './address.js';
import { availableFrom, begin, DecodeStatus, malformed, truncated, u16, u32 } from './result.js';

export const DNS_HEADER_LENGTH = 12;
/** RFC 1035 section 3.1: a name is at most 255 bytes on the wire. */
export const DNS_MAX_NAME_LENGTH = 255;
/** Compression pointers followed per name before it is called a loop. */
export const DNS_MAX_POINTERS = 64;
/** Records (questions included) decoded per message unless maxRecords says otherwise. */
export const DNS_DEFAULT_MAX_RECORDS = 256;

export const DNS_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DNAME: 39,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  SVCB: 64,
  HTTPS: 65,
  ANY: 255,
  CAA: 257,
} as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DNS_TYPE).map(([k, v]) => [v, k]));

/** The mnemonic of a record type ('TYPE65280' per RFC 3597 when unknown). */
export function dnsTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** The mnemonic of a response code ('RCODE16' when unknown). */
export function dnsRcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

export class DnsHeader extends DecodeStatus {
  id = 0;
  /** True for a response. */
  qr = false;
  opcode = 0;
  aa = false;
  /** Truncated by the server (retry over TCP); not about this capture. */
  tc = false;
  rd = false;
  ra = false;
  z = false;
  ad = false;
  cd = false;
  rcode = 0;
  qdcount = 0;
  ancount = 0;
  nscount = 0;
  arcount = 0;
}

/**
 * Decodes the 12-byte DNS header at `off` (no allocation).
 *
 * @example if (decodeDnsHeader(data, udp.payloadOffset, hdr).ok && hdr.qr) responses++;
 */
export function decodeDnsHeader(data: Uint8Array, off: number, out = new DnsHeader(), end = data.length): DnsHeader {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < DNS_HEADER_LENGTH) return truncated(out, DNS_HEADER_LENGTH, avail);
  out.id = u16(data, off);
  const f = u16(data, off + 2);
  out.qr = (f & 0x8000) !== 0;
  out.opcode = (f >>> 11) & 0xf;
  out.aa = (f & 0x0400) !== 0;
  out.tc = (f & 0x0200) !== 0;
  out.rd = (f & 0x0100) !== 0;
  out.ra = (f & 0x0080) !== 0;
  out.z = (f & 0x0040) !== 0;
  out.ad = (f & 0x0020) !== 0;
  out.cd = (f & 0x0010) !== 0;
  out.rcode = f & 0xf;
  out.qdcount = u16(data, off + 4);
  out.ancount = u16(data, off + 6);
  out.nscount = u16(data, off + 8);
  out.arcount = u16(data, off + 10);
  return out;
}

export class DnsName extends DecodeStatus {
  /** Labels joined by '.', no trailing dot; '.' for the root. Unsafe bytes escaped as in zone files (\. \\ \DDD). */
  name = '';
  /** Offset just after the name where it was written (after its first pointer, if compressed). */
  next = 0;
}

function appendLabel(name: string, d: Uint8Array, o: number, len: number): string {
  let s = name.length ? name + '.' : '';
  for (let i = o; i < o + len; i++) {
    const c = d[i]!;
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/**
 * Reads a possibly compressed name at `off`; compression pointers are
 * offsets from `msgOff`, the start of the DNS message. `needed` and
 * `available` count from `off`.
 *
 * Malformed: a compression loop (more than DNS_MAX_POINTERS pointers), a
 * name over 255 bytes, a pointer outside the message, a reserved label type.
 */
export function readDnsName(data: Uint8Array, msgOff: number, off: number, end = data.length, out = new DnsName()): DnsName {
  if (!begin(out, off)) return out;
  out.name = '';
  const stop = end < data.length ? end : data.length;
  let o = off;
  let wire = 0;
  let hops = 0;
  let next = -1;
  let name = '';
  for (;;) {
    if (o >= stop) return truncated(out, o - off + 1, availableFrom(data, off, end));
    const len = data[o]!;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (o + 2 > stop) return truncated(out, o - off + 2, availableFrom(data, off, end));
      if (++hops > DNS_MAX_POINTERS) return malformed(out, `DNS name compression loop (more than ${DNS_MAX_POINTERS} pointers)`);
      const target = msgOff + (((len & 0x3f) << 8) | data[o + 1]!);
      if (next < 0) next = o + 2;
      if (target >= stop) return truncated(out, target + 1 - off, availableFrom(data, off, end));
      o = target;
      continue;
    }
    if (kind !== 0) return malformed(out, `DNS label type 0x${kind.toString(16)} is not supported`);
    wire += len + 1;
    if (wire > DNS_MAX_NAME_LENGTH) return malformed(out, `DNS name longer than ${DNS_MAX_NAME_LENGTH} bytes`);
    if (len === 0) {
      if (next < 0) next = o + 1;
      break;
    }
    if (o + 1 + len > stop) return truncated(out, o + 1 + len - off, availableFrom(data, off, end));
    name = appendLabel(name, data, o + 1, len);
    o += 1 + len;
  }
  out.name = name.length ? name : '.';
  out.next = next;
  return out;
}

export interface DnsQuestion {
  name: string;
  type: number;
  /** The class (1 = IN); the mDNS unicast-response bit is masked off. */
  class: number;
}

export interface DnsMx {
  preference: number;
  exchange: string;
}

export interface DnsSrv {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface DnsSoa {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * Decoded record data: an address (A, AAAA), a name (NS, CNAME, PTR,
 * DNAME), strings (TXT), MX / SRV / SOA objects; undefined for other types
 * (read rdataOffset / rdataLength yourself) or rdata that does not parse.
 */
export type DnsRdata = string | string[] | DnsMx | DnsSrv | DnsSoa | undefined;

export interface DnsRecord {
  name: string;
  type: number;
  /** The class; for OPT (EDNS) the requestor's UDP payload size. The mDNS cache-flush bit is masked off except for OPT. */
  class: number;
  /** TTL in seconds; for OPT the extended rcode and flags. */
  ttl: number;
  rdataOffset: number;
  rdataLength: number;
  data: DnsRdata;
}

export class DnsMessage extends DnsHeader {
  questions: DnsQuestion[] = [];
  answers: DnsRecord[] = [];
  authorities: DnsRecord[] = [];
  additionals: DnsRecord[] = [];
  /** True when the header's counts exceeded maxRecords and the rest was not decoded. */
  capped = false;
}

export interface DecodeDnsOptions {
  /** Where the message ends in `data` (default data.length; pass the UDP payload's end). */
  end?: number;
  /** DNS over TCP: a 2-byte length precedes the message. */
  tcp?: boolean;
  /** Most questions + records decoded (default 256). */
  maxRecords?: number;
}

/**
 * Decodes a whole DNS message at `off` (the UDP payload, or the TCP payload
 * with `tcp: true`). On failure the header and the sections read so far stay
 * in the result, with `error` saying why the rest is missing.
 *
 * @example
 *   const msg = decodeDns(pkt.data, pkt.payloadOff);
 *   if (msg.ok) for (const a of msg.answers) if (a.type === DNS_TYPE.A) seen(a.name, a.data);
 */
export function decodeDns(data: Uint8Array, off: number, opts: DecodeDnsOptions = {}): DnsMessage {
  const out = new DnsMessage();
  let end = opts.end ?? data.length;
  let msgOff = off;
  if (opts.tcp) {
    if (!begin(out, off)) return out;
    const avail = availableFrom(data, off, end);
    if (avail < 2) return truncated(out, 2 + DNS_HEADER_LENGTH, avail);
    const len = u16(data, off);
    msgOff = off + 2;
    if (msgOff + len < end) end = msgOff + len;
  }
  decodeDnsHeader(data, msgOff, out, end);
  if (!out.ok) {
    if (out.error === 'truncated' && opts.tcp) {
      out.needed += 2;
      out.available += 2;
    }
    return out;
  }
  out.offset = off;
  const max = opts.maxRecords ?? DNS_DEFAULT_MAX_RECORDS;
  const name = new DnsName();
  let o = msgOff + DNS_HEADER_LENGTH;
  let budget = max;
  for (let i = 0; i < out.qdcount; i++) {
    if (budget-- <= 0) return capped(out);
    readDnsName(data, msgOff, o, end, name);
    if (!name.ok) return failAt(out, name, name.offset + name.needed, data, off, end);
    o = name.next;
    if (o + 4 > end || o + 4 > data.length) return failAt(out, null, o + 4, data, off, end);
    out.questions.push({ name: name.name, type: u16(data, o), class: u16(data, o + 2) & 0x7fff });
    o += 4;
  }
  const sections = [out.answers, out.authorities, out.additionals];
  const counts = [out.ancount, out.nscount, out.arcount];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]!; i++) {
      if (budget-- <= 0) return capped(out);
      readDnsName(data, msgOff, o, end, name);
      if (!name.ok) return failAt(out, name, name.offset + name.needed, data, off, end);
      o = name.next;
      if (o + 10 > end || o + 10 > data.length) return failAt(out, null, o + 10, data, off, end);
      const type = u16(data, o);
      const rclass = u16(data, o + 2);
      const ttl = u32(data, o + 4);
      const rdlen = u16(data, o + 8);
      const rdOff = o + 10;
      if (rdOff + rdlen > end || rdOff + rdlen > data.length) return failAt(out, null, rdOff + rdlen, data, off, end);
      sections[s]!.push({
        name: name.name,
        type,
        class: type === DNS_TYPE.OPT ? rclass : rclass & 0x7fff,
        ttl,
        rdataOffset: rdOff,
        rdataLength: rdlen,
        data: rdata(data, msgOff, type, rdOff, rdlen),
      });
      o = rdOff + rdlen;
    }
  }
  return out;
}

/** Marks the message failed: the name's own malformation, or truncated at absolute offset `upTo`. */
function failAt(out: DnsMessage, name: DnsName | null, upTo: number, data: Uint8Array, off: number, end: number): DnsMessage {
  if (name && name.error === 'malformed') return malformed(out, name.detail);
  return truncated(out, upTo - off, availableFrom(data, off, end));
}

function capped(out: DnsMessage): DnsMessage {
  out.capped = true;
  return out;
}

/** A name inside rdata: must end within the rdata; undefined otherwise. */
function rdName(d: Uint8Array, msgOff: number, o: number, end: number): { name: string; next: number } | undefined {
  const n = readDnsName(d, msgOff, o, end);
  return n.ok && n.next <= end ? { name: n.name, next: n.next } : undefined;
}

const UTF8 = new TextDecoder('utf-8');

function rdata(d: Uint8Array, msgOff: number, type: number, o: number, len: number): DnsRdata {
  const end = o + len;
  switch (type) {
    case DNS_TYPE.A:
      return len === 4 ? formatIPv4At(d, o) : undefined;
    case DNS_TYPE.AAAA:
      return len === 16 ? formatIPv6(d, o) : undefined;
    case DNS_TYPE.NS:
    case DNS_TYPE.CNAME:
    case DNS_TYPE.PTR:
    case DNS_TYPE.DNAME:
      return rdName(d, msgOff, o, end)?.name;
    case DNS_TYPE.MX: {
      if (len < 3) return undefined;
      const ex = rdName(d, msgOff, o + 2, end);
      return ex ? { preference: u16(d, o), exchange: ex.name } : undefined;
    }
    case DNS_TYPE.SRV: {
      if (len < 7) return undefined;
      const t = rdName(d, msgOff, o + 6, end);
      return t ? { priority: u16(d, o), weight: u16(d, o + 2), port: u16(d, o + 4), target: t.name } : undefined;
    }
    case DNS_TYPE.SOA: {
      const m = rdName(d, msgOff, o, end);
      const r = m && rdName(d, msgOff, m.next, end);
      if (!m || !r || r.next + 20 > end) return undefined;
      const p = r.next;
      return { mname: m.name, rname: r.name, serial: u32(d, p), refresh: u32(d, p + 4), retry: u32(d, p + 8), expire: u32(d, p + 12), minimum: u32(d, p + 16) };
    }
    case DNS_TYPE.TXT: {
      const parts: string[] = [];
      for (let p = o; p < end; ) {
        const n = d[p]!;
        if (p + 1 + n > end) return undefined;
        parts.push(UTF8.decode(d.subarray(p + 1, p + 1 + n)));
        p += 1 + n;
      }
      return parts;
    }
    default:
      return undefined;
  }
}
