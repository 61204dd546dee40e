/**
 * Baseline B: what a Node user writes today with node_pcap (the `pcap` npm
 * package): an offline session, pcap.decode.packet() on every packet, and a
 * Map counting packets per 5-tuple (both directions as one key).
 *
 * Usage: node --import tsx bench/programs/node-pcap-count.ts FILE [--raw]
 * --raw only counts delivered packets (node_pcap's delivery rate, no decode).
 */
import { createRequire } from 'node:module';
import { cpuSeconds, maxRssKb, printReport } from '../lib/report.js';

const require = createRequire(import.meta.url);
// node_pcap is CommonJS with no types worth importing here
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pcap = require('pcap') as any;

const file = process.argv[2];
const raw = process.argv.includes('--raw');
if (!file) {
  console.error('usage: node-pcap-count FILE [--raw]');
  process.exit(2);
}

const cpu0 = cpuSeconds();
const t0 = performance.now();
const session = pcap.createOfflineSession(file);
let packets = 0;
const counts = new Map<string, number>();

if (raw) {
  session.on('packet', () => {
    packets++;
  });
} else {
  session.on('packet', (rawPacket: unknown) => {
    packets++;
    const pkt = pcap.decode.packet(rawPacket);
    const ip = pkt.payload?.payload;
    if (!ip || !ip.saddr) return; // not IP
    const l4 = ip.payload;
    const sport = l4?.sport ?? 0;
    const dport = l4?.dport ?? 0;
    const proto = ip.protocol ?? ip.nextHeader;
    const a = `${ip.saddr}|${sport}`;
    const b = `${ip.daddr}|${dport}`;
    const key = a < b ? `${proto}|${a}|${b}` : `${proto}|${b}|${a}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
}

session.on('complete', () => {
  const seconds = (performance.now() - t0) / 1000;
  printReport({
    packets,
    seconds,
    cpuSeconds: cpuSeconds() - cpu0,
    flows: raw ? undefined : counts.size,
    rssKb: [maxRssKb()],
  });
  session.close();
});
