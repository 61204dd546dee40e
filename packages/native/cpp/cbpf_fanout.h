// The classic-BPF programs for PACKET_FANOUT_CBPF: each returns cluster_hash()
// of the packet (DESIGN.md section 4) and the kernel sends the packet to member
// `return value % num_members` (net/packet/af_packet.c, fanout_demux_bpf).
//
// Usage (afpacket backend), on every member socket after bind():
//   setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg);   // arg = id | (PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_DEFRAG) << 16
// and on the FIRST member, right after it joins and before any other does:
//   auto prog = pfw::fanout_program(type);
//   sock_fprog fp{uint16_t(prog.size()), prog.data()};
//   setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fp, sizeof fp);  // one program per group
// Until a group has a program the kernel sends every packet to member 0, and
// while members join the modulus is the current member count: packets taken
// before the group is complete may sit on the wrong member (tested in
// test/cbpf-fanout-kernel.test.ts, which drains them).
//
// What the program assumes about the kernel (see docs/cluster-hash.md):
// - received packets: skb->data is at the network header (the link header is
//   pulled), SKF_AD_PROTOCOL is the ethertype there, and the outer 802.1Q /
//   802.1ad tag has been moved to metadata (SKF_AD_VLAN_TAG[_PRESENT]);
// - outgoing packets (SKF_AD_PKTTYPE == PACKET_OUTGOING) on Ethernet-like
//   devices (ARPHRD_ETHER, ARPHRD_LOOPBACK): the frame is read from the MAC
//   header (SKF_LL_OFF), so an in-band tag and a metadata tag are both handled.
// It walks exactly what locate() walks (two VLAN tags, kMaxMplsLabels MPLS
// labels, PPPoE session, IPv4 options, kMaxIPv6ExtHeaders IPv6 extension
// headers) with forward jumps only, scratch cells M[0..7], well under
// BPF_MAXINSNS instructions.
#pragma once
#include <linux/filter.h>

#include <vector>

namespace pfw {

// The program for a hashed cluster type (0, 2, 3, 4, 5). Throws pfw::Error
// (PFW_INVALID_ARGUMENT) for round-robin (use PACKET_FANOUT_LB) or an unknown type.
std::vector<sock_filter> fanout_program(int cluster_type);

}  // namespace pfw
