/**
 * Frame crafting: build Ethernet/VLAN/MPLS/PPPoE/IPv4/IPv6/TCP/UDP/ICMP frames
 * byte by byte. Used by tests, the demo capture and the benchmark generator;
 * useful to handler authors for their own tests. Checksums are computed
 * (IPv4 header, TCP/UDP/ICMP over the pseudo-header) so captures look real
 * to tshark and the kernel.
 *
 * @example
 *   const f = buildFrame({ vlan: [100], ip: { src: '10.0.0.1', dst: '10.0.0.2' },
 *     l4: { kind: 'tcp', sport: 40000, dport: 80, flags: 'S' }, payload: new Uint8Array(0) });
 */

export type TcpFlagLetters = string; // any of F S R P A U E C, e.g. 'SA', 'FA', 'PA'

export type L4Spec =
  | { kind: 'tcp'; sport: number; dport: number; flags?: TcpFlagLetters; seq?: number; ack?: number; window?: number }
  | { kind: 'udp'; sport: number; dport: number }
  | { kind: 'sctp'; sport: number; dport: number }
  | { kind: 'icmp'; type: number; code: number; id?: number; seq?: number }
  | { kind: 'icmp6'; type: number; code: number; id?: number; seq?: number }
  | { kind: 'raw'; proto: number };

export interface IpSpec {
  src: string; // IPv4 dotted quad or IPv6 text
  dst: string;
  ttl?: number;
  /** IPv4 identification (also the fragment id). */
  id?: number;
  /** IPv4 fragment: byte offset (multiple of 8) and more-fragments flag. */
  fragOffset?: number;
  moreFragments?: boolean;
  /** IPv4 options bytes (padded to 4). */
  options?: Uint8Array;
  /** IPv6: extension headers to insert before the transport header (hop-by-hop 0, routing 43, dst-opts 60). */
  ext6?: number[];
  /** IPv6 fragment header: offset (bytes), more flag, identification. */
  frag6?: { offset: number; more: boolean; id: number };
}

export interface FrameSpec {
  srcMac?: string;
  dstMac?: string;
  /** VLAN ids, outer first; tpids default 0x8100 (first of two: 0x88a8). */
  vlan?: number[];
  vlanTpids?: number[];
  /** MPLS labels, outer first (bottom of stack set on the last). */
  mpls?: number[];
  /** Wrap in a PPPoE session (ethertype 0x8864) with this session id. */
  pppoeSession?: number;
  ip?: IpSpec;
  l4?: L4Spec;
  payload?: Uint8Array;
  /** A non-IP ethertype and body instead of ip/l4 (e.g. ARP 0x0806). */
  etherType?: number;
  body?: Uint8Array;
}

export function parseMac(mac: string): Uint8Array {
  const parts = mac.split(':').map((h) => parseInt(h, 16));
  if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) throw new TypeError(`bad MAC address: ${mac}`);
  return Uint8Array.from(parts);
}

export function parseIPv4(addr: string): Uint8Array {
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new TypeError(`bad IPv4 address: ${addr}`);
  }
  return Uint8Array.from(parts);
}

export function parseIPv6(addr: string): Uint8Array {
  let text = addr;
  const out = new Uint8Array(16);
  // embedded IPv4 tail (::ffff:1.2.3.4)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    const b = parseIPv4(v4[1]!);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = text.slice(0, -v4[1]!.length) + (text.endsWith('::' + v4[1]) ? '' : '0');
    if (text.endsWith(':0')) text = text.slice(0, -2);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new TypeError(`bad IPv6 address: ${addr}`);
  const head = halves[0] ? halves[0].split(':').map((h) => parseInt(h, 16)) : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':').map((h) => parseInt(h, 16)) : [];
  const groups = 8 - tail.length;
  const fill = halves.length === 2 ? groups - head.length - rest.length : 0;
  const words = [...head, ...new Array(Math.max(fill, 0)).fill(0), ...rest, ...tail];
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) throw new TypeError(`bad IPv6 address: ${addr}`);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

export function isIPv6(addr: string): boolean {
  return addr.includes(':');
}

/** RFC 1071 one's-complement sum over the given byte arrays, folded and complemented. */
export function inetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = -1;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd < 0) odd = p[i]!;
      else {
        sum += (odd << 8) | p[i]!;
        odd = -1;
      }
    }
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const PROTO = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmp6: 58 } as const;

function tcpFlags(letters = ''): number {
  const bits: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 };
  let v = 0;
  for (const c of letters) {
    const b = bits[c];
    if (b === undefined) throw new TypeError(`bad TCP flag letter '${c}' in '${letters}'`);
    v |= b;
  }
  return v;
}

