// Finished flows to JS: see flow_pack.h.
#include "flow_pack.h"

#include <cstring>

namespace pfw {
namespace {

struct ColSpec {
  const char* name;
  uint8_t size;  // bytes per element
  uint8_t per;   // elements per row
};

// Element sizes descend, so every column is naturally aligned.
const ColSpec kFlowCols[] = {
    {"firstSec", 8, 1}, {"lastSec", 8, 1}, {"origPkts", 8, 1}, {"origBytes", 8, 1}, {"respPkts", 8, 1},
    {"respBytes", 8, 1}, {"firstNsec", 4, 1}, {"lastNsec", 4, 1}, {"tunnelStart", 4, 1}, {"origPort", 2, 1},
    {"respPort", 2, 1}, {"vlan", 2, 1}, {"innerVlan", 2, 1}, {"origAddr", 1, 16}, {"respAddr", 1, 16},
    {"history", 1, 16}, {"proto", 1, 1}, {"ipVersion", 1, 1}, {"endReason", 1, 1}, {"keyFlags", 1, 1},
    {"origTcpFlags", 1, 1}, {"respTcpFlags", 1, 1}, {"tunnelCount", 1, 1},
};
const ColSpec kTunnelCols[] = {
    {"id", 4, 1}, {"sport", 2, 1}, {"dport", 2, 1}, {"src", 1, 16}, {"dst", 1, 16},
    {"type", 1, 1}, {"ipVersion", 1, 1}, {"hasId", 1, 1},
};
constexpr size_t kNFlowCols = sizeof(kFlowCols) / sizeof(kFlowCols[0]);
constexpr size_t kNTunnelCols = sizeof(kTunnelCols) / sizeof(kTunnelCols[0]);

size_t layout(const ColSpec* cols, size_t ncols, size_t rows, size_t cursor, size_t* offs) {
  for (size_t i = 0; i < ncols; ++i) {
    cursor = (cursor + cols[i].size - 1) / cols[i].size * cols[i].size;
    offs[i] = cursor;
    cursor += size_t(cols[i].size) * cols[i].per * rows;
  }
  return cursor;
}

Napi::Array columns_js(Napi::Env env, const ColSpec* cols, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; ++i) {
    Napi::Array c = Napi::Array::New(env, 3);
    c.Set(0u, Napi::String::New(env, cols[i].name));
    c.Set(1u, Napi::Number::New(env, cols[i].size));
    c.Set(2u, Napi::Number::New(env, cols[i].per));
    a.Set(uint32_t(i), c);
  }
  return a;
}

template <typename T> T* col(uint8_t* base, size_t off) { return reinterpret_cast<T*>(base + off); }

uint64_t ns_field(const Napi::Object& o, const char* key, uint64_t dflt) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return dflt;
  double sec = v.As<Napi::Number>().DoubleValue();
  if (!(sec > 0)) return dflt;
  return uint64_t(sec * 1e9 + 0.5);
}

}  // namespace

PackedLayout packed_layout(size_t rows, size_t tunnel_rows) {
  static_assert(kNFlowCols <= PackedLayout::kMaxColumns && kNTunnelCols <= PackedLayout::kMaxColumns,
                "PackedLayout has room for every column");
  size_t fo[kNFlowCols], to[kNTunnelCols];
  PackedLayout l;
  l.bytes = layout(kTunnelCols, kNTunnelCols, tunnel_rows, layout(kFlowCols, kNFlowCols, rows, 0, fo), to);
  l.n_flows = kNFlowCols;
  for (size_t i = 0; i < kNFlowCols; ++i) l.flows[i] = {kFlowCols[i].name, kFlowCols[i].size, kFlowCols[i].per, fo[i]};
  l.n_tunnels = kNTunnelCols;
  for (size_t i = 0; i < kNTunnelCols; ++i)
    l.tunnels[i] = {kTunnelCols[i].name, kTunnelCols[i].size, kTunnelCols[i].per, to[i]};
  return l;
}

Napi::Array flow_columns_js(Napi::Env env) { return columns_js(env, kFlowCols, kNFlowCols); }
Napi::Array tunnel_columns_js(Napi::Env env) { return columns_js(env, kTunnelCols, kNTunnelCols); }

