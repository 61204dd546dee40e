// Finished flows as NDJSON text: see flow_ndjson.h. Every rule below mirrors a
// line of packages/core/src/flow/format.ts (flowRecordLineAt and its helpers);
// test/flows-ndjson-native.test.ts holds the two to the same text on every flow
// of the shared and generated captures.
#include "flow_ndjson.h"

#include <cstring>

#include "js_number.h"

namespace pfw {
namespace {

// format.ts PROTO_NAMES, TUNNEL_NAMES, TUNNEL_ID_NAMES and flow-record.ts FLOW_END_REASONS.
const char* proto_name(uint8_t p) {
  switch (p) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "icmp6";
    case 132: return "sctp";
    default: return nullptr;  // written as the number
  }
}
const char* const kTunnelNames[] = {"", "ip", "gre", "erspan", "vxlan", "geneve", "gtp-u", "teredo"};
const char* const kTunnelIdNames[] = {"", "", "key", "session", "vni", "vni", "teid", ""};
constexpr unsigned kTunnelTypes = sizeof(kTunnelNames) / sizeof(kTunnelNames[0]);
const char* const kEndNames[] = {"fin", "rst", "idle", "active", "end", "stop", "evicted"};
constexpr unsigned kEndCodes = sizeof(kEndNames) / sizeof(kEndNames[0]);

// Room one line can take at most: the fixed part (keys and punctuation 271
// chars; worker, ts, duration and four counters of at most 25 chars each; two
// IPv6 addresses of 39; ts_ns of 35; 16 history bytes escaped to 6 chars each;
// ports, vlans, names) stays below 700 of 1024; one tunnel parent (name, two
// "[IPv6]:port" endpoints, "session=4294967295", quotes and comma) below 125 of 160.
constexpr size_t kLineFixedMax = 1024;
constexpr size_t kTunnelTextMax = 160;

char* lit(char* p, const char* s, size_t n) {
  std::memcpy(p, s, n);
  return p + n;
}
#define LIT(p, s) lit((p), (s), sizeof(s) - 1)

char* str(char* p, const char* s) { return lit(p, s, std::strlen(s)); }

// format.ts nsText: "<sec><nsec, 9 digits>" when sec > 0, else the nanoseconds alone.
char* ns_text(char* p, double sec, uint32_t nsec) {
  if (!(sec > 0)) return write_u64(p, nsec);
  p = js_number_text(sec, p);
  char digits[10];
  char* e = write_u64(digits, nsec);
  for (long i = e - digits; i < 9; ++i) *p++ = '0';  // padStart(9, '0')
  return lit(p, digits, size_t(e - digits));
}

// core formatIPv4At: dotted quad of the first 4 bytes.
char* ipv4(char* p, const uint8_t* a) {
  for (int i = 0; i < 4; ++i) {
    if (i) *p++ = '.';
    p = write_u64(p, a[i]);
  }
  return p;
}

char* hex16(char* p, unsigned v) {
  static const char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned d = (v >> shift) & 15;
    if (d || started || shift == 0) {
      *p++ = kHex[d];
      started = true;
    }
  }
  return p;
}

// core formatIPv6 (RFC 5952): IPv4-mapped addresses end in a dotted quad; the
// longest run of two or more zero groups (the first on a tie) becomes "::".
char* ipv6(char* p, const uint8_t* a) {
  bool zero_head = true;
  for (int i = 0; i < 10; ++i)
    if (a[i]) zero_head = false;
  if (zero_head && a[10] == 0xff && a[11] == 0xff) {
    p = LIT(p, "::ffff:");
    return ipv4(p, a + 12);
  }
  int best_start = -1, best_len = 1, run_start = -1;
  for (int g = 0; g <= 8; ++g) {
    bool zero = g < 8 && a[2 * g] == 0 && a[2 * g + 1] == 0;
    if (zero) {
      if (run_start < 0) run_start = g;
    } else if (run_start >= 0) {
      if (g - run_start > best_len) {
        best_len = g - run_start;
        best_start = run_start;
      }
      run_start = -1;
    }
  }
  for (int g = 0; g < 8; ++g) {
    if (g == best_start) {
      p = g == 0 ? LIT(p, "::") : LIT(p, ":");
      g += best_len - 1;
      continue;
    }
    p = hex16(p, unsigned(a[2 * g] << 8 | a[2 * g + 1]));
    if (g < 7) *p++ = ':';
  }
  return p;
}

// format.ts addressAt: IPv6 text when the version is 6, else IPv4.
char* address(char* p, const uint8_t* a, uint8_t version) { return version == 6 ? ipv6(p, a) : ipv4(p, a); }

// FlowBatch.history() then JSON.stringify's escaping: bytes up to the first 0
// (at most 16) as char codes; '"', '\\' and controls escaped, the rest as is.
char* history(char* p, const uint8_t* h) {
  static const char kHex[] = "0123456789abcdef";
  *p++ = '"';
  for (int i = 0; i < 16 && h[i]; ++i) {
    uint8_t b = h[i];
    if (b >= 0x20 && b != '"' && b != '\\') {
      *p++ = char(b);
      continue;
    }
    *p++ = '\\';
    switch (b) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\b': *p++ = 'b'; break;
      case '\t': *p++ = 't'; break;
      case '\n': *p++ = 'n'; break;
      case '\f': *p++ = 'f'; break;
      case '\r': *p++ = 'r'; break;
      default:
        p = LIT(p, "u00");
        *p++ = kHex[b >> 4];
        *p++ = kHex[b & 15];
    }
  }
  *p++ = '"';
  return p;
}

