/** Ethernet II (and IEEE 802.3 length-field) header: 14 bytes. */
import { availableFrom, begin, DecodeStatus, truncated, u16 } from './result.js';

export const ETHERNET_HEADER_LENGTH = 14;

/** Ethertypes a handler meets most. */
export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  QINQ: 0x88a8,
  VLAN_9100: 0x9100,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_SESSION: 0x8864,
  LLDP: 0x88cc,
} as const;

export class EthernetHeader extends DecodeStatus {
  /** Offsets of the 6-byte MAC addresses (formatMac(data, off) for text). */
  dstOffset = 0;
  srcOffset = 0;
  /** The type field as on the wire: an ethertype (>= 0x0600), or an 802.3 length. */
  etherType = 0;
  /** True when the type field is an 802.3 length (< 0x0600): an LLC header follows. */
  isLength = false;
  /** Where the next header (a VLAN tag's TCI, IP, ...) starts. */
  payloadOffset = 0;
}

/**
 * Decodes the Ethernet header at `off`. VLAN tags are not skipped: when
 * etherType is a VLAN TPID (isVlanTpid), decodeVlan(data, payloadOffset).
 *
 * @param out a result to reuse (no allocation per packet); a new one if omitted.
 * @param end where the packet ends in `data` (default data.length).
 * @example
 *   const eth = decodeEthernet(pkt.data, 0);
 *   if (eth.ok) formatMac(pkt.data, eth.srcOffset);
 */
export function decodeEthernet(data: Uint8Array, off = 0, out = new EthernetHeader(), end = data.length): EthernetHeader {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < ETHERNET_HEADER_LENGTH) return truncated(out, ETHERNET_HEADER_LENGTH, avail);
  out.dstOffset = off;
  out.srcOffset = off + 6;
  out.etherType = u16(data, off + 12);
  out.isLength = out.etherType < 0x0600;
  out.payloadOffset = off + ETHERNET_HEADER_LENGTH;
  return out;
}
