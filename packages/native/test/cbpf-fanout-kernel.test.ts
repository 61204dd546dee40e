import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_TYPE_NAMES, clusterHash, fanoutProgram } from '../src/cluster.js';
import { locate, MetaFlag } from '../src/locate.js';
import { buildFrame, buildIPv4Fragments } from './support/frames.js';
import { hashVectors, swapped, vectorFrame } from './support/vectors.js';

// The programs in the real kernel: a veth pair in a private network namespace
// (unshare -n), N fanout members on each end, frames injected with a packet
// socket. Received frames have their outer tag moved to metadata by the kernel;
// the sending end sees them as outgoing (MAC-header view). Needs root.
const here = path.dirname(fileURLToPath(import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('sh', ['-c', 'command -v unshare && command -v python3 && (command -v ip || test -x /usr/sbin/ip)']).status === 0;
const skipReason = !isRoot
  ? 'needs root (CAP_NET_ADMIN for the veth pair, CAP_NET_RAW for the packet sockets); CI runs as root'
  : !hasTools
    ? 'needs unshare, ip and python3'
    : '';
const MEMBERS = 3;
const HASHED = [0, 2, 3, 4, 5];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tcp = (sport: number, dport: number) => ({ kind: 'tcp', sport, dport, flags: 'PA' }) as const;

const fragmented = buildIPv4Fragments(
  { ip: { src: '10.50.0.1', dst: '10.50.0.2', id: 77 }, l4: { kind: 'udp', sport: 9, dport: 10 }, payload: new Uint8Array(64) },
  32,
);

function frames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of hashVectors) out.push(vectorFrame(v.spec), vectorFrame(swapped(v.spec)));
  for (let i = 0; i < 40; i++) {
    const ip = { src: `10.${i}.1.1`, dst: `10.${i % 7}.2.${i + 1}` };
    const ip6 = { src: `2001:db8::${i + 1}`, dst: `2001:db8:${i}::99` };
    out.push(buildFrame({ ip, l4: tcp(1000 + i, 80) }));
    out.push(buildFrame({ vlan: [100 + i], ip: ip6, l4: { kind: 'udp', sport: 53, dport: 2000 + i } }));
    out.push(buildFrame({ vlan: [i + 1, 200], ip, l4: tcp(2000 + i, 443) }));
    out.push(buildFrame({ vlan: [7], vlanTpids: [0x9100], ip, l4: tcp(3000 + i, 22) }));
    out.push(buildFrame({ mpls: [16 + i, 17], ip: ip6, l4: tcp(4000 + i, 8080) }));
    out.push(buildFrame({ pppoeSession: i, ip, l4: { kind: 'udp', sport: 4500, dport: 4500 + i } }));
    out.push(buildFrame({ ip: { ...ip6, ext6: [0, 60] }, l4: tcp(5000 + i, 179) }));
    out.push(buildFrame({ ip, l4: { kind: 'icmp', type: 8, code: 0, id: i } }));
  }
  out.push(...fragmented);
  return out;
}

interface Got { type: number; side: 'rx' | 'tx'; member: number; pkttype: number; hex: string; vlanTci: number; vlanTpid: number }

/** The frame as it was on the wire: a tag the kernel moved to metadata put back in the bytes. */
function onWire(g: Got): string {
  if (g.vlanTci < 0) return g.hex;
  const tag = (g.vlanTpid || 0x8100).toString(16).padStart(4, '0') + g.vlanTci.toString(16).padStart(4, '0');
  return g.hex.slice(0, 24) + tag + g.hex.slice(24);
}

describe.skipIf(!!skipReason)(skipReason ? `fanout programs in the kernel: skipped, ${skipReason}` : 'fanout programs in the kernel', () => {
  const dir = mkdtempSync(path.join(tmpdir(), `pfw-cbpf-kernel-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every packet lands on member hash % N, received and outgoing, tags in metadata or in the bytes', () => {
    const sent = frames();
    const programs = Object.fromEntries(HASHED.map((t) => [t, fanoutProgram(t)]));
    writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ programs, members: MEMBERS, frames: sent.map(hex) }));
    const r = spawnSync('unshare', ['-n', 'python3', path.join(here, 'support/fanout-kernel.py'), path.join(dir, 'in.json'), path.join(dir, 'out.json')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as Got[];
    const fragHex = new Set(fragmented.map(hex));
    const sentHex = new Map<string, number>();
    // IPv4 fragments are held for reassembly (FLAG_DEFRAG): a lone one (a vector) never comes out.
    const isV4Fragment = (f: Uint8Array) => (locate(f).flags & (MetaFlag.IPv4 | MetaFlag.Fragment)) === (MetaFlag.IPv4 | MetaFlag.Fragment);
    for (const f of sent) if (!isV4Fragment(f)) sentHex.set(hex(f), (sentHex.get(hex(f)) ?? 0) + 1);
    // 10.50.0.1 -> 10.50.0.2 as an IPv4 header's source and destination: the reassembled datagram.
    const isReassembled = (h: string) => h.startsWith('0800', 24) && h.slice(52, 68) === '0a3200010a320002' && !fragHex.has(h);
    for (const t of HASHED) {
      for (const side of ['rx', 'tx'] as const) {
        const mine = got.filter((g) => g.type === t && g.side === side);
        const seen = new Map<string, number>();
        for (const g of mine) {
          const bytes = Uint8Array.from(Buffer.from(g.hex, 'hex'));
          const h = clusterHash(bytes, t, 1, g.vlanTci);
          if (h % MEMBERS !== g.member) {
            expect.fail(`${CLUSTER_TYPE_NAMES[t]} ${side}: member ${g.member}, hash ${h} % ${MEMBERS} = ${h % MEMBERS} for ${g.hex} (vlan ${g.vlanTci})`);
          }
          seen.set(onWire(g), (seen.get(onWire(g)) ?? 0) + 1);
        }
        // Every frame we sent arrived, on exactly one member (as many times as we sent it).
        const missing = [...sentHex.keys()].filter((h) => seen.get(h) !== sentHex.get(h));
        expect(missing, `${CLUSTER_TYPE_NAMES[t]} ${side}: frames not seen exactly as often as sent`).toEqual([]);
        // FLAG_DEFRAG: the fragments are reassembled before fanout and delivered once, whole.
        expect([...seen.keys()].filter(isReassembled), `${CLUSTER_TYPE_NAMES[t]} ${side}: reassembled datagram`).toHaveLength(1);
        expect([...seen.keys()].filter((h) => fragHex.has(h)), `${CLUSTER_TYPE_NAMES[t]} ${side}: raw fragments`).toHaveLength(0);
      }
    }
  }, 120_000);
});

