/**
 * Hand-built frames for the locate / cluster-hash / fanout tests: Ethernet
 * frames come from @pfwork/core's craft (imported by path: native must not
 * depend on core at run time), the other link types are wrapped here.
 */
import { buildFrame, buildIPv4Fragments, buildIpPacket, concat } from '../../../core/src/craft/index.js';
import type { FrameSpec, IpSpec, L4Spec } from '../../../core/src/craft/index.js';

export { buildFrame, buildIPv4Fragments, buildIpPacket, concat };
export type { FrameSpec, IpSpec, L4Spec };

const u16be = (v: number) => Uint8Array.of(v >> 8, v & 0xff);

/** Linux cooked v1 (DLT_LINUX_SLL, 16 bytes): pkttype, hatype 1, halen 6, addr[8], protocol. */
export function sll(protocol: number, l3: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  h.set(u16be(0), 0); // PACKET_HOST
  h.set(u16be(1), 2); // ARPHRD_ETHER
  h.set(u16be(6), 4);
  h.set([2, 0, 0, 0, 0, 1], 6);
  h.set(u16be(protocol), 14);
  return concat(h, l3);
}

/** Linux cooked v2 (DLT_LINUX_SLL2, 20 bytes): protocol, reserved, ifindex, hatype, pkttype, halen, addr[8]. */
export function sll2(protocol: number, l3: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  h.set(u16be(protocol), 0);
  h.set([0, 0, 0, 3], 4); // ifindex 3
  h.set(u16be(1), 8);
  h[10] = 0;
  h[11] = 6;
  h.set([2, 0, 0, 0, 0, 1], 12);
  return concat(h, l3);
}

/** DLT_NULL: the AF_ family in the capturing host's byte order (little-endian here, or `swapped`). */
export function nullLink(family: number, l3: Uint8Array, swapped = false): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, !swapped);
  return concat(h, l3);
}

/** DLT_LOOP: the AF_ family in network byte order. */
export function loopLink(family: number, l3: Uint8Array): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, false);
  return concat(h, l3);
}
