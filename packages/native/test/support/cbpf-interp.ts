/**
 * A classic-BPF interpreter that models the kernel's view of a packet when a
 * PACKET_FANOUT_CBPF program runs (net/packet/af_packet.c fanout_demux_bpf ->
 * bpf_prog_run_clear_cb), and a checker for the rules the kernel applies when
 * the program is set (net/core/filter.c bpf_check_classic, check_load_and_stores).
 *
 * Load semantics follow net/core/filter.c: a non-negative offset is relative to
 * skb->data (and may reach up to the end of the packet); a negative one is
 * SKF_NET_OFF/SKF_LL_OFF relative to the network/MAC header; a load that falls
 * outside the packet ends the program with return value 0. Ancillary loads
 * (SKF_AD_OFF + n) read skb metadata.
 */

export const SKF_AD_OFF = -0x1000;
export const SKF_NET_OFF = -0x100000;
export const SKF_LL_OFF = -0x200000;
export const SKF_AD = { PROTOCOL: 0, PKTTYPE: 4, IFINDEX: 8, MARK: 20, QUEUE: 24, HATYPE: 28, RXHASH: 32, CPU: 36, VLAN_TAG: 44, VLAN_TAG_PRESENT: 48, VLAN_TPID: 60 } as const;
export const PACKET_HOST = 0;
export const PACKET_OUTGOING = 4;
export const ARPHRD_ETHER = 1;
export const ARPHRD_NONE = 0xfffe;
const BPF_MAXINSNS = 4096;
const BPF_MEMWORDS = 16;

/** The kernel's view of one packet at the fanout hook. */
export interface SkbView {
  /** The linear buffer, starting at the MAC header (head == mac header here). */
  buf: Uint8Array;
  /** Offsets into buf. */
  mac: number;
  network: number;
  data: number;
  /** skb->protocol (host order), pkt_type, dev->type. */
  protocol: number;
  pktType: number;
  hatype: number;
  /** skb->vlan_tci when a tag is in metadata, undefined otherwise. */
  vlanTci?: number;
  vlanProto?: number;
}

export type Insn = readonly [code: number, jt: number, jf: number, k: number];

// classes, sizes, modes, ops
const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
const W = 0x00, H = 0x08, B = 0x10;
const IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
const X_SRC = 0x08;
const cls = (c: number) => c & 0x07;
const size = (c: number) => c & 0x18;
const mode = (c: number) => c & 0xe0;
const op = (c: number) => c & 0xf0;

const ALLOWED = new Set<number>([
  LD | W | IMM, LD | W | ABS, LD | H | ABS, LD | B | ABS, LD | W | IND, LD | H | IND, LD | B | IND, LD | W | MEM, LD | W | LEN,
  LDX | W | IMM, LDX | W | MEM, LDX | W | LEN, LDX | B | MSH,
  ST, STX,
  ...[0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0].flatMap((o) => [ALU | o | 0, ALU | o | X_SRC]),
  ALU | 0x80,
  JMP | 0x00, ...[0x10, 0x20, 0x30, 0x40].flatMap((o) => [JMP | o | 0, JMP | o | X_SRC]),
  RET | 0x00, RET | 0x10,
  MISC | 0x00, MISC | 0x80,
]);

/** Throws (with the instruction index) where the kernel would refuse the program with EINVAL. */
export function checkClassic(prog: readonly Insn[]): void {
  if (prog.length === 0 || prog.length > BPF_MAXINSNS) throw new Error(`program length ${prog.length} outside 1..${BPF_MAXINSNS}`);
  for (let pc = 0; pc < prog.length; pc++) {
    const [code, jt, jf, k] = prog[pc]!;
    if (!ALLOWED.has(code)) throw new Error(`insn ${pc}: opcode 0x${code.toString(16)} not allowed`);
    if ([jt, jf].some((j) => !Number.isInteger(j) || j < 0 || j > 255)) throw new Error(`insn ${pc}: jt/jf out of 0..255`);
    if (!Number.isInteger(k) || k < 0 || k > 0xffffffff) throw new Error(`insn ${pc}: k not a u32`);
    if ((code === (ALU | 0x30) || code === (ALU | 0x90)) && k === 0) throw new Error(`insn ${pc}: division by constant 0`);
    if ((code === (LD | MEM) || code === (LDX | MEM) || code === ST || code === STX) && k >= BPF_MEMWORDS) {
      throw new Error(`insn ${pc}: scratch cell ${k} >= ${BPF_MEMWORDS}`);
    }
    if (cls(code) === JMP) {
      if (op(code) === 0x00) {
        if (pc + 1 + k >= prog.length) throw new Error(`insn ${pc}: ja past the end`);
      } else if (pc + 1 + jt >= prog.length || pc + 1 + jf >= prog.length) {
        throw new Error(`insn ${pc}: jump past the end`);
      }
    }
  }
  if (cls(prog[prog.length - 1]![0]) !== RET) throw new Error('last instruction is not a return');
  // check_load_and_stores: every scratch read must follow a write on every path.
  const masks = new Array<number>(prog.length).fill(0xffff);
  let valid = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    valid &= masks[pc]!;
    const [code, jt, jf, k] = prog[pc]!;
    if (code === ST || code === STX) valid |= 1 << k;
    else if (code === (LD | MEM) || code === (LDX | MEM)) {
      if (!(valid & (1 << k))) throw new Error(`insn ${pc}: reads scratch cell ${k} before it is written on some path`);
    } else if (code === (JMP | 0x00)) {
      masks[pc + 1 + k]! &= valid;
      valid = 0xffff;
    } else if (cls(code) === JMP) {
      masks[pc + 1 + jt]! &= valid;
      masks[pc + 1 + jf]! &= valid;
      valid = 0xffff;
    }
  }
}

