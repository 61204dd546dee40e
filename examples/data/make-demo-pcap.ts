/**
 * Writes examples/data/demo.pcap: a small, realistic, deterministic capture
 * made by our own frame builder (@pfwork/core/craft), for `npm run demo` and
 * the examples. About 300 flows over one minute:
 * - IPv4 TCP sessions with handshake, request/response data, FIN close (some RST),
 *   to web, TLS and SSH servers; a share of them on VLANs 100 and 200;
 * - UDP DNS queries and answers (real DNS wire format) to a resolver;
 * - ICMP echo request/reply;
 * - IPv6 TCP and DNS;
 * - a few ARP frames (not IP).
 *
 * Usage: tsx examples/data/make-demo-pcap.ts [out.pcap]   (default: beside this file)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFrame, writePcapFile, type FrameSpec, type PcapRecord } from '@pfwork/core/craft';

/** mulberry32: a small seeded PRNG, so the capture is the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE_SEC = 1_700_000_000;
const NAMES = ['example.com', 'pfwork.dev', 'ntop.org', 'zeek.org', 'suricata.io', 'wikipedia.org', 'kernel.org', 'nodejs.org', 'github.com', 'debian.org'];

interface Timed {
  t: number; // seconds from the start
  spec: FrameSpec;
}

function dnsName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.')) out.push(label.length, ...Buffer.from(label, 'ascii'));
  out.push(0);
  return out;
}

/** A DNS query, or its answer (one A or AAAA record, name compressed to the question). */
function dnsMessage(id: number, name: string, type: 1 | 28, answer?: number[]): Uint8Array {
  const q = [...dnsName(name), 0, type, 0, 1];
  const head = [id >> 8, id & 255, answer ? 0x81 : 0x01, answer ? 0x80 : 0x00, 0, 1, 0, answer ? 1 : 0, 0, 0, 0, 0];
  const an = answer ? [0xc0, 0x0c, 0, type, 0, 1, 0, 0, 0x01, 0x2c, 0, answer.length, ...answer] : [];
  return Uint8Array.from([...head, ...q, ...an]);
}

function tcpSession(r: () => number, t0: number, c: { src: string; dst: string; sport: number; dport: number; vlan?: number[] }, out: Timed[]): void {
  const rtt = 0.002 + r() * 0.05;
  let cs = Math.floor(r() * 2 ** 31);
  let ss = Math.floor(r() * 2 ** 31);
  let t = t0;
  const base = { vlan: c.vlan };
  const c2s = (flags: string, payload = new Uint8Array(0)) => {
    out.push({ t, spec: { ...base, ip: { src: c.src, dst: c.dst }, l4: { kind: 'tcp', sport: c.sport, dport: c.dport, flags, seq: cs >>> 0, ack: ss >>> 0 }, payload } });
    cs += payload.length + (flags.includes('S') || flags.includes('F') ? 1 : 0);
  };
  const s2c = (flags: string, payload = new Uint8Array(0)) => {
    out.push({ t, spec: { ...base, srcMac: '02:00:00:00:00:02', dstMac: '02:00:00:00:00:01', ip: { src: c.dst, dst: c.src }, l4: { kind: 'tcp', sport: c.dport, dport: c.sport, flags, seq: ss >>> 0, ack: cs >>> 0 }, payload } });
    ss += payload.length + (flags.includes('S') || flags.includes('F') ? 1 : 0);
  };
  c2s('S');
  t += rtt / 2;
  s2c('SA');
  t += rtt / 2;
  c2s('A');
  const exchanges = 1 + Math.floor(r() * 4);
  for (let i = 0; i < exchanges; i++) {
    t += 0.001 + r() * 0.01;
    c2s('PA', new Uint8Array(40 + Math.floor(r() * 400)).fill(0x41 + i));
    t += rtt / 2;
    const chunks = 1 + Math.floor(r() * 3);
    for (let k = 0; k < chunks; k++) {
      s2c('PA', new Uint8Array(200 + Math.floor(r() * 1200)).fill(0x61 + k));
      t += 0.0005;
    }
    t += rtt / 2;
    c2s('A');
  }
  t += 0.01 + r() * 0.5;
  if (r() < 0.1) {
    c2s('RA');
    return;
  }
  c2s('FA');
  t += rtt / 2;
  s2c('FA');
  t += rtt / 2;
  c2s('A');
}

