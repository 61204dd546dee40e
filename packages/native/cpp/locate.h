// locate(): the one native L2-L4 parse. Walks Ethernet II, up to two VLAN tags
// (0x8100, 0x88A8, 0x9100), MPLS label stacks, PPPoE session, IPv4 (options),
// IPv6 (extension headers), TCP/UDP/SCTP ports, ICMP/ICMPv6 type/code.
// Never reads at or past caplen: a truncated frame yields what could be found
// with kMetaTruncated set.
#pragma once
#include <cstring>

#include "byte_order.h"
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
//
// locate() is inline (below): its fast path for the common Ethernet frames,
// then the general walk for everything else.

// The general walk (locate.cc): every link type and header locate() knows.
void locate_walk(const uint8_t* data, uint32_t caplen, int link_type, int vlan_tci_from_meta, PacketMeta* out);

// Where L3 starts in an Ethernet II frame with at most one tag in its bytes:
// the part both fast paths share (locate_ethernet_fast below, the index
// writer's ethernet_cluster_hash in cluster_hash_shortcut.h). false when the
// frame is cut before the ethertype; a second tag is left in `type` (not IP).
struct PlainEthernet {
  uint16_t type;  // the ethertype after the tag, if any
  uint32_t off;   // where that type's header starts
  bool tagged;    // a tag in the frame's bytes
  uint16_t vid;   // its VLAN id, 0 if none
};
[[gnu::always_inline]] inline bool plain_ethernet(const uint8_t* d, uint32_t cap, PlainEthernet* e) {
  if (cap < 14) return false;
  e->type = be16(d + 12);
  e->off = 14;
  e->tagged = false;
  e->vid = 0;
  if (e->type == 0x8100 || e->type == 0x88A8 || e->type == 0x9100) {
    if (cap < 18) return false;
    e->tagged = true;
    e->vid = be16(d + 14) & 0x0FFF;
    e->type = be16(d + 16);
    e->off = 18;
  }
  return true;
}

// An IPv4 header (20 bytes present) that both fast paths take: version 4
// without options, and neither MF nor an offset (not a fragment).
[[gnu::always_inline]] inline bool plain_ipv4(const uint8_t* h) { return h[0] == 0x45 && !(be16(h + 6) & 0x3FFF); }

// The frames that make up nearly all traffic, located without the Walker:
// Ethernet II with at most one tag in the frame (two with the metadata tag),
// then IPv4 without options and not a fragment, or IPv6 without extension
// headers, carrying TCP or UDP whose whole transport header was captured and
// is well formed. Anything else returns false, having written nothing, and
// the Walker takes it. Where this answers, its PacketMeta is the Walker's byte
// for byte (packages/native/test/locate-fast.test.ts compares both on every
// frame of the shared captures, hand-built frames at every cut and mutated
// frames). Why: locate() runs on every packet of every path, and the Walker's
// generality (link types, MPLS, PPPoE, options, fragments, extension headers,
// every truncation flag) was ~170 instructions per packet of the batch build
// (callgrind, docs/bench.md).
[[gnu::always_inline]] inline bool locate_ethernet_fast(const uint8_t* d, uint32_t cap, int vlan_tci_from_meta, PacketMeta* out) {
  PlainEthernet e;
  if (!plain_ethernet(d, cap, &e)) return false;
  const uint16_t type = e.type;
  const uint32_t off = e.off;
  // A tag from metadata is the outer one; the frame's is then the inner one.
  const bool meta_tag = vlan_tci_from_meta >= 0;
  const uint8_t tags = uint8_t(meta_tag + e.tagged);
  const uint16_t outer = meta_tag ? uint16_t(vlan_tci_from_meta & 0x0FFF) : e.vid;
  const uint16_t inner = meta_tag ? e.vid : 0;
  const uint8_t* h = d + off;
  uint32_t l4;
  uint8_t proto;
  if (type == 0x0800) {
    if (cap < off + 20 || !plain_ipv4(h)) return false;
    if (be16(h + 2) < 20) return false;           // total length shorter than the header: malformed
    proto = h[9];
    l4 = off + 20;
  } else if (type == 0x86DD) {
    if (cap < off + 40) return false;
    if ((h[0] >> 4) != 6) return false;
    proto = h[6];                                  // TCP or UDP right away: no extension headers
    l4 = off + 40;
  } else {
    return false;
  }
  uint32_t hlen;
  if (proto == 6) {
    if (cap < l4 + 20) return false;
    hlen = (d[l4 + 12] >> 4) * 4u;
    if (hlen < 20 || cap < l4 + hlen) return false;
  } else if (proto == 17) {
    if (cap < l4 + 8) return false;
    hlen = 8;
  } else {
    return false;
  }
  // As the Walker writes it, field by field.
  std::memset(out, 0, sizeof(*out));
  out->flags = kMetaHasPorts;
  if (vlan_tci_from_meta >= 0) out->flags |= kMetaVlanFromMeta;
  out->vlan_count = tags;
  out->vlan_id = outer;
  out->inner_vlan_id = inner;
  out->eth_type = type;
  out->l3_off = uint16_t(off);
  out->l4_off = uint16_t(l4);
  out->payload_off = uint16_t(l4 + hlen);
  out->proto = proto;
  out->sport = be16(d + l4);
  out->dport = be16(d + l4 + 2);
  if (proto == 6) out->tcp_flags = d[l4 + 13];
  if (type == 0x0800) {
    out->flags |= kMetaIPv4;
    out->ip_version = 4;
    out->ip_len = be16(h + 2);
    out->ttl = h[8];
    out->src4 = be32(h + 12);
    out->dst4 = be32(h + 16);
  } else {
    out->flags |= kMetaIPv6;
    out->ip_version = 6;
    uint32_t plen = be16(h + 4);
    out->ip_len = uint16_t(40 + plen > 0xFFFF ? 0xFFFF : 40 + plen);
    out->ttl = h[7];
    std::memcpy(out->src6, h + 8, 16);
    std::memcpy(out->dst6, h + 24, 16);
  }
  return true;
}

// Inline, with its fast path: every packet of every path is located.
[[gnu::always_inline]] inline void locate(const uint8_t* data, uint32_t caplen, int link_type, int vlan_tci_from_meta, PacketMeta* out) {
  if (link_type == kLinkEthernet && data && locate_ethernet_fast(data, caplen, vlan_tci_from_meta, out)) return;
  locate_walk(data, caplen, link_type, vlan_tci_from_meta, out);
}

// True if locate() knows how to walk this link type.
bool link_type_supported(int link_type);

}  // namespace pfw
