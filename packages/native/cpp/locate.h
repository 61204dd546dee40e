// locate(): the one native L2-L4 parse. Walks Ethernet II, up to two VLAN tags
// (0x8100, 0x88A8, 0x9100), MPLS label stacks, PPPoE session, IPv4 (options),
// IPv6 (extension headers), TCP/UDP/SCTP ports, ICMP/ICMPv6 type/code.
// Never reads at or past caplen: a truncated frame yields what could be found
// with kMetaTruncated set.
#pragma once
#include "packet_meta.h"

namespace pfw {

// vlan_tci_from_meta: a tag that the kernel stripped into metadata
// (tpacket3_hdr.hv1.tp_vlan_tci with TP_STATUS_VLAN_VALID); -1 when none.
// It counts as the outer tag, exactly as if it were in the bytes.
void locate(const uint8_t* data, uint32_t caplen, int link_type, int vlan_tci_from_meta,
            PacketMeta* out);

// True if locate() knows how to walk this link type.
bool link_type_supported(int link_type);

}  // namespace pfw
