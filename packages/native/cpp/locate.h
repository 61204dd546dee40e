// locate(): the one native L2-L4 parse. Walks Ethernet II, up to two VLAN tags
// (0x8100, 0x88A8, 0x9100), MPLS label stacks, PPPoE session, IPv4 (options),
// IPv6 (extension headers), TCP/UDP/SCTP ports, ICMP/ICMPv6 type/code.
// Never reads at or past caplen: a truncated frame yields what could be found
// with kMetaTruncated set.
#pragma once
#include "packet_meta.h"

namespace pfw {

// Bounds shared with the fanout cBPF generator (cbpf_fanout.cc): the kernel
// program cannot loop, so both walk at most this many MPLS labels and IPv6
// extension headers. A deeper MPLS stack is treated as not IP; after this many
// extension headers the next-header value is taken as the protocol (no ports).
constexpr int kMaxMplsLabels = 8;
constexpr int kMaxIPv6ExtHeaders = 8;

// vlan_tci_from_meta: a tag that the kernel stripped into metadata
// (tpacket3_hdr.hv1.tp_vlan_tci with TP_STATUS_VLAN_VALID); -1 when none.
// It counts as the outer tag, exactly as if it were in the bytes.
//
// Link types: Ethernet (1), Linux cooked v1 (113) and v2 (276), raw IP (12,
// 14, 101 by version nibble; 228 IPv4; 229 IPv6), NULL (0, host-order family)
// and LOOP (108, network-order family); families 2 = IPv4, 24/28/30 = IPv6.
// An unsupported link type yields an empty result (no L3) without flags.
//
// Partial results: l3_off is set as soon as the frame's type says IP, even if
// the IP header is cut; kMetaIPv4/kMetaIPv6 (and the addresses) only when the
// whole fixed header (20 / 40 bytes) is present. The truncation flags say which
// hash inputs were cut (see cluster_hash.h).
void locate(const uint8_t* data, uint32_t caplen, int link_type, int vlan_tci_from_meta,
            PacketMeta* out);

// True if locate() knows how to walk this link type.
bool link_type_supported(int link_type);

}  // namespace pfw
