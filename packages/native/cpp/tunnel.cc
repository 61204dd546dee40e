// Tunnel walk: see tunnel.h. Each function gets the frame, caplen and an
// absolute offset and checks fits() before reading; inner headers are then
// parsed by locate() itself (raw IP or Ethernet), so an inner layer obeys the
// same rules as an outer one.
#include "tunnel.h"

#include <cstring>

#include "locate.h"
#include "byte_order.h"

namespace pfw {
namespace {

constexpr uint8_t kProtoIPIP = 4;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIPv6 = 41;
constexpr uint8_t kProtoGre = 47;

constexpr uint16_t kEthIPv4 = 0x0800;
constexpr uint16_t kEthIPv6 = 0x86DD;
constexpr uint16_t kEthTeb = 0x6558;      // transparent Ethernet bridging (NVGRE, Geneve)
constexpr uint16_t kEthErspan2 = 0x88BE;  // ERSPAN type I (no sequence bit) and II
constexpr uint16_t kEthErspan3 = 0x22EB;
constexpr uint16_t kEthPpp = 0x880B;      // PPTP's enhanced GRE
constexpr uint16_t kEthCiscoMeta = 0x8909;
constexpr uint16_t kEthMplsUc = 0x8847;
constexpr uint16_t kEthMplsMc = 0x8848;

constexpr int kMaxMpls = 8;
constexpr int kMaxCiscoMeta = 2;


// Where a tunnel's payload starts and how to parse it.
struct Inner {
  uint32_t off = 0;
  int link = kLinkRaw;  // kLinkRaw (IP, version from the first nibble) or kLinkEthernet
  uint8_t want_version = 0;  // 4 or 6 when the outer header says which; 0 = either
  TunnelType via = kTunnelNone;
  bool has_id = false;
  uint32_t id = 0;
};

class Finder {
 public:
  Finder(const uint8_t* d, uint32_t cap) : d_(d), cap_(cap) {}

  bool fits(uint32_t off, uint32_t n) const { return off <= cap_ && n <= cap_ - off; }

  // The payload of the tunnel carried by layer L (whose transport header is at l4), if any.
  bool find(const Layer& L, Inner* in) {
    const PacketMeta& m = L.meta;
    if (!may_carry_tunnel(m.proto)) return false;
    uint32_t l4 = L.base + m.l4_off;
    switch (m.proto) {
      case kProtoIPIP:
      case kProtoIPv6:
        in->off = l4;
        in->link = kLinkRaw;
        in->want_version = m.proto == kProtoIPIP ? 4 : 6;
        in->via = kTunnelIP;
        return true;
      case kProtoGre:
        return gre(l4, in);
      case kProtoUdp:
        return udp(L, l4, in);
      default:
        return false;
    }
  }

 private:
  // An ethertype-dispatched payload at `off` (GRE, Geneve, Cisco MetaData).
  bool ethertype(uint16_t type, uint32_t off, Inner* in, int depth = 0) {
    switch (type) {
      case kEthIPv4: case kEthIPv6:
        in->off = off;
        in->link = kLinkRaw;
        in->want_version = type == kEthIPv4 ? 4 : 6;
        return true;
      case kEthTeb:
        in->off = off;
        in->link = kLinkEthernet;
        return true;
      case kEthCiscoMeta:  // in GRE: ethertype(2) version(1) length(1) options(2) SGT(2), as Wireshark reads it
        if (depth >= kMaxCiscoMeta || !fits(off, 8)) return false;
        return ethertype(be16(d_ + off), off + 8, in, depth + 1);
      case kEthMplsUc: case kEthMplsMc:
        for (int i = 0; i < kMaxMpls; ++i) {
          if (!fits(off, 4)) return false;
          uint32_t lse = be32(d_ + off);
          off += 4;
          if (lse & 0x100) {  // bottom of stack: IP, told apart by its version nibble
            in->off = off;
            in->link = kLinkRaw;
            return true;
          }
        }
        return false;
      default:
        return false;
    }
  }

