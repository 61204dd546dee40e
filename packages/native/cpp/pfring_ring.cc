#include "pfring_ring.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include "errors.h"

namespace pfw {

namespace abi = pfring_abi;

const char* pfring_error_name(int rc) {
  switch (rc) {
    case abi::kErrGeneric: return "PF_RING_ERROR_GENERIC";
    case abi::kErrInvalidArgument: return "PF_RING_ERROR_INVALID_ARGUMENT";
    case abi::kErrNoPktAvailable: return "PF_RING_ERROR_NO_PKT_AVAILABLE";
    case abi::kErrNoTxSlotAvailable: return "PF_RING_ERROR_NO_TX_SLOT_AVAILABLE";
    case abi::kErrWrongConfiguration: return "PF_RING_ERROR_WRONG_CONFIGURATION";
    case abi::kErrEndOfDemoMode: return "PF_RING_ERROR_END_OF_DEMO_MODE";
    case abi::kErrNotSupported: return "PF_RING_ERROR_NOT_SUPPORTED";
    case abi::kErrInvalidLibVersion: return "PF_RING_ERROR_INVALID_LIB_VERSION";
    case abi::kErrUnknownAdapter: return "PF_RING_ERROR_UNKNOWN_ADAPTER";
    case abi::kErrNotEnoughMemory: return "PF_RING_ERROR_NOT_ENOUGH_MEMORY";
    case abi::kErrInvalidStatus: return "PF_RING_ERROR_INVALID_STATUS";
    case abi::kErrRingNotEnabled: return "PF_RING_ERROR_RING_NOT_ENABLED";
    default: return "";
  }
}

Error pfring_call_error(const char* code, const std::string& what, const char* call, int rc, int err) {
  // A plain -1 with errno is a failed system call inside libpfring
  // (setsockopt on the ring socket, mostly); the kernel's errno says why.
  if (rc == -1 && err != 0) return sys_error(code, what, call, err);
  const char* name = pfring_error_name(rc);
  std::string msg = what + ": " + call + " returned " + (*name ? std::string(name) + " (" : "(") +
                    std::to_string(rc) + ")";
  return Error(code, msg, 0, call);
}

// Calls a libpfring function with errno cleared first and captured right after,
// so the error mapping sees the errno of this call only.
#define PFW_PFRING_CALL(rc, err, expr) \
  do {                                 \
    errno = 0;                         \
    rc = (expr);                       \
    err = errno;                       \
  } while (0)

bool pfring_module_device(const std::string& device) {
  size_t colon = device.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = device[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

PfringBackend::PfringBackend(const OpenOptions& opts, const PfringOptions& pf)
    : lib_(&load_pfring(pf.library)),
      pf_(pf),
      device_(opts.device),
      snaplen_(opts.snaplen),
      copy_(pf.copy || pfring_module_device(opts.device)) {
  uint32_t flags = abi::kFlagLongHeader | abi::kFlagTimestamp;
  if (opts.promiscuous) flags |= abi::kFlagPromisc;
  if (opts.hw_timestamp) flags |= abi::kFlagHwTimestamp;

  errno = 0;
  ring_ = lib_->open(device_.c_str(), opts.snaplen, flags);
  int err = errno;
  if (!ring_) {
    switch (err) {
      case EAFNOSUPPORT:
        throw Error("PFW_PFRING_MODULE", "the pf_ring kernel module is not loaded: modprobe pf_ring", err,
                    "pfring_open");
      case EPERM:
      case EACCES:
        throw sys_error("PFW_NO_CAP_NET_RAW",
                        "cannot open " + device_ + " with PF_RING: capturing needs root or CAP_NET_RAW "
                        "(sudo setcap cap_net_raw,cap_net_admin+ep $(command -v node))",
                        "pfring_open", err);
      case ENODEV:
      case ENXIO:
        throw sys_error("PFW_NO_SUCH_DEVICE", "cannot open " + device_ + " with PF_RING: no such interface "
                        "(ip link lists the interfaces)", "pfring_open", err);
      default:
        if (err) throw sys_error("PFW_PFRING_OPEN", "cannot open " + device_ + " with PF_RING", "pfring_open", err);
        throw Error("PFW_PFRING_OPEN", "cannot open " + device_ + " with PF_RING: pfring_open returned NULL",
                    0, "pfring_open");
    }
  }
  int rc;
  try {
    PFW_PFRING_CALL(rc, err, lib_->get_selectable_fd(ring_));
    check(rc, err, "pfring_get_selectable_fd", "PFW_PFRING_OPEN", "PF_RING gave no pollable descriptor for " + device_);
    fd_ = rc;
    PFW_PFRING_CALL(rc, err, lib_->set_poll_watermark(ring_, 1));
    check(rc, err, "pfring_set_poll_watermark", "PFW_PFRING_OPEN", "cannot set the poll watermark of " + device_);
    if (lib_->get_link_type) {
      int lt = lib_->get_link_type(ring_);
      if (lt > 0) link_type_ = lt;
    }
  } catch (...) {
    lib_->close(ring_);
    ring_ = nullptr;
    throw;
  }
}

PfringBackend::~PfringBackend() { close(); }

void PfringBackend::check(int rc, int err, const char* call, const char* code, const std::string& what) const {
  if (rc < 0) throw pfring_call_error(code, what, call, rc, err);
}

abi::pfring* PfringBackend::live(const char* call) const {
  if (!ring_) throw Error("PFW_RING_CLOSED", std::string("the ring is closed (") + call + " after close())");
  return ring_;
}

FetchStatus PfringBackend::fetch_into(uint32_t max, std::vector<RawPacket>& out) {
  abi::pfring* r = live("pfring_recv");
  abi::PktHdr hdr;
  size_t used = 0;
  if (copy_ && arena_.empty()) arena_.resize(std::max<size_t>(size_t(1) << 22, size_t(snaplen_) * 4));
  while (out.size() < max) {
    unsigned char* buf = nullptr;
    unsigned buf_len = 0;
    if (copy_) {
      if (arena_.size() - used < snaplen_) break;  // a whole packet may not fit: next fetch
      buf = arena_.data() + used;
      buf_len = snaplen_;
    }
    int rc, err;
    PFW_PFRING_CALL(rc, err, lib_->recv(r, &buf, buf_len, &hdr, 0));
    // 0 = nothing queued; some modules say PF_RING_ERROR_NO_PKT_AVAILABLE instead.
    if (rc == 0 || rc == abi::kErrNoPktAvailable) break;
    if (rc < 0) {
      if (!out.empty()) break;  // deliver what we have; the error shows on the next call
      if (rc == abi::kErrRingNotEnabled)
        throw Error("PFW_RING_NOT_ENABLED", "readBatch(): the ring is not enabled; call ring.enable() first", 0, "pfring_recv");
      throw pfring_call_error("PFW_PFRING_RECV", "cannot read from PF_RING on " + device_, "pfring_recv", rc, err);
    }
    RawPacket p;
    p.data = buf;
    // In copy mode the library cut the packet at buf_len but left caplen whole.
    p.caplen = copy_ ? std::min(hdr.caplen, buf_len) : hdr.caplen;
    if (copy_) used += (p.caplen + 7) & ~size_t(7);
    p.len = hdr.len;
    // timestamp_ns carries the NIC's time with hardware timestamps and the
    // kernel's otherwise; 0 when the module left it unset (then: usec ts).
    p.ts_ns = hdr.timestamp_ns ? hdr.timestamp_ns
                               : uint64_t(hdr.ts.tv_sec) * 1000000000ull + uint64_t(hdr.ts.tv_usec) * 1000ull;
    p.ifindex = hdr.if_index > 0 ? uint32_t(hdr.if_index) : 0;
    // PF_RING puts a tag the NIC stripped back into the bytes (unless the
    // module runs with keep_vlan_offload=1), so there is no metadata tag.
    p.vlan_tci = -1;
    p.direction = hdr.rx_direction ? kPacketRx : kPacketTx;
    out.push_back(p);
  }
  return out.empty() ? FetchStatus::kNone : FetchStatus::kPackets;
}

void PfringBackend::enable() {
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->enable_ring(live("pfring_enable_ring")));
  check(rc, err, "pfring_enable_ring", "PFW_PFRING_ENABLE", "cannot enable the PF_RING ring on " + device_);
}

void PfringBackend::disable() {
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->disable_ring(live("pfring_disable_ring")));
  check(rc, err, "pfring_disable_ring", "PFW_PFRING_DISABLE", "cannot disable the PF_RING ring on " + device_);
}

void PfringBackend::close() {
  if (!ring_) return;
  lib_->close(ring_);
  ring_ = nullptr;
  fd_ = -1;
}

BackendStats PfringBackend::stats() {
  abi::Stat st{};
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->stats(live("pfring_stats"), &st));
  check(rc, err, "pfring_stats", "PFW_PFRING_STATS", "cannot read PF_RING statistics of " + device_);
  return BackendStats{st.recv, st.drop};
}

