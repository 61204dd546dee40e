/** IEEE 802.1Q / 802.1ad VLAN tag: the 2-byte TCI and the next type field. */
import { availableFrom, begin, DecodeStatus, truncated, u16 } from './result.js';

export const VLAN_TAG_LENGTH = 4;

/** TPIDs that announce a VLAN tag: 802.1Q (0x8100), 802.1ad QinQ (0x88a8), and the older 0x9100. */
export function isVlanTpid(etherType: number): boolean {
  return etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100;
}

export class VlanTag extends DecodeStatus {
  /** The whole Tag Control Information field. */
  tci = 0;
  /** Priority code point (802.1p), 0-7. */
  pcp = 0;
  /** Drop eligible indicator. */
  dei = false;
  /** VLAN id, 0-4095. */
  id = 0;
  /** The type field after the tag: another TPID (QinQ), or the payload's ethertype. */
  etherType = 0;
  payloadOffset = 0;
}

/**
 * Decodes one VLAN tag whose TCI starts at `off` (the TPID is the previous
 * header's type field).
 *
 * @example
 *   let type = eth.etherType, at = eth.payloadOffset;
 *   while (isVlanTpid(type) && decodeVlan(data, at, tag).ok) { type = tag.etherType; at = tag.payloadOffset; }
 */
export function decodeVlan(data: Uint8Array, off: number, out = new VlanTag(), end = data.length): VlanTag {
  if (!begin(out, off)) return out;
  const avail = availableFrom(data, off, end);
  if (avail < VLAN_TAG_LENGTH) return truncated(out, VLAN_TAG_LENGTH, avail);
  const tci = u16(data, off);
  out.tci = tci;
  out.pcp = tci >>> 13;
  out.dei = (tci & 0x1000) !== 0;
  out.id = tci & 0x0fff;
  out.etherType = u16(data, off + 2);
  out.payloadOffset = off + VLAN_TAG_LENGTH;
  return out;
}