  bool gre(uint32_t g, Inner* in) {
    if (!fits(g, 4)) return false;
    uint16_t fv = be16(d_ + g);
    uint16_t type = be16(d_ + g + 2);
    int version = fv & 7;
    bool csum = fv & 0x8000, routing = fv & 0x4000, key = fv & 0x2000, seq = fv & 0x1000;
    if (routing) return false;  // source routing (RFC 1701) is obsolete; not walked
    uint32_t h = 4;
    if (csum) h += 4;
    in->via = kTunnelGRE;
    if (key) {
      if (!fits(g + h, 4)) return false;
      if (version == 0) {
        in->has_id = true;
        in->id = be32(d_ + g + h);
      } else {  // PPTP: payload length(2) call id(2)
        in->has_id = true;
        in->id = be16(d_ + g + h + 2);
      }
      h += 4;
    }
    if (seq) h += 4;
    if (version == 1) {
      if (fv & 0x0080) h += 4;  // acknowledgment number
      if (type != kEthPpp) return false;
      return ppp(g + h, in);
    }
    if (version != 0) return false;
    uint32_t off = g + h;
    if (type == kEthErspan2 || type == kEthErspan3) return erspan(type, seq, off, in);
    return ethertype(type, off, in);
  }

  // PPP in PPTP's GRE: optional address/control (FF 03), then a 1-byte
  // (compressed, odd) or 2-byte protocol.
  bool ppp(uint32_t off, Inner* in) {
    if (!fits(off, 2)) return false;
    if (d_[off] == 0xFF && d_[off + 1] == 0x03) off += 2;
    if (!fits(off, 1)) return false;
    uint16_t proto;
    if (d_[off] & 1) {
      proto = d_[off];
      off += 1;
    } else {
      if (!fits(off, 2)) return false;
      proto = be16(d_ + off);
      off += 2;
    }
    if (proto != 0x21 && proto != 0x57) return false;
    in->off = off;
    in->link = kLinkRaw;
    in->want_version = proto == 0x21 ? 4 : 6;
    return true;
  }

  bool erspan(uint16_t type, bool seq, uint32_t off, Inner* in) {
    in->via = kTunnelERSPAN;
    in->has_id = false;
    in->link = kLinkEthernet;
    if (type == kEthErspan2 && !seq) {  // type I: no ERSPAN header at all
      in->off = off;
      return true;
    }
    uint32_t hlen = type == kEthErspan2 ? 8 : 12;
    if (!fits(off, hlen)) return false;
    in->has_id = true;
    in->id = be16(d_ + off + 2) & 0x03FF;  // session id
    if (type == kEthErspan3 && (d_[off + 11] & 1)) hlen += 8;  // platform-specific subheader
    in->off = off + hlen;
    return true;
  }

  bool udp(const Layer& L, uint32_t l4, Inner* in) {
    const PacketMeta& m = L.meta;
    if (!(m.flags & kMetaHasPorts) || m.payload_off == kNoOffset) return false;
    uint32_t p = L.base + m.payload_off;
    // The payload length the headers declare (not caplen): Teredo checks it.
    if (!fits(l4, 8)) return false;
    uint32_t udp_len = be16(d_ + l4 + 4);
    uint32_t plen = udp_len >= 8 ? udp_len - 8 : 0;
    auto port = [&](uint16_t want) { return m.dport == want || m.sport == want; };
    if (port(kPortVxlan)) return vxlan(p, in);
    if (port(kPortGeneve)) return geneve(p, in);
    if (port(kPortGtpU)) return gtpu(p, in);
    if (port(kPortTeredo)) return teredo(p, plen, in);
    return false;
  }

  // flags(1: I = 0x08) reserved(3) VNI(3) reserved(1), then Ethernet.
  bool vxlan(uint32_t p, Inner* in) {
    if (!fits(p, 8) || !(d_[p] & 0x08)) return false;
    in->via = kTunnelVXLAN;
    in->has_id = true;
    in->id = be32(d_ + p + 4) >> 8;
    in->off = p + 8;
    in->link = kLinkEthernet;
    return true;
  }