// format.ts endpoint: the port only for UDP-based tunnels, IPv6 in brackets.
char* endpoint(char* p, const uint8_t* a, uint8_t version, uint16_t port, bool ported) {
  if (!ported) return address(p, a, version);
  if (version == 6) *p++ = '[';
  p = address(p, a, version);
  if (version == 6) *p++ = ']';
  *p++ = ':';
  return write_u64(p, port);
}

// format.ts tunnelText, quoted: `<type> <src> <dst>[ <id name>=<id>]`.
char* tunnel_text(char* p, const FlowRecordColumns& c, size_t row) {
  uint8_t type = c.t_type[row];
  uint8_t v = c.t_ip_version[row];
  bool ported = type >= 4;  // vxlan, geneve, gtp-u, teredo (and unknown types above them, as format.ts does)
  *p++ = '"';
  p = type < kTunnelTypes ? str(p, kTunnelNames[type]) : write_u64(p, type);
  *p++ = ' ';
  p = endpoint(p, c.t_src + 16 * row, v, c.t_sport[row], ported);
  *p++ = ' ';
  p = endpoint(p, c.t_dst + 16 * row, v, c.t_dport[row], ported);
  const char* id_name = type < kTunnelTypes ? kTunnelIdNames[type] : "";
  if (c.t_has_id[row] && *id_name) {
    *p++ = ' ';
    p = str(p, id_name);
    *p++ = '=';
    p = write_u64(p, c.t_id[row]);
  }
  *p++ = '"';
  return p;
}

}  // namespace

bool append_flow_ndjson(const FlowRecordColumns& c, size_t from, size_t to, double worker, TextBuffer* out,
                        std::string* error) {
  // "worker" is the same on every line: written once.
  char wtext[kJsNumberMaxChars];
  size_t wlen = size_t(json_number_text(worker, wtext) - wtext);
  out->reserve((to - from) * 360);  // a typical line is 300-360 characters: one allocation
  for (size_t i = from; i < to; ++i) {
    uint32_t tstart = c.tunnel_start[i];
    uint8_t tcount = c.tunnel_count[i];
    if (tcount && (tstart > c.tunnel_rows || c.tunnel_rows - tstart < tcount)) {
      *error = "flow " + std::to_string(i) + " names tunnel layers " + std::to_string(tstart) + "-" +
               std::to_string(size_t(tstart) + tcount - 1) + " of " + std::to_string(c.tunnel_rows);
      return false;
    }
    // Room for the longest line this row can make: the writers below check no bounds.
    char* p = out->reserve(kLineFixedMax + kTunnelTextMax * tcount);
    const uint8_t v = c.ip_version[i];
    const double first_sec = c.first_sec[i];
    const uint32_t first_nsec = c.first_nsec[i];

    p = LIT(p, "{\"type\":\"flow\",\"worker\":");
    p = lit(p, wtext, wlen);
    // The same double arithmetic as format.ts, in the same order.
    p = LIT(p, ",\"ts\":");
    p = json_number_text(first_sec + double(first_nsec) / 1e9, p);
    p = LIT(p, ",\"duration\":");
    p = json_number_text(c.last_sec[i] - first_sec + (double(c.last_nsec[i]) - double(first_nsec)) / 1e9, p);
    p = LIT(p, ",\"proto\":\"");
    const char* pn = proto_name(c.proto[i]);
    p = pn ? str(p, pn) : write_u64(p, c.proto[i]);
    p = LIT(p, "\",\"id.orig_h\":\"");
    p = address(p, c.orig_addr + 16 * i, v);
    p = LIT(p, "\",\"id.orig_p\":");
    p = write_u64(p, c.orig_port[i]);
    p = LIT(p, ",\"id.resp_h\":\"");
    p = address(p, c.resp_addr + 16 * i, v);
    p = LIT(p, "\",\"id.resp_p\":");
    p = write_u64(p, c.resp_port[i]);
    p = LIT(p, ",\"vlan\":");
    p = write_u64(p, c.vlan[i]);
    p = LIT(p, ",\"orig_pkts\":");
    p = json_number_text(c.orig_pkts[i], p);
    p = LIT(p, ",\"orig_ip_bytes\":");
    p = json_number_text(c.orig_bytes[i], p);
    p = LIT(p, ",\"resp_pkts\":");
    p = json_number_text(c.resp_pkts[i], p);
    p = LIT(p, ",\"resp_ip_bytes\":");
    p = json_number_text(c.resp_bytes[i], p);
    p = LIT(p, ",\"history\":");
    p = history(p, c.history + 16 * i);
    p = LIT(p, ",\"end_reason\":\"");
    uint8_t end = c.end_reason[i];
    p = str(p, end < kEndCodes ? kEndNames[end] : "end");
    p = LIT(p, "\",\"ts_ns\":\"");
    p = ns_text(p, first_sec, first_nsec);
    *p++ = '"';
    if (c.inner_vlan[i]) {
      p = LIT(p, ",\"inner_vlan\":");
      p = write_u64(p, c.inner_vlan[i]);
    }
    if (tcount) {
      p = LIT(p, ",\"tunnel_parents\":[");
      for (uint32_t k = 0; k < tcount; ++k) {
        if (k) *p++ = ',';
        p = tunnel_text(p, c, size_t(tstart) + k);
      }
      *p++ = ']';
    }
    p = LIT(p, "}\n");
    out->commit(p);
  }
  return true;
}

}  // namespace pfw