/** The demo capture's packets, time-ordered. */
export function demoPackets(seed = 7): PcapRecord[] {
  const r = rng(seed);
  const out: Timed[] = [];
  const servers = [
    { ip: '192.0.2.10', port: 80 },
    { ip: '192.0.2.11', port: 443 },
    { ip: '192.0.2.12', port: 443 },
    { ip: '198.51.100.5', port: 22 },
    { ip: '198.51.100.6', port: 8080 },
    { ip: '203.0.113.7', port: 443 },
  ];
  // IPv4 TCP sessions, a fifth of them on VLANs
  for (let i = 0; i < 180; i++) {
    const srv = servers[Math.floor(r() * servers.length)]!;
    const vlan = i % 5 === 0 ? [i % 10 === 0 ? 100 : 200] : undefined;
    tcpSession(r, r() * 60, { src: `10.1.${1 + Math.floor(i / 50)}.${1 + (i % 50)}`, dst: srv.ip, sport: 40000 + i, dport: srv.port, vlan }, out);
  }
  // DNS over IPv4
  for (let i = 0; i < 60; i++) {
    const t = r() * 60;
    const name = NAMES[Math.floor(r() * NAMES.length)]!;
    const client = `10.1.${1 + (i % 4)}.${100 + i}`;
    const id = Math.floor(r() * 65536);
    const sport = 50000 + i;
    out.push({ t, spec: { ip: { src: client, dst: '10.0.0.53' }, l4: { kind: 'udp', sport, dport: 53 }, payload: dnsMessage(id, name, 1) } });
    const answer = [93, 184, Math.floor(r() * 256), Math.floor(r() * 256)];
    out.push({ t: t + 0.003 + r() * 0.02, spec: { ip: { src: '10.0.0.53', dst: client }, l4: { kind: 'udp', sport: 53, dport: sport }, payload: dnsMessage(id, name, 1, answer) } });
  }
  // ICMP echo
  for (let i = 0; i < 20; i++) {
    const t = r() * 60;
    const host = `10.1.9.${i + 1}`;
    const id = 0x100 + i;
    const pings = 2 + Math.floor(r() * 3);
    for (let s = 0; s < pings; s++) {
      const payload = new Uint8Array(56).fill(s);
      out.push({ t: t + s, spec: { ip: { src: host, dst: '192.0.2.1' }, l4: { kind: 'icmp', type: 8, code: 0, id, seq: s }, payload } });
      out.push({ t: t + s + 0.001 + r() * 0.01, spec: { ip: { src: '192.0.2.1', dst: host }, l4: { kind: 'icmp', type: 0, code: 0, id, seq: s }, payload } });
    }
  }
  // IPv6: TCP sessions and DNS
  for (let i = 0; i < 25; i++) {
    tcpSession(r, r() * 60, { src: `2001:db8:1::${(i + 1).toString(16)}`, dst: '2001:db8:2::443', sport: 41000 + i, dport: 443 }, out);
  }
  for (let i = 0; i < 15; i++) {
    const t = r() * 60;
    const client = `2001:db8:1::${(0x100 + i).toString(16)}`;
    const id = Math.floor(r() * 65536);
    const name = NAMES[i % NAMES.length]!;
    out.push({ t, spec: { ip: { src: client, dst: '2001:db8::53' }, l4: { kind: 'udp', sport: 51000 + i, dport: 53 }, payload: dnsMessage(id, name, 28) } });
    const answer = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i + 1];
    out.push({ t: t + 0.004, spec: { ip: { src: '2001:db8::53', dst: client }, l4: { kind: 'udp', sport: 53, dport: 51000 + i }, payload: dnsMessage(id, name, 28, answer) } });
  }
  // ARP (not IP: counted, never in a flow)
  for (let i = 0; i < 6; i++) out.push({ t: i * 10, spec: { etherType: 0x0806, body: new Uint8Array(28).fill(i), dstMac: 'ff:ff:ff:ff:ff:ff' } });

  out.sort((a, b) => a.t - b.t);
  return out.map(({ t, spec }) => {
    const ns = Math.round(t * 1e9);
    return { tsSec: BASE_SEC + Math.floor(ns / 1e9), tsNsec: ns % 1e9, data: buildFrame(spec) };
  });
}

/** Writes the demo capture to `file`; returns the number of packets. */
export function writeDemoCapture(file: string, seed = 7): number {
  const packets = demoPackets(seed);
  writePcapFile(file, packets);
  return packets.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo.pcap'));
  const n = writeDemoCapture(file);
  process.stderr.write(`wrote ${file}: ${n} packets\n`);
}
