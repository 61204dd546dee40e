/**
 * The native L2-L4 parse (cpp/locate.cc), exposed for tests, tools and
 * debugging. The hot path never calls this per packet: the batch descriptor
 * table carries the same fields.
 */
import { loadNative } from './loader.js';

/** Bit flags of {@link LocatedPacket.flags} (and of the batch `flags` column); values of cpp/packet_meta.h. */
export const MetaFlag = {
  IPv4: 1 << 0,
  IPv6: 1 << 1,
  /** sport/dport are real transport ports (TCP, UDP, SCTP). */
  HasPorts: 1 << 2,
  /** An IP fragment (IPv4: MF or offset != 0; IPv6: a fragment header). */
  Fragment: 1 << 3,
  /** A fragment with offset 0 (it carries the transport header). */
  FirstFragment: 1 << 4,
  /** The parse stopped early because the captured bytes ended. */
  Truncated: 1 << 5,
  /** A header was inconsistent (bad version, bad IHL, bad length...). */
  Malformed: 1 << 6,
  /** The outer VLAN tag came from packet metadata (tp_vlan_tci), not the bytes. */
  VlanFromMeta: 1 << 7,
  /** ICMP/ICMPv6: sport = type, dport = code (Zeek's convention). Not ports for the cluster hash. */
  Icmp: 1 << 8,
  /** The fragment has the more-fragments bit. */
  MoreFragments: 1 << 9,
  /** IPv6: the captured bytes ended inside the extension-header chain (proto unknown). */
  ProtoTruncated: 1 << 10,
  /** TCP/UDP/SCTP whose port bytes lie beyond the captured bytes. */
  PortsTruncated: 1 << 11,
} as const;

/** libpcap link types (DLT_/LINKTYPE_ values) that locate walks. */
export const LinkType = {
  Null: 0,
  Ethernet: 1,
  Raw: 12,
  Raw14: 14,
  Raw101: 101,
  Loop: 108,
  LinuxSll: 113,
  IPv4: 228,
  IPv6: 229,
  LinuxSll2: 276,
} as const;

/** 0xFFFF: an absent offset. */
export const NO_OFFSET = 0xffff;

/** What locate found in a frame (cpp/packet_meta.h as a plain object). */
export interface LocatedPacket {
  flags: number;
  /** The ethertype that led to L3 (after VLAN/MPLS/PPPoE), 0 if none. */
  ethType: number;
  vlanId: number;
  innerVlanId: number;
  vlanCount: number;
  ipVersion: number;
  proto: number;
  ttl: number;
  l3Off: number;
  l4Off: number;
  payloadOff: number;
  sport: number;
  dport: number;
  ipLen: number;
  tcpFlags: number;
  fragId: number;
  fragOff: number;
  fragLen: number;
  /** IPv4 addresses as host-order u32 (10.0.0.1 -> 0x0a000001), 0 if not IPv4. */
  src4: number;
  dst4: number;
  /** IPv6 addresses (16 bytes, network order), zeros if not IPv6. */
  src6: Uint8Array;
  dst6: Uint8Array;
}

function invalid(message: string): TypeError & { code: string } {
  const err = new TypeError(message) as TypeError & { code: string };
  err.code = 'PFW_INVALID_ARGUMENT';
  return err;
}

/** @internal shared argument checks of locate() and clusterHash(). */
export function checkFrameArgs(fn: string, bytes: unknown, linkType: unknown, vlanTci: unknown, vlanName = 'vlanTci'): void {
  if (!(bytes instanceof Uint8Array)) throw invalid(`${fn}: bytes must be a Uint8Array`);
  if (!Number.isInteger(linkType) || (linkType as number) < 0) {
    throw invalid(`${fn}: linkType must be a non-negative integer (a DLT_/LINKTYPE_ value), got ${String(linkType)}`);
  }
  if (!Number.isInteger(vlanTci) || (vlanTci as number) < -1 || (vlanTci as number) > 0xffff) {
    throw invalid(`${fn}: ${vlanName} must be -1 (none) or a 16-bit TCI, got ${String(vlanTci)}`);
  }
}

/**
 * Parses one frame's L2-L4 headers natively.
 *
 * @param bytes the captured bytes (never read past their length)
 * @param linkType libpcap link type, default 1 (Ethernet); see {@link LinkType}
 * @param vlanTci a VLAN TCI the kernel stripped into metadata, counted as the outer tag; default -1 (none)
 * @throws TypeError (code PFW_INVALID_ARGUMENT) for a non-Uint8Array, a bad linkType or vlanTci
 * @example
 *   const m = locate(frame);            // Ethernet
 *   if (m.flags & MetaFlag.HasPorts) console.log(m.sport, m.dport);
 */
export function locate(bytes: Uint8Array, linkType: number = LinkType.Ethernet, vlanTci = -1): LocatedPacket {
  checkFrameArgs('locate', bytes, linkType, vlanTci);
  return loadNative().locate(bytes, linkType, vlanTci) as LocatedPacket;
}
