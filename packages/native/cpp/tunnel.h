// Tunnel walk: from the outer layer that locate() found, down to the innermost
// IP layer, through IP-in-IP (4in4, 6in4, 4in6, 6in6), GRE (v0 with or without
// key/checksum/sequence, PPTP's v1 with PPP, ERSPAN types I/II/III, transparent
// Ethernet, Cisco MetaData, MPLS), VXLAN (UDP 4789), Geneve (UDP 6081), GTP-U
// (UDP 2152) and Teredo (UDP 3544). The flow table keys flows on the last layer.
//
// A tunnel whose payload is not IP (ARP in VXLAN, CDP in ERSPAN), is truncated,
// or fails its header checks is not entered: the flow stays on the layer that
// carries it, as tshark and Zeek count it. Depth is bounded (kMaxTunnelDepth)
// and every read is checked against caplen.
#pragma once
#include <cstdint>

#include "packet_meta.h"

namespace pfw {

constexpr int kMaxTunnelDepth = 4;             // tunnels entered below the outer layer
constexpr int kMaxLayers = kMaxTunnelDepth + 1;

// How a layer was reached. Values are part of the FlowBatch tunnel columns
// (TunnelType in packages/native/src/flows.ts).
enum TunnelType : uint8_t {
  kTunnelNone = 0,    // the outermost layer
  kTunnelIP = 1,      // IP-in-IP: IP protocol 4 or 41
  kTunnelGRE = 2,     // GRE carrying IP (directly, via PPP, MPLS, Cisco MetaData or Ethernet)
  kTunnelERSPAN = 3,  // GRE 0x88BE / 0x22EB mirror traffic
  kTunnelVXLAN = 4,
  kTunnelGeneve = 5,
  kTunnelGTPU = 6,
  kTunnelTeredo = 7,
};

// Whether a layer with this transport protocol can carry a tunnel at all
// (IP-in-IP, GRE, UDP): walk_layers() looks no further inside any other, so
// a caller may skip the walk for them (the flow table does, for TCP and ICMP).
inline bool may_carry_tunnel(uint8_t proto) { return proto == 4 || proto == 17 || proto == 41 || proto == 47; }

// The UDP ports walk_layers() looks behind (VXLAN, Geneve, GTP-U, Teredo).
constexpr uint16_t kPortVxlan = 4789;
constexpr uint16_t kPortGeneve = 6081;
constexpr uint16_t kPortGtpU = 2152;
constexpr uint16_t kPortTeredo = 3544;
inline bool udp_tunnel_port(uint16_t port) {
  return port == kPortVxlan || port == kPortGeneve || port == kPortGtpU || port == kPortTeredo;
}

// Whether walk_layers() can find a tunnel in a packet with this outer layer:
// as may_carry_tunnel(proto), and UDP only with ports and one of them a tunnel
// port. The flow table asks before every walk: most UDP is DNS, QUIC, NTP...
inline bool may_carry_tunnel(const PacketMeta& m) {
  if (m.proto != 17) return may_carry_tunnel(m.proto);
  return (m.flags & kMetaHasPorts) && (udp_tunnel_port(m.sport) || udp_tunnel_port(m.dport));
}

// One IP layer. `meta`'s offsets are relative to `base` (the layer's first
// byte in the frame: 0 for the outermost, the inner frame or IP header for the
// others). Only the outermost layer's VLAN fields describe the capture.
struct Layer {
  PacketMeta meta;
  uint32_t base;
  TunnelType via;      // the tunnel whose payload this layer is (kTunnelNone for layer 0)
  bool has_id;         // tunnel_id is meaningful (GRE key, VNI, TEID, ERSPAN session)
  uint32_t tunnel_id;
};

// Fills out[0] with `outer` (base 0) and out[1..] with the layers found inside
// it. Returns the number of layers (>= 1). `data` is the whole frame.
int walk_layers(const uint8_t* data, uint32_t caplen, const PacketMeta& outer, Layer* out);

}  // namespace pfw
