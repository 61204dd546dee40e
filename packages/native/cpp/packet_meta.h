// PacketMeta: what locate() finds in a frame's bytes (L2-L4), the single input
// of the cluster hash, the flow table and the batch descriptor table.
// Plain data, no Node types: usable from background threads and C++ tests.
#pragma once
#include <cstdint>

namespace pfw {

// libpcap DLT_/LINKTYPE_ values for the link types we locate.
enum LinkType : int {
  kLinkNull = 0,          // DLT_NULL: 4-byte host-order AF_ family
  kLinkEthernet = 1,      // DLT_EN10MB
  kLinkRaw = 12,          // DLT_RAW on Linux (LINKTYPE_RAW is 101; libpcap maps it to 12 or 14)
  kLinkRaw14 = 14,        // DLT_RAW on some BSDs
  kLinkLoop = 108,        // DLT_LOOP: 4-byte network-order AF_ family
  kLinkRaw101 = 101,      // LINKTYPE_RAW as stored in files
  kLinkIPv4 = 228,        // LINKTYPE_IPV4
  kLinkIPv6 = 229,        // LINKTYPE_IPV6
  kLinkLinuxSll = 113,    // DLT_LINUX_SLL (cooked v1)
  kLinkLinuxSll2 = 276,   // DLT_LINUX_SLL2 (cooked v2)
};

constexpr uint16_t kNoOffset = 0xFFFF;

enum MetaFlags : uint16_t {
  kMetaIPv4 = 1 << 0,
  kMetaIPv6 = 1 << 1,
  kMetaHasPorts = 1 << 2,      // sport/dport are real transport ports (TCP, UDP, SCTP)
  kMetaFragment = 1 << 3,      // an IP fragment (v4: MF or offset != 0; v6: fragment header)
  kMetaFirstFragment = 1 << 4, // fragment with offset 0 (carries the transport header)
  kMetaTruncated = 1 << 5,     // the parse stopped early because caplen ended
  kMetaMalformed = 1 << 6,     // a header was inconsistent (bad IHL, bad length...)
  kMetaVlanFromMeta = 1 << 7,  // the outer VLAN tag came from packet metadata (tp_vlan_tci)
  kMetaIcmp = 1 << 8,          // ICMP/ICMPv6: sport = type, dport = code (Zeek's convention)
  // Appended by locate's owner (existing values unchanged):
  kMetaMoreFragments = 1 << 9, // fragment with the more-fragments bit (v4 MF, v6 M)
  kMetaProtoTruncated = 1 << 10, // IPv6: caplen ended inside the extension-header chain, proto unknown
  kMetaPortsTruncated = 1 << 11, // TCP/UDP/SCTP whose 4 port bytes lie beyond caplen
};

struct PacketMeta {
  uint16_t flags;
  uint16_t eth_type;      // the ethertype that led to L3 (after VLAN/MPLS/PPPoE), 0 if none
  uint16_t vlan_id;       // outer VLAN id (12 bits), 0 if untagged
  uint16_t inner_vlan_id; // second tag (QinQ), 0 if none
  uint8_t vlan_count;     // 0, 1 or 2
  uint8_t ip_version;     // 4, 6 or 0
  uint8_t proto;          // IP protocol of the transport header (after v6 ext headers), 0 if not IP
  uint8_t ttl;            // IPv4 TTL / IPv6 hop limit
  uint16_t l3_off;        // offset of the IP header, kNoOffset if none
  uint16_t l4_off;        // offset of the transport header, kNoOffset if none (or non-first fragment)
  uint16_t payload_off;   // offset of the transport payload, kNoOffset if none
  uint16_t sport, dport;  // host order; ICMP: type/code; 0 when no ports
  uint16_t ip_len;        // IPv4 total length / IPv6 40 + payload length (Zeek's ip bytes), 0 if not IP
  uint8_t tcp_flags;      // TCP flags byte, 0 if not TCP
  uint8_t _pad;
  uint32_t frag_id;       // IPv4 id / IPv6 fragment identification
  uint16_t frag_off;      // fragment offset in bytes
  uint16_t _pad2;
  uint32_t src4, dst4;    // IPv4 addresses, host order (10.0.0.1 -> 0x0A000001)
  uint8_t src6[16], dst6[16]; // IPv6 addresses, network byte order (raw)
  // Appended fields (existing offsets unchanged):
  uint16_t frag_len;      // fragment: data bytes this fragment carries per its headers, 0 otherwise
  uint16_t _pad3;
};

}  // namespace pfw
