/**
 * A generated capture with the layers that make clustering hard: both
 * directions of many flows between the same hosts, VLAN and QinQ, MPLS,
 * PPPoE, IPv6 with extension headers, IPv4 and IPv6 fragments, ICMP and
 * ICMPv6, SCTP, ARP. Written with @pfwork/core/craft (our own code, no
 * external captures), deterministic.
 */
import { buildFrame, buildIPv4Fragments, writePcapFile, type FrameSpec, type PcapRecord } from '@pfwork/core/craft';

export function edgeFrames(): FrameSpec[] {
  const f: FrameSpec[] = [];
  const both = (spec: FrameSpec, times: number) => {
    for (let i = 0; i < times; i++) {
      f.push(spec);
      const l4 = spec.l4!;
      const back: FrameSpec = { ...spec, ip: { ...spec.ip!, src: spec.ip!.dst, dst: spec.ip!.src } };
      if (l4.kind === 'tcp' || l4.kind === 'udp' || l4.kind === 'sctp') back.l4 = { ...l4, sport: l4.dport, dport: l4.sport };
      if (l4.kind === 'icmp') back.l4 = { ...l4, type: 0 };
      if (l4.kind === 'icmp6') back.l4 = { ...l4, type: 129 };
      f.push(back);
    }
  };
  const payload = (n: number) => new Uint8Array(n).fill(0x5a);
  // many flows between the same two hosts (4-/5-tuple types separate them, 2-tuple does not)
  for (let p = 0; p < 24; p++) both({ ip: { src: '10.9.0.1', dst: '10.9.0.2' }, l4: { kind: 'tcp', sport: 30000 + p, dport: 80, flags: 'PA' }, payload: payload(20 + p) }, 2);
  for (let p = 0; p < 12; p++) both({ ip: { src: '10.9.0.1', dst: '10.9.0.2' }, l4: { kind: 'udp', sport: 30000 + p, dport: 80 }, payload: payload(12) }, 1);
  // many hosts
  for (let h = 1; h <= 40; h++) both({ ip: { src: `172.16.${h}.1`, dst: `172.17.${h % 7}.9` }, l4: { kind: 'tcp', sport: 1024 + h, dport: 443, flags: 'A' }, payload: payload(h) }, 2);
  // VLAN, QinQ, MPLS, PPPoE
  for (let h = 1; h <= 8; h++) {
    both({ vlan: [100 + h], ip: { src: `10.10.${h}.1`, dst: '10.10.0.254' }, l4: { kind: 'udp', sport: 5000 + h, dport: 53 }, payload: payload(30) }, 2);
    both({ vlan: [200, 300 + h], ip: { src: `10.11.${h}.1`, dst: '10.11.0.254' }, l4: { kind: 'tcp', sport: 6000 + h, dport: 22, flags: 'A' } }, 2);
    both({ mpls: [1000 + h, 2000], ip: { src: `10.12.${h}.1`, dst: '10.12.0.254' }, l4: { kind: 'udp', sport: 7000 + h, dport: 4789 }, payload: payload(8) }, 1);
    both({ pppoeSession: 0x100 + h, ip: { src: `10.13.${h}.1`, dst: '10.13.0.254' }, l4: { kind: 'tcp', sport: 8000 + h, dport: 80, flags: 'S' } }, 1);
  }
  // IPv6, with extension headers
  for (let h = 1; h <= 10; h++) {
    both({ ip: { src: `2001:db8:a::${h}`, dst: '2001:db8:b::1' }, l4: { kind: 'tcp', sport: 9000 + h, dport: 443, flags: 'PA' }, payload: payload(50) }, 2);
    both({ ip: { src: `2001:db8:c::${h}`, dst: '2001:db8:d::1', ext6: [0, 60] }, l4: { kind: 'udp', sport: 9100 + h, dport: 53 }, payload: payload(40) }, 1);
    both({ ip: { src: `2001:db8:e::${h}`, dst: '2001:db8:f::1' }, l4: { kind: 'icmp6', type: 128, code: 0, id: h, seq: 1 } }, 1);
  }
  // ICMP, SCTP
  for (let h = 1; h <= 6; h++) {
    both({ ip: { src: `192.168.50.${h}`, dst: '192.168.50.254' }, l4: { kind: 'icmp', type: 8, code: 0, id: h, seq: 1 }, payload: payload(32) }, 2);
    both({ ip: { src: `192.168.60.${h}`, dst: '192.168.60.254' }, l4: { kind: 'sctp', sport: 3868, dport: 3868 + h }, payload: payload(16) }, 1);
  }
  // ARP (not IP)
  for (let i = 0; i < 4; i++) f.push({ etherType: 0x0806, body: new Uint8Array(28).fill(i) });
  return f;
}

/** IPv4 fragment trains (3 fragments of one UDP datagram each), as frames. */
export function fragmentFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let d = 1; d <= 6; d++) {
    out.push(
      ...buildIPv4Fragments(
        { ip: { src: `10.20.${d}.1`, dst: '10.20.0.2', id: 0x4000 + d }, l4: { kind: 'udp', sport: 4000 + d, dport: 2049 }, payload: new Uint8Array(3000).fill(d) },
        1200,
      ),
    );
  }
  return out;
}

/** Writes the edge capture; returns the packet count. */
export function writeEdgeCapture(file: string): number {
  const frames = [...edgeFrames().map((s) => buildFrame(s)), ...fragmentFrames()];
  const recs: PcapRecord[] = frames.map((data, i) => ({ tsSec: 1_700_100_000 + Math.floor(i / 100), tsNsec: (i % 100) * 10_000_000 + 7, data }));
  writePcapFile(file, recs);
  return recs.length;
}