class OutOfBounds extends Error {}

function load(skb: SkbView, off: number, bytes: number): number {
  let p: number;
  if (off >= 0) p = skb.data + off;
  else if (off >= SKF_NET_OFF) p = skb.network + (off - SKF_NET_OFF);
  else if (off >= SKF_LL_OFF) p = skb.mac + (off - SKF_LL_OFF);
  else throw new OutOfBounds();
  // Positive offsets may not reach before skb->data; negative ones not before the head.
  if (off >= 0 ? p < skb.data : p < 0) throw new OutOfBounds();
  if (p + bytes > skb.buf.length) throw new OutOfBounds();
  let v = 0;
  for (let i = 0; i < bytes; i++) v = v * 256 + skb.buf[p + i]!;
  return v >>> 0;
}

function ancillary(skb: SkbView, n: number): number {
  switch (n) {
    case SKF_AD.PROTOCOL: return skb.protocol;
    case SKF_AD.PKTTYPE: return skb.pktType;
    case SKF_AD.HATYPE: return skb.hatype;
    case SKF_AD.VLAN_TAG: return skb.vlanTci ?? 0;
    case SKF_AD.VLAN_TAG_PRESENT: return skb.vlanTci === undefined ? 0 : 1;
    case SKF_AD.VLAN_TPID: return skb.vlanProto ?? 0;
    default: throw new Error(`ancillary load ${n} not modelled`);
  }
}

/** Runs the program on one packet; returns the program's u32 result (0 on an out-of-bounds load). */
export function runCbpf(prog: readonly Insn[], skb: SkbView): number {
  let A = 0;
  let X = 0;
  const M = new Uint32Array(BPF_MEMWORDS);
  const width = (c: number) => (size(c) === W ? 4 : size(c) === H ? 2 : 1);
  try {
    for (let pc = 0, steps = 0; ; pc++, steps++) {
      if (pc >= prog.length || steps > prog.length) throw new Error('ran off the program');
      const [code, jt, jf, k] = prog[pc]!;
      const ks = k | 0; // signed view of k for offsets
      switch (cls(code)) {
        case LD:
          if (mode(code) === IMM) A = k;
          else if (mode(code) === MEM) A = M[k]!;
          else if (mode(code) === LEN) A = skb.buf.length - skb.data;
          else if (mode(code) === ABS) {
            A = ks >= SKF_AD_OFF && ks < 0 ? ancillary(skb, ks - SKF_AD_OFF) : load(skb, ks, width(code));
          } else if (mode(code) === IND) A = load(skb, (X + k) | 0, width(code));
          break;
        case LDX:
          if (mode(code) === IMM) X = k;
          else if (mode(code) === MEM) X = M[k]!;
          else if (mode(code) === LEN) X = skb.buf.length - skb.data;
          else if (mode(code) === MSH) X = (load(skb, ks, 1) & 0xf) * 4;
          break;
        case ST: M[k] = A; break;
        case STX: M[k] = X; break;
        case ALU: {
          const v = code & X_SRC ? X : k;
          switch (op(code)) {
            case 0x00: A = (A + v) >>> 0; break;
            case 0x10: A = (A - v) >>> 0; break;
            case 0x20: A = Math.imul(A, v) >>> 0; break;
            case 0x30: if (v === 0) return 0; A = Math.floor(A / v) >>> 0; break;
            case 0x40: A = (A | v) >>> 0; break;
            case 0x50: A = (A & v) >>> 0; break;
            case 0x60: A = v >= 32 ? 0 : (A << v) >>> 0; break;
            case 0x70: A = v >= 32 ? 0 : A >>> v; break;
            case 0x80: A = -A >>> 0; break;
            case 0x90: if (v === 0) return 0; A = A % v; break;
            case 0xa0: A = (A ^ v) >>> 0; break;
          }
          break;
        }
        case JMP: {
          if (op(code) === 0x00) { pc += k; break; }
          const v = code & X_SRC ? X : k;
          let t: boolean;
          switch (op(code)) {
            case 0x10: t = A === v; break;
            case 0x20: t = A > v; break;
            case 0x30: t = A >= v; break;
            default: t = (A & v) !== 0; break;
          }
          pc += t ? jt : jf;
          break;
        }
        case RET: return (code & 0x10 ? A : k) >>> 0;
        case MISC: if (code & 0x80) A = X; else X = A; break;
      }
    }
  } catch (e) {
    if (e instanceof OutOfBounds) return 0;
    throw e;
  }
}

