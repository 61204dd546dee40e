/**
 * DNS decoding against nDPI's own results on a public capture of large,
 * partly fragmented DNS answers (UDP and TCP, IPv4 and IPv6): per flow,
 * the query name nDPI reports, and the first address it took from the answers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPcapsDir, SHARED_PCAPS_SKIP } from '../../../test/support/pcaps.js';
import { decodeDns, decodeEthernet, decodeIPv4, decodeIPv6, decodeTCP, decodeUDP, DNS_TYPE, formatIPv4, formatIPv6 } from '../src/decode/index.js';
import { readCapture } from './support/read-capture.js';

const FILE = path.join(sharedPcapsDir, 'ndpi/tests/cfgs/default/pcap/dns_fragmented.pcap');
const ORACLE_DIR = `${FILE}.oracle`;
const present = existsSync(FILE) && existsSync(ORACLE_DIR);

interface Seen {
  query?: string;
  firstAddress?: string;
}

/** "addr:port" the way nDPI prints an endpoint (IPv6 in brackets). */
const endpoint = (addr: string, port: number) => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
const pairKey = (a: string, b: string) => [a, b].sort().join(' <-> ');

function decodeCapture(): Map<string, Seen> {
  const flows = new Map<string, Seen>();
  for (const p of readCapture(FILE)) {
    const d = p.data;
    const eth = decodeEthernet(d, 0);
    if (!eth.ok) continue;
    let src: string;
    let dst: string;
    let proto: number;
    let l4: number;
    if (eth.etherType === 0x0800) {
      const ip = decodeIPv4(d, eth.payloadOffset);
      if (!ip.ok || ip.fragmentOffset !== 0) continue;
      [src, dst, proto, l4] = [formatIPv4(ip.src), formatIPv4(ip.dst), ip.protocol, ip.payloadOffset];
    } else if (eth.etherType === 0x86dd) {
      const ip = decodeIPv6(d, eth.payloadOffset);
      if (!ip.ok || ip.fragmentOffset !== 0) continue;
      [src, dst, proto, l4] = [formatIPv6(d, ip.srcOffset), formatIPv6(d, ip.dstOffset), ip.protocol, ip.payloadOffset];
    } else continue;
    let msg;
    let key: string;
    if (proto === 17) {
      const u = decodeUDP(d, l4);
      if (!u.ok || (u.srcPort !== 53 && u.dstPort !== 53)) continue;
      key = pairKey(endpoint(src, u.srcPort), endpoint(dst, u.dstPort));
      msg = decodeDns(d, u.payloadOffset, { end: u.payloadOffset + u.payloadBytes });
    } else if (proto === 6) {
      const t = decodeTCP(d, l4);
      if (!t.ok || (t.srcPort !== 53 && t.dstPort !== 53) || t.payloadOffset >= d.length) continue;
      key = pairKey(endpoint(src, t.srcPort), endpoint(dst, t.dstPort));
      msg = decodeDns(d, t.payloadOffset, { tcp: true });
    } else continue;
    if (msg.error !== null && msg.error !== 'truncated') throw new Error(`${key}: ${msg.detail}`);
    const seen = flows.get(key) ?? {};
    flows.set(key, seen);
    if (!msg.qr && msg.questions[0]) seen.query ??= msg.questions[0].name;
    if (msg.qr && seen.firstAddress === undefined) {
      const a = msg.answers.find((r) => (r.type === DNS_TYPE.A || r.type === DNS_TYPE.AAAA) && typeof r.data === 'string');
      if (a) seen.firstAddress = a.data as string;
    }
  }
  return flows;
}

describe.skipIf(!present)('DNS on dns_fragmented.pcap agrees with nDPI', () => {
  if (!present) it.skip(SHARED_PCAPS_SKIP, () => {});

  it('query names and answer addresses, flow by flow', () => {
    const oracle = readdirSync(ORACLE_DIR).map((f) => readFileSync(path.join(ORACLE_DIR, f), 'utf8')).join('\n');
    const rows = [...oracle.matchAll(/^\s+\d+\s+(?:TCP|UDP) (\S+) <-> (\S+) .*?\[Hostname\/SNI: ([^\]]+)\]\[([^\]]+)\]/gm)];
    expect(rows.length).toBe(21);
    const flows = decodeCapture();
    let addresses = 0;
    for (const [, a, b, host, addr] of rows) {
      const seen = flows.get(pairKey(a!, b!));
      expect(seen, `${a} <-> ${b}`).toBeDefined();
      expect(seen!.query, `${a} <-> ${b}`).toBe(host);
      if (addr !== '0.0.0.0') {
        expect(seen!.firstAddress, `${a} <-> ${b}`).toBe(addr);
        addresses++;
      }
    }
    expect(addresses).toBeGreaterThanOrEqual(10);
  });
});