FlowTableOptions flow_options_from_js(const Napi::Object& o) {
  FlowTableOptions r;
  r.tcp_idle_ns = ns_field(o, "tcpIdleTimeoutSec", r.tcp_idle_ns);
  r.udp_idle_ns = ns_field(o, "udpIdleTimeoutSec", r.udp_idle_ns);
  r.icmp_idle_ns = ns_field(o, "icmpIdleTimeoutSec", r.icmp_idle_ns);
  r.other_idle_ns = ns_field(o, "otherIdleTimeoutSec", r.other_idle_ns);
  r.active_ns = ns_field(o, "activeTimeoutSec", r.active_ns);
  r.tcp_close_delay_ns = ns_field(o, "tcpCloseDelaySec", r.tcp_close_delay_ns);
  r.frag_timeout_ns = ns_field(o, "fragmentTimeoutSec", r.frag_timeout_ns);
  Napi::Value mf = o.Get("maxFlows");
  if (mf.IsNumber()) r.max_flows = mf.As<Napi::Number>().Uint32Value();
  if (r.max_flows < 1) r.max_flows = 1;
  Napi::Value mfr = o.Get("maxFragments");
  if (mfr.IsNumber()) r.max_frags = mfr.As<Napi::Number>().Uint32Value();
  if (r.max_frags < 1) r.max_frags = 1;
  return r;
}

Napi::Value take_finished_js(Napi::Env env, FlowTable& table) {
  std::vector<FinishedFlow>& ff = table.finished();
  std::vector<TunnelLayer>& ft = table.finished_tunnels();
  size_t n = ff.size(), t = ft.size();
  if (n == 0) return env.Null();
  size_t fo[kNFlowCols], to[kNTunnelCols];
  size_t end = layout(kFlowCols, kNFlowCols, n, 0, fo);
  end = layout(kTunnelCols, kNTunnelCols, t, end, to);
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, end ? end : 1);
  uint8_t* b = static_cast<uint8_t*>(buf.Data());
  std::memset(b, 0, end);
  for (size_t i = 0; i < n; ++i) {
    const FinishedFlow& f = ff[i];
    size_t c = 0;
    col<double>(b, fo[c++])[i] = double(f.first_ns / 1000000000ull);
    col<double>(b, fo[c++])[i] = double(f.last_ns / 1000000000ull);
    col<double>(b, fo[c++])[i] = double(f.pkts[0]);
    col<double>(b, fo[c++])[i] = double(f.bytes[0]);
    col<double>(b, fo[c++])[i] = double(f.pkts[1]);
    col<double>(b, fo[c++])[i] = double(f.bytes[1]);
    col<uint32_t>(b, fo[c++])[i] = uint32_t(f.first_ns % 1000000000ull);
    col<uint32_t>(b, fo[c++])[i] = uint32_t(f.last_ns % 1000000000ull);
    col<uint32_t>(b, fo[c++])[i] = f.tunnel_start;
    col<uint16_t>(b, fo[c++])[i] = f.orig_port;
    col<uint16_t>(b, fo[c++])[i] = f.resp_port;
    col<uint16_t>(b, fo[c++])[i] = f.vlan;
    col<uint16_t>(b, fo[c++])[i] = f.inner_vlan;
    std::memcpy(b + fo[c++] + 16 * i, f.orig, 16);
    std::memcpy(b + fo[c++] + 16 * i, f.resp, 16);
    std::memcpy(b + fo[c++] + 16 * i, f.history, 16);
    b[fo[c++] + i] = f.proto;
    b[fo[c++] + i] = f.ip_version;
    b[fo[c++] + i] = f.end;
    b[fo[c++] + i] = f.key_flags;
    b[fo[c++] + i] = f.tcp_flags[0];
    b[fo[c++] + i] = f.tcp_flags[1];
    b[fo[c++] + i] = f.tunnel_count;
  }
  for (size_t i = 0; i < t; ++i) {
    const TunnelLayer& l = ft[i];
    size_t c = 0;
    col<uint32_t>(b, to[c++])[i] = l.id;
    col<uint16_t>(b, to[c++])[i] = l.sport;
    col<uint16_t>(b, to[c++])[i] = l.dport;
    std::memcpy(b + to[c++] + 16 * i, l.src, 16);
    std::memcpy(b + to[c++] + 16 * i, l.dst, 16);
    b[to[c++] + i] = l.type;
    b[to[c++] + i] = l.ip_version;
    b[to[c++] + i] = l.has_id;
  }
  table.clear_finished();
  Napi::Object o = Napi::Object::New(env);
  o.Set("buffer", buf);
  o.Set("count", Napi::Number::New(env, double(n)));
  o.Set("tunnelCount", Napi::Number::New(env, double(t)));
  return o;
}

}  // namespace pfw