const be16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;

/** Where the L2 header ends and which ethertype follows, for the link types locate supports. */
function linkPayload(frame: Uint8Array, linkType: number): { off: number; protocol: number } | null {
  switch (linkType) {
    case 113: return frame.length >= 16 ? { off: 16, protocol: be16(frame, 14) } : null;
    case 276: return frame.length >= 20 ? { off: 20, protocol: be16(frame, 0) } : null;
    case 12: case 14: case 101: {
      if (frame.length < 1) return null;
      const v = frame[0]! >> 4;
      return { off: 0, protocol: v === 4 ? 0x0800 : v === 6 ? 0x86dd : 0 };
    }
    case 228: return { off: 0, protocol: 0x0800 };
    case 229: return { off: 0, protocol: 0x86dd };
    case 0: case 108: {
      if (frame.length < 4) return null;
      const dv = new DataView(frame.buffer, frame.byteOffset, 4);
      let fam = dv.getUint32(0, linkType === 0);
      if (fam & 0xffff0000) fam = dv.getUint32(0, linkType !== 0);
      return { off: 4, protocol: fam === 2 ? 0x0800 : [24, 28, 30].includes(fam) ? 0x86dd : 0 };
    }
    default: return null;
  }
}

/**
 * The kernel's view of a received frame at the fanout hook: the link header
 * pulled (skb->data at the network header), and an outer 802.1Q/802.1ad tag
 * moved to metadata by skb_vlan_untag() (which also closes the gap in the
 * bytes), unless a tag is in metadata already. Ethernet frames are ARPHRD_ETHER;
 * other link types are modelled as a header-less device (ARPHRD_NONE, e.g. tun).
 * Returns null for what the kernel would drop before the hook (a runt, a cut tag).
 */
export function rxView(frame: Uint8Array, linkType: number, vlanTci = -1): SkbView | null {
  let buf: Uint8Array;
  let net: number;
  let protocol: number;
  let hatype: number;
  if (linkType === 1) {
    if (frame.length < 14) return null;
    buf = frame;
    net = 14;
    protocol = be16(frame, 12);
    hatype = ARPHRD_ETHER;
  } else {
    const lp = linkPayload(frame, linkType);
    if (!lp) return null;
    buf = frame.subarray(lp.off);
    net = 0;
    protocol = lp.protocol;
    hatype = ARPHRD_NONE;
  }
  let tci: number | undefined = vlanTci >= 0 ? vlanTci : undefined;
  let tpid: number | undefined = tci === undefined ? undefined : 0x8100;
  if (tci === undefined && (protocol === 0x8100 || protocol === 0x88a8)) {
    if (buf.length < net + 4) return null;
    tci = be16(buf, net);
    tpid = protocol;
    const inner = be16(buf, net + 2);
    if (net === 0) {
      buf = buf.subarray(4); // header-less: the tag is simply pulled
    } else {
      // skb_vlan_untag + skb_reorder_vlan_header: the tag leaves the bytes and the
      // MAC header moves up to meet the payload, ending with the inner ethertype.
      const moved = new Uint8Array(buf.length - 4);
      moved.set(buf.subarray(0, net - 2), 0);
      moved[net - 2] = inner >> 8;
      moved[net - 1] = inner & 0xff;
      moved.set(buf.subarray(net + 4), net);
      buf = moved;
    }
    protocol = inner;
  }
  return { buf, mac: 0, network: net, data: net, protocol, pktType: PACKET_HOST, hatype, vlanTci: tci, vlanProto: tpid };
}

/**
 * The kernel's view of an outgoing frame (dev_queue_xmit_nit): skb->data at the
 * MAC header, pkt_type PACKET_OUTGOING, skb->protocol the frame's ethertype,
 * any tag in the bytes (or, with vlanTci, one still in metadata: hardware insertion).
 */
export function txView(frame: Uint8Array, linkType: number, vlanTci = -1): SkbView | null {
  const tci = vlanTci >= 0 ? vlanTci : undefined;
  if (linkType === 1) {
    return {
      buf: frame, mac: 0, network: Math.min(14, frame.length), data: 0,
      protocol: frame.length >= 14 ? be16(frame, 12) : 0, pktType: PACKET_OUTGOING, hatype: ARPHRD_ETHER, vlanTci: tci,
      vlanProto: tci === undefined ? undefined : 0x8100,
    };
  }
  const lp = linkPayload(frame, linkType);
  if (!lp) return null;
  return { buf: frame.subarray(lp.off), mac: 0, network: 0, data: 0, protocol: lp.protocol, pktType: PACKET_OUTGOING, hatype: ARPHRD_NONE, vlanTci: tci, vlanProto: tci === undefined ? undefined : 0x8100 };
}