function l4Proto(l4: L4Spec): number {
  return l4.kind === 'raw' ? l4.proto : PROTO[l4.kind];
}

function buildL4(l4: L4Spec, payload: Uint8Array, pseudo: Uint8Array | null): Uint8Array {
  let hdr: Uint8Array;
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (l4.kind) {
    case 'tcp': {
      hdr = new Uint8Array(20);
      const d = dv(hdr);
      d.setUint16(0, l4.sport);
      d.setUint16(2, l4.dport);
      d.setUint32(4, l4.seq ?? 1);
      d.setUint32(8, l4.ack ?? 0);
      hdr[12] = 5 << 4;
      hdr[13] = tcpFlags(l4.flags ?? 'A');
      d.setUint16(14, l4.window ?? 65535);
      break;
    }
    case 'udp': {
      hdr = new Uint8Array(8);
      const d = dv(hdr);
      d.setUint16(0, l4.sport);
      d.setUint16(2, l4.dport);
      d.setUint16(4, 8 + payload.length);
      break;
    }
    case 'sctp': {
      hdr = new Uint8Array(12);
      const d = dv(hdr);
      d.setUint16(0, l4.sport);
      d.setUint16(2, l4.dport);
      break;
    }
    case 'icmp':
    case 'icmp6': {
      hdr = new Uint8Array(8);
      const d = dv(hdr);
      hdr[0] = l4.type;
      hdr[1] = l4.code;
      d.setUint16(4, l4.id ?? 0);
      d.setUint16(6, l4.seq ?? 0);
      break;
    }
    case 'raw':
      hdr = new Uint8Array(0);
      break;
  }
  const seg = concat(hdr, payload);
  const csumAt = l4.kind === 'tcp' ? 16 : l4.kind === 'udp' ? 6 : l4.kind === 'icmp' || l4.kind === 'icmp6' ? 2 : -1;
  if (csumAt >= 0) {
    const withPseudo = l4.kind !== 'icmp';
    let c = withPseudo && pseudo ? inetChecksum(pseudo, seg) : inetChecksum(seg);
    if (l4.kind === 'udp' && c === 0) c = 0xffff;
    new DataView(seg.buffer).setUint16(csumAt, c);
  }
  return seg;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Builds the IP packet (no L2) for an IpSpec + L4 + payload. */
export function buildIpPacket(ip: IpSpec, l4: L4Spec | undefined, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const proto = l4 ? l4Proto(l4) : 59; // 59 = no next header
  if (isIPv6(ip.src)) {
    const src = parseIPv6(ip.src);
    const dst = parseIPv6(ip.dst);
    const tlen = l4 ? buildL4(l4, payload, null).length : payload.length;
    const pseudo = new Uint8Array(40);
    pseudo.set(src, 0);
    pseudo.set(dst, 16);
    new DataView(pseudo.buffer).setUint32(32, tlen);
    pseudo[39] = proto;
    const seg = l4 ? buildL4(l4, payload, pseudo) : payload;
    // extension headers chain: each 8 bytes (next, len=0, 6 bytes padding/options)
    const chain: number[] = [...(ip.ext6 ?? [])];
    if (ip.frag6) chain.push(44);
    const exts: Uint8Array[] = [];
    for (let i = 0; i < chain.length; i++) {
      const next = i + 1 < chain.length ? chain[i + 1]! : proto;
      const e = new Uint8Array(8);
      e[0] = next;
      if (chain[i] === 44 && ip.frag6) {
        const d = new DataView(e.buffer);
        d.setUint16(2, (ip.frag6.offset & ~7) | (ip.frag6.more ? 1 : 0));
        d.setUint32(4, ip.frag6.id);
      } else if (chain[i] === 43) {
        e[2] = 0; // routing type 0, segments left 0
      } else {
        e[2] = 1; // PadN option covering the remaining 4 bytes
        e[3] = 4;
      }
      exts.push(e);
    }
    const body = concat(...exts, seg);
    const h = new Uint8Array(40);
    const d = new DataView(h.buffer);
    d.setUint32(0, 0x60000000);
    d.setUint16(4, body.length);
    h[6] = chain.length ? chain[0]! : proto;
    h[7] = ip.ttl ?? 64;
    h.set(src, 8);
    h.set(dst, 24);
    return concat(h, body);
  }
  const src = parseIPv4(ip.src);
  const dst = parseIPv4(ip.dst);
  const opts = ip.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const ihl = 20 + optLen;
  const fragmented = (ip.fragOffset ?? 0) > 0 || ip.moreFragments;
  let seg: Uint8Array;
  if (l4 && !fragmented) {
    const tlen = buildL4(l4, payload, null).length;
    const pseudo = new Uint8Array(12);
    pseudo.set(src, 0);
    pseudo.set(dst, 4);
    pseudo[9] = proto;
    new DataView(pseudo.buffer).setUint16(10, tlen);
    seg = buildL4(l4, payload, pseudo);
  } else {
    seg = payload; // a fragment's body is the caller's slice of the datagram
  }
  const h = new Uint8Array(ihl);
  const d = new DataView(h.buffer);
  h[0] = 0x40 | (ihl / 4);
  d.setUint16(2, ihl + seg.length);
  d.setUint16(4, ip.id ?? 0);
  d.setUint16(6, ((ip.moreFragments ? 1 : 0) << 13) | ((ip.fragOffset ?? 0) >> 3));
  h[8] = ip.ttl ?? 64;
  h[9] = proto;
  h.set(src, 12);
  h.set(dst, 16);
  h.set(opts, 20);
  d.setUint16(10, inetChecksum(h));
  return concat(h, seg);
}

/** Builds a whole Ethernet frame (with optional VLAN/MPLS/PPPoE) from a spec. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const dst = parseMac(spec.dstMac ?? '02:00:00:00:00:02');
  const src = parseMac(spec.srcMac ?? '02:00:00:00:00:01');
  let l3: Uint8Array;
  let etherType: number;
  if (spec.ip) {
    l3 = buildIpPacket(spec.ip, spec.l4, spec.payload);
    etherType = isIPv6(spec.ip.src) ? 0x86dd : 0x0800;
  } else {
    l3 = spec.body ?? new Uint8Array(28);
    etherType = spec.etherType ?? 0x0806;
  }
  if (spec.pppoeSession !== undefined) {
    const p = new Uint8Array(8);
    const d = new DataView(p.buffer);
    p[0] = 0x11;
    d.setUint16(2, spec.pppoeSession);
    d.setUint16(4, l3.length + 2);
    d.setUint16(6, etherType === 0x86dd ? 0x0057 : 0x0021);
    l3 = concat(p, l3);
    etherType = 0x8864;
  }
  if (spec.mpls?.length) {
    const labels = spec.mpls.map((label, i) => {
      const b = new Uint8Array(4);
      const bos = i === spec.mpls!.length - 1 ? 1 : 0;
      new DataView(b.buffer).setUint32(0, ((label & 0xfffff) << 12) | (bos << 8) | 64);
      return b;
    });
    l3 = concat(...labels, l3);
    etherType = 0x8847;
  }
  const tags: Uint8Array[] = [];
  const vlans = spec.vlan ?? [];
  vlans.forEach((id, i) => {
    const tpid = spec.vlanTpids?.[i] ?? (vlans.length > 1 && i === 0 ? 0x88a8 : 0x8100);
    const t = new Uint8Array(4);
    const d = new DataView(t.buffer);
    d.setUint16(0, tpid);
    d.setUint16(2, id & 0xfff);
    tags.push(t);
  });
  // each tag's tpid precedes it; the final ethertype follows the last tag
  const eth = new Uint8Array(12);
  eth.set(dst, 0);
  eth.set(src, 6);
  const et = new Uint8Array(2);
  new DataView(et.buffer).setUint16(0, etherType);
  return concat(eth, ...tags, et, l3);
}

/**
 * Splits one IPv4 datagram's transport segment into fragments of at most
 * `fragSize` payload bytes (a multiple of 8) and returns the frames.
 */
export function buildIPv4Fragments(spec: FrameSpec & { ip: IpSpec; l4: L4Spec }, fragSize: number): Uint8Array[] {
  if (fragSize % 8 !== 0 || fragSize <= 0) throw new RangeError(`fragSize (${fragSize}) must be a positive multiple of 8`);
  const whole = buildIpPacket({ ...spec.ip, fragOffset: 0, moreFragments: false }, spec.l4, spec.payload);
  const ihl = (whole[0]! & 0x0f) * 4;
  const seg = whole.subarray(ihl);
  const frames: Uint8Array[] = [];
  for (let off = 0; off < seg.length; off += fragSize) {
    const part = seg.subarray(off, Math.min(off + fragSize, seg.length));
    const more = off + fragSize < seg.length;
    frames.push(buildFrame({ ...spec, ip: { ...spec.ip, fragOffset: off, moreFragments: more }, l4: { kind: 'raw', proto: whole[9]! }, payload: part }));
  }
  return frames;
}