void PfringBackend::detach_filter() {
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->remove_bpf_filter(live("pfring_remove_bpf_filter")));
  check(rc, err, "pfring_remove_bpf_filter", "PFW_PFRING_BPF", "cannot remove the BPF filter on " + device_);
}

bool PfringBackend::set_bpf_expression(const std::string& expr) {
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->set_bpf_filter(live("pfring_set_bpf_filter"), expr.c_str()));
  check(rc, err, "pfring_set_bpf_filter", "PFW_PFRING_BPF",
        "PF_RING refused the BPF filter \"" + expr + "\" on " + device_);
  return true;
}

void PfringBackend::set_direction(int dir) {
  // pfwork: 0 rx, 1 tx, 2 both; PF_RING: rx_and_tx 0, rx_only 1, tx_only 2.
  int pd = dir == 0 ? abi::kRxOnlyDirection : dir == 1 ? abi::kTxOnlyDirection : abi::kRxAndTxDirection;
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->set_direction(live("pfring_set_direction"), pd));
  check(rc, err, "pfring_set_direction", "PFW_PFRING_DIRECTION", "cannot set the capture direction on " + device_);
}

void PfringBackend::set_socket_mode(int mode) {
  // pfwork: 0 read, 1 write, 2 both; PF_RING: send_and_recv 0, send_only 1, recv_only 2.
  int sm = mode == 0 ? abi::kRecvOnlyMode : mode == 1 ? abi::kSendOnlyMode : abi::kSendAndRecvMode;
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->set_socket_mode(live("pfring_set_socket_mode"), sm));
  check(rc, err, "pfring_set_socket_mode", "PFW_PFRING_SOCKET_MODE", "cannot set the socket mode on " + device_);
}