  // ver(2) opt len(6, 4-byte words) | flags(1) | protocol(2) | VNI(3) reserved(1) | options
  bool geneve(uint32_t p, Inner* in) {
    if (!fits(p, 8) || (d_[p] >> 6) != 0) return false;
    uint32_t hlen = 8 + (d_[p] & 0x3F) * 4u;
    if (!fits(p, hlen)) return false;
    in->via = kTunnelGeneve;
    in->has_id = true;
    in->id = be32(d_ + p + 4) >> 8;
    return ethertype(be16(d_ + p + 2), p + hlen, in);
  }

  // GTPv1-U: flags(1: version 1, PT 1, E S PN) type(1: 0xFF G-PDU) length(2) TEID(4)
  // [sequence(2) N-PDU(1) next extension type(1)] [extension headers], then IP.
  bool gtpu(uint32_t p, Inner* in) {
    if (!fits(p, 8)) return false;
    uint8_t f = d_[p];
    if ((f >> 5) != 1 || !(f & 0x10) || d_[p + 1] != 0xFF) return false;
    uint32_t h = 8;
    if (f & 0x07) {
      if (!fits(p, 12)) return false;
      uint8_t next = d_[p + 11];
      h = 12;
      for (int n = 0; next != 0; ++n) {
        if (n == 8 || !fits(p + h, 1)) return false;
        uint32_t elen = d_[p + h] * 4u;  // in 4-byte units, including length and next-type bytes
        if (elen == 0 || !fits(p + h, elen)) return false;
        next = d_[p + h + elen - 1];
        h += elen;
      }
    }
    in->via = kTunnelGTPU;
    in->has_id = true;
    in->id = be32(d_ + p + 4);
    in->off = p + h;
    in->link = kLinkRaw;
    return true;
  }

  // Teredo (RFC 4380): optional authentication (00 01) and origin (00 00)
  // indicators, then an IPv6 header whose length matches the UDP payload
  // exactly (the check Zeek makes: Teredo has no magic number).
  bool teredo(uint32_t p, uint32_t plen, Inner* in) {
    uint32_t end = p + plen;
    if (fits(p, 4) && be16(d_ + p) == 0x0001) {
      uint32_t hl = 4u + d_[p + 2] + d_[p + 3] + 8u + 1u;
      p += hl;
    }
    if (fits(p, 8) && be16(d_ + p) == 0x0000) p += 8;
    if (p > end || end - p < 40 || !fits(p, 40)) return false;
    if ((d_[p] >> 4) != 6 || 40u + be16(d_ + p + 4) != end - p) return false;
    in->via = kTunnelTeredo;
    in->off = p;
    in->link = kLinkRaw;
    in->want_version = 6;
    return true;
  }

  const uint8_t* d_;
  uint32_t cap_;
};

}  // namespace

int walk_layers(const uint8_t* data, uint32_t caplen, const PacketMeta& outer, Layer* out) {
  out[0].meta = outer;
  out[0].base = 0;
  out[0].via = kTunnelNone;
  out[0].has_id = false;
  out[0].tunnel_id = 0;
  int n = 1;
  if (!data) return n;
  Finder f(data, caplen);
  while (n < kMaxLayers) {
    const Layer& L = out[n - 1];
    const PacketMeta& m = L.meta;
    if (!(m.flags & (kMetaIPv4 | kMetaIPv6)) || m.l4_off == kNoOffset) break;
    if (m.flags & kMetaMalformed) break;
    Inner in;
    if (!f.find(L, &in)) break;
    // The inner packet ends where the carrying datagram ends (not at caplen:
    // Ethernet padding follows short frames), unless its length is unusable.
    uint32_t end = caplen;
    uint32_t ip_end = L.base + m.l3_off + m.ip_len;
    if (m.ip_len >= 20 && ip_end < end) end = ip_end;
    if (in.off >= end) break;
    Layer& next = out[n];
    locate(data + in.off, end - in.off, in.link, -1, &next.meta);
    uint8_t v = next.meta.ip_version;
    if (v == 0 || (in.want_version && v != in.want_version)) break;  // not IP inside: stay on this layer
    next.base = in.off;
    next.via = in.via;
    next.has_id = in.has_id;
    next.tunnel_id = in.id;
    ++n;
  }
  return n;
}

}  // namespace pfw