bool PfringBackend::set_sampling_rate(uint32_t rate) {
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->set_sampling_rate(live("pfring_set_sampling_rate"), rate));
  check(rc, err, "pfring_set_sampling_rate", "PFW_PFRING_SAMPLING",
        "cannot set the sampling rate " + std::to_string(rate) + " on " + device_);
  return true;
}

void PfringBackend::set_cluster(uint32_t id, int type) {
  abi::pfring* r = live("pfring_set_cluster");
  if (id < 1 || id > 0xFFFF)  // PF_RING's add_to_cluster keeps 16 bits; 0 is "no cluster"
    throw Error("PFW_INVALID_ARGUMENT", "setCluster: id (" + std::to_string(id) +
                                            ") must be from 1 to 65535 on pfring (PF_RING keeps 16 bits and 0 means \"no cluster\")");
  int rc, err;
  const char* call;
  if (uses_cluster_consumer()) {
    call = "pfring_set_cluster_consumer";
    PFW_PFRING_CALL(rc, err, lib_->set_cluster_consumer(r, uint16_t(id), uint16_t(pf_.cluster_queue), type, 0));
  } else {
    call = "pfring_set_cluster";
    PFW_PFRING_CALL(rc, err, lib_->set_cluster(r, id, type));
  }
  if (rc >= 0) return;
  std::string what = "cannot join PF_RING cluster " + std::to_string(id);
  if (uses_cluster_consumer()) what += " as queue " + std::to_string(pf_.cluster_queue);
  if (rc == -1 && err == EBUSY)
    what += ": the queue is taken by another ring (a previous worker with this index still running, "
            "or another application on cluster " + std::to_string(id) + ")";
  else if (rc == -1 && err == EINVAL)
    what += " (every ring of a cluster must capture the same interface, and at most " +
            std::to_string(abi::kMaxClusterQueues) + " rings can join)";
  throw pfring_call_error("PFW_PFRING_CLUSTER", what, call, rc, err);
}

void PfringBackend::remove_from_cluster() {
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->remove_from_cluster(live("pfring_remove_from_cluster")));
  check(rc, err, "pfring_remove_from_cluster", "PFW_PFRING_CLUSTER", "cannot leave the PF_RING cluster on " + device_);
}

void PfringBackend::set_application_name(const std::string& name) {
  std::vector<char> copy(name.begin(), name.end());  // the API takes char*
  copy.push_back('\0');
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->set_application_name(live("pfring_set_application_name"), copy.data()));
  check(rc, err, "pfring_set_application_name", "PFW_PFRING_APPNAME",
        "cannot set the application name \"" + name + "\" on " + device_);
}

int PfringBackend::send(const uint8_t* data, uint32_t len) {
  abi::pfring* r = live("pfring_send");
  // pfring_send takes char* but only reads it (send(2) or a copy into a TX slot).
  char* pkt = const_cast<char*>(reinterpret_cast<const char*>(data));
  int rc, err;
  PFW_PFRING_CALL(rc, err, lib_->send(r, pkt, len, 1));
  check(rc, err, "pfring_send", "PFW_PFRING_SEND", "cannot send a " + std::to_string(len) + "-byte frame on " + device_);
  return rc;
}

std::unique_ptr<Backend> make_pfring_backend(const OpenOptions& opts) {
  PfringOptions pf;
  pf.cluster_queue = opts.cluster_queue;
  return std::make_unique<PfringBackend>(opts, pf);
}

}  // namespace pfw
