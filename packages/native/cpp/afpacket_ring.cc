#include "afpacket_ring.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afpacket_socket.h"
#include "cluster_hash.h"
#include "errors.h"

namespace pfw {

namespace {

// An 802.1Q/802.1ad tag: TPID + TCI.
constexpr uint32_t kVlanTagLen = 4;
// fetch_into(): how far ahead of the frame being walked its successors are prefetched.
constexpr uint32_t kPrefetchAhead = 2048;

uint64_t now_realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::string quoted(const std::string& device) { return "'" + device + "'"; }

uint8_t* map_rx_ring(int fd, size_t len, const std::string& what_fd) {
  // The ring's pages are kernel memory inserted into the mapping: they never
  // swap, so there is nothing to lock.
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    if (err == EINVAL) {
      throw Error("PFW_BAD_FD",
                  "Could not map the capture ring of " + what_fd + ": it has no RX ring of " +
                      std::to_string(len) +
                      " bytes; an inherited socket must be opened with the blockSize and blockCount it was "
                      "created with",
                  err, "mmap");
    }
    throw sys_error("PFW_RING_SETUP", "Could not map the capture ring of " + what_fd, "mmap", err);
  }
  return static_cast<uint8_t*>(p);
}

}  // namespace

std::unique_ptr<Backend> make_afpacket_backend(const OpenOptions& opts) {
  return std::make_unique<AfpacketRing>(opts);
}

AfpacketRing::AfpacketRing(const OpenOptions& opts) : opts_(opts), device_(opts.device) {
  filter_.snaplen = opts.snaplen;
  if (opts.fd >= 0) {
    adopt();
  } else {
    open_new();
  }
}

AfpacketRing::~AfpacketRing() {
  try {
    close();
  } catch (...) {
  }
}

void AfpacketRing::open_new() {
  // The device first: a missing device is reported as such even without CAP_NET_RAW.
  ifindex_ = packet_ifindex(device_);
  fd_ = packet_socket(device_);
  try {
    packet_setup_rx_ring(fd_, opts_);
    if (opts_.hw_timestamp) packet_enable_hw_timestamps(fd_, device_);
    filter_.enabled = false;  // nothing is accepted before enable()
    apply_filter();
    if (opts_.promiscuous) packet_set_promiscuous(fd_, ifindex_, device_);
    map_ring();
    packet_bind(fd_, ifindex_, device_);
  } catch (...) {
    if (map_) munmap(map_, map_len_);
    map_ = nullptr;
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

void AfpacketRing::adopt() {
  const int fd = opts_.fd;
  const std::string what = "inherited descriptor " + std::to_string(fd);
  struct stat st{};
  if (fstat(fd, &st) != 0) {
    throw sys_error("PFW_BAD_FD", "Cannot adopt " + what + " (is it open in this process?)", "fstat", errno);
  }
  int domain = 0, type = 0, version = 0;
  socklen_t len = sizeof domain;
  if (!S_ISSOCK(st.st_mode) || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_PACKET ||
      (len = sizeof type, getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len)) != 0 || type != SOCK_RAW) {
    throw Error("PFW_BAD_FD", "Cannot adopt " + what + ": it is not an AF_PACKET SOCK_RAW socket; pass a descriptor "
                                  "from createFanoutGroup()");
  }
  len = sizeof version;
  if (getsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, &len) != 0 || version != TPACKET_V3) {
    throw Error("PFW_BAD_FD", "Cannot adopt " + what + ": its ring is not TPACKET_V3; pass a descriptor from "
                                  "createFanoutGroup()");
  }
  sockaddr_ll sll{};
  len = sizeof sll;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sll), &len) != 0 || sll.sll_ifindex <= 0) {
    throw Error("PFW_BAD_FD", "Cannot adopt " + what + ": it is not bound to a network device");
  }
  char name[IF_NAMESIZE] = {0};
  if (!if_indextoname(static_cast<unsigned>(sll.sll_ifindex), name)) {
    throw Error("PFW_NO_SUCH_DEVICE", "Cannot adopt " + what + ": the device it is bound to (index " +
                                          std::to_string(sll.sll_ifindex) + ") no longer exists");
  }
  // The Ring names an fd-only ring "fd:<n>": no device to check against.
  if (device_ == "fd:" + std::to_string(fd)) device_.clear();
  if (!device_.empty() && device_ != name) {
    throw Error("PFW_BAD_FD", "Cannot adopt " + what + ": it captures on " + quoted(name) + ", not on " +
                                  quoted(device_));
  }
  device_ = name;
  ifindex_ = sll.sll_ifindex;
  fd_ = fd;
  adopted_ = true;
  // Our copy must not leak into processes this worker starts.
  int fl = fcntl(fd_, F_GETFD);
  if (fl >= 0) fcntl(fd_, F_SETFD, fl | FD_CLOEXEC);
  map_ring();
  filter_ = parse_filter(packet_read_filter(fd_), opts_.snaplen);
  direction_ = filter_.direction;
  uint32_t id = 0, tf = 0;
  if (packet_fanout_of(fd_, &id, &tf)) {
    cluster_id_ = id;
    // The kernel tells LB from CBPF, not which hash: set_cluster() names it.
    cluster_type_ = (tf & 0xff) == PACKET_FANOUT_LB ? kClusterRoundRobin : kClusterPerFlow;
  }
}

void AfpacketRing::map_ring() {
  map_len_ = static_cast<size_t>(opts_.block_size) * opts_.block_count;
  map_ = map_rx_ring(fd_, map_len_, adopted_ ? "inherited descriptor " + std::to_string(fd_) : quoted(device_));
  next_block_ = 0;
  held_ = -1;
}

tpacket_block_desc* AfpacketRing::block(uint32_t i) const {
  return reinterpret_cast<tpacket_block_desc*>(map_ + static_cast<size_t>(i) * opts_.block_size);
}

void AfpacketRing::ensure_open(const char* what) const {
  if (closed_) {
    throw Error("PFW_RING_CLOSED", std::string("Cannot ") + what + ": the ring on " + quoted(device_) + " is closed");
  }
}

void AfpacketRing::apply_filter() {
  if (!write_only_) {
    packet_attach_filter(fd_, compose_filter(filter_));
    return;
  }
  FilterSettings off = filter_;
  off.enabled = false;
  packet_attach_filter(fd_, compose_filter(off));
}

void AfpacketRing::set_socket_mode(int mode) {
  ensure_open("set the socket mode");
  const bool write_only = mode == 1;
  if (write_only == write_only_) return;
  write_only_ = write_only;
  apply_filter();
  if (write_only_) discard_ready_blocks();
}

int AfpacketRing::next_ready_block() {
  auto status = [this](uint32_t i) { return __atomic_load_n(&block(i)->hdr.bh1.block_status, __ATOMIC_ACQUIRE); };
  if (status(next_block_) & TP_STATUS_USER) return static_cast<int>(next_block_);
  // Out of step (an inherited ring whose previous reader died, or blocks handed
  // back while disabled): the kernel numbers blocks as it retires them, so the
  // oldest retired one is the next in order.
  int best = -1;
  uint64_t best_seq = 0;
  for (uint32_t i = 0; i < opts_.block_count; i++) {
    if (!(status(i) & TP_STATUS_USER)) continue;
    uint64_t seq = block(i)->hdr.bh1.seq_num;
    if (best < 0 || seq < best_seq) {
      best = static_cast<int>(i);
      best_seq = seq;
    }
  }
  return best;
}

void AfpacketRing::discard_ready_blocks() {
  for (uint32_t i = 0; i < opts_.block_count; i++) {
    if (static_cast<int>(i) == held_) continue;
    uint32_t* st = &block(i)->hdr.bh1.block_status;
    if (__atomic_load_n(st, __ATOMIC_ACQUIRE) & TP_STATUS_USER) __atomic_store_n(st, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  }
}

void AfpacketRing::check_socket_error() {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) return;
  if (err == ENETDOWN) {
    // The kernel reports both "down" and "gone" as ENETDOWN; a device that is
    // only down resumes delivering when it comes back up.
    if (if_nametoindex(device_.c_str()) == static_cast<unsigned>(ifindex_)) return;
    throw Error("PFW_DEVICE_GONE",
                "Network device " + quoted(device_) + " went away; this ring will receive nothing more (close it)",
                err, "recv");
  }
  throw sys_error("PFW_SOCKET", "The capture socket on " + quoted(device_) + " failed", "recv", err);
}

FetchStatus AfpacketRing::fetch_into(uint32_t max, std::vector<RawPacket>& out) {
  ensure_open("read");
  if (max == 0) max = 1;
  if (held_ >= 0 && held_done_ >= held_total_) release();  // fetch implies release of a finished block
  for (;;) {
    if (held_ < 0) {
      int b = next_ready_block();
      if (b < 0) {
        check_socket_error();
        return FetchStatus::kNone;
      }
      if (!filter_.enabled) {
        discard_ready_blocks();
        return FetchStatus::kNone;
      }
      tpacket_block_desc* d = block(static_cast<uint32_t>(b));
      held_ = b;
      held_total_ = d->hdr.bh1.num_pkts;
      held_done_ = 0;
      held_off_ = d->hdr.bh1.offset_to_first_pkt;
      next_block_ = (static_cast<uint32_t>(b) + 1) % opts_.block_count;
    }
    uint8_t* base = reinterpret_cast<uint8_t*>(block(static_cast<uint32_t>(held_)));
    const uint32_t bsize = opts_.block_size;
    const size_t before = out.size();
    while (held_done_ < held_total_ && out.size() - before < max) {
      if (held_off_ + sizeof(tpacket3_hdr) > bsize) {  // never walk outside the block
        held_done_ = held_total_;
        break;
      }
      auto* h = reinterpret_cast<tpacket3_hdr*>(base + held_off_);
      // Frames follow each other in the block: start loading a few frames
      // ahead (the kernel wrote them from another CPU, so each header is a
      // cache miss on first touch, the walk's largest cost in profiles).
      if (held_off_ + kPrefetchAhead < bsize) __builtin_prefetch(base + held_off_ + kPrefetchAhead);
      const uint32_t this_off = held_off_;
      held_off_ += h->tp_next_offset;
      held_done_++;
      if (static_cast<uint64_t>(this_off) + h->tp_mac + h->tp_snaplen > bsize) continue;
      const uint64_t ts = static_cast<uint64_t>(h->tp_sec) * 1000000000ull + h->tp_nsec;
      if (ts < skip_before_ns_) continue;
      const auto* sll = reinterpret_cast<const sockaddr_ll*>(reinterpret_cast<uint8_t*>(h) +
                                                             TPACKET_ALIGN(sizeof(tpacket3_hdr)));
      const uint8_t dir = sll->sll_pkttype == PACKET_OUTGOING ? 1 : 0;
      // The socket filter enforces direction; this catches what was already in
      // the ring when the direction changed.
      if ((direction_ == kDirRx && dir == 1) || (direction_ == kDirTx && dir == 0)) continue;
      RawPacket p;
      p.data = reinterpret_cast<const uint8_t*>(h) + h->tp_mac;
      p.caplen = h->tp_snaplen;
      p.ts_ns = ts;
      p.ifindex = static_cast<uint32_t>(sll->sll_ifindex);
      p.vlan_tci = (h->tp_status & TP_STATUS_VLAN_VALID) ? static_cast<int>(h->hv1.tp_vlan_tci) : -1;
      // A tag the kernel stripped into metadata was on the wire: count its 4
      // bytes in len, as libpcap does, so byte counts match reading the same
      // frames from a file. The bytes themselves lack the tag (caplen stays
      // tp_snaplen); vlan_tci carries it and locate counts it as the outer tag.
      p.len = h->tp_len + (p.vlan_tci >= 0 ? kVlanTagLen : 0);
      p.direction = dir;
      out.push_back(p);
    }
    if (out.size() > before) return FetchStatus::kPackets;
    // Everything in this block was skipped: hand it back and look further.
    release();
  }
}

void AfpacketRing::release() {
  if (held_ < 0 || closed_) return;
  if (held_done_ < held_total_) return;  // partly delivered: the rest comes with the next fetch
  __atomic_store_n(&block(static_cast<uint32_t>(held_))->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  held_ = -1;
}

void AfpacketRing::enable() {
  ensure_open("enable");
  if (filter_.enabled) return;
  discard_ready_blocks();
  // The block the kernel was filling when the ring was disabled may still hold
  // packets accepted before; they are older than this instant.
  if (!opts_.hw_timestamp) skip_before_ns_ = now_realtime_ns();
  filter_.enabled = true;
  apply_filter();
}

void AfpacketRing::disable() {
  ensure_open("disable");
  if (!filter_.enabled) return;
  filter_.enabled = false;
  apply_filter();
  discard_ready_blocks();
}

void AfpacketRing::close() {
  if (closed_) return;
  if (fd_ >= 0) {
    try {
      stats();  // fold the last kernel counts into the totals that survive close
    } catch (...) {
    }
  }
  closed_ = true;
  if (map_) munmap(map_, map_len_);
  map_ = nullptr;
  held_ = -1;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

BackendStats AfpacketRing::stats() {
  if (!closed_ && fd_ >= 0) {
    tpacket_stats_v3 st{};
    socklen_t len = sizeof st;
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
      // tp_packets counts every packet the socket accepted, dropped ones too.
      received_ += st.tp_packets - st.tp_drops;
      dropped_ += st.tp_drops;
    }
  }
  return BackendStats{received_, dropped_};
}

bool AfpacketRing::attach_filter(const sock_fprog* prog) {
  ensure_open("set a BPF filter");
  if (!prog || prog->len == 0 || prog->len > BPF_MAXINSNS - 4) {
    throw Error("PFW_BPF", "The BPF program has " + std::to_string(prog ? prog->len : 0) +
                               " instructions; the kernel takes 1 to " + std::to_string(BPF_MAXINSNS - 4) +
                               " (4 are used for the direction)");
  }
  FilterSettings before = filter_;
  filter_.has_user = true;
  filter_.user.assign(prog->filter, prog->filter + prog->len);
  try {
    apply_filter();
  } catch (...) {
    filter_ = std::move(before);
    throw;
  }
  return true;
}

void AfpacketRing::detach_filter() {
  ensure_open("remove the BPF filter");
  filter_.has_user = false;
  filter_.user.clear();
  apply_filter();
}

void AfpacketRing::set_direction(int dir) {
  ensure_open("set the direction");
  if (dir != kDirRx && dir != kDirTx && dir != kDirBoth) {
    throw Error("PFW_INVALID_ARGUMENT", "direction must be 0 (rx), 1 (tx) or 2 (both), got " + std::to_string(dir));
  }
  filter_.direction = dir;
  apply_filter();
  direction_ = dir;
  // Outside a fanout group the kernel can skip copying outgoing packets at all
  // (Linux 4.20+; older kernels: ENOPROTOOPT, the filter still does it).
  int ignore = dir == kDirRx ? 1 : 0;
  setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore, sizeof ignore);
}

void AfpacketRing::set_cluster(uint32_t id, int type) {
  ensure_open("join a cluster");
  if (type < kClusterPerFlow || type > kClusterPerFlowTcp5Tuple || id > 0xFFFF) {
    throw Error("PFW_INVALID_ARGUMENT", "cluster id must be 0..65535 and type 0..5, got id " + std::to_string(id) +
                                            " type " + std::to_string(type));
  }
  if (adopted_ && in_cluster()) {
    const bool want_lb = type == kClusterRoundRobin;
    const bool is_lb = cluster_type_ == kClusterRoundRobin;
    if (id != cluster_id_ || want_lb != is_lb) {
      throw Error("PFW_CLUSTER_MISMATCH",
                  "The inherited socket on " + quoted(device_) + " is a member of cluster " +
                      std::to_string(cluster_id_) + " (" + (is_lb ? "round-robin" : "a hashed type") +
                      ") created by its supervisor; it cannot join cluster " + std::to_string(id) + " (" +
                      cluster_type_label(type) + ")");
    }
    cluster_type_ = type;  // the supervisor's group: this ring already has its slot
    return;
  }
  if (in_cluster()) {
    if (id == cluster_id_ && type == cluster_type_) return;
    remove_from_cluster();
  }
  packet_join_fanout(fd_, id, type, device_);
  cluster_id_ = id;
  cluster_type_ = type;
}

void AfpacketRing::remove_from_cluster() {
  ensure_open("leave the cluster");
  if (!in_cluster()) return;
  if (adopted_) {
    throw Error("PFW_NOT_SUPPORTED",
                "The inherited socket on " + quoted(device_) + " holds a slot of cluster " + std::to_string(cluster_id_) +
                    " for its supervisor; it cannot leave the cluster (open a ring of its own instead)");
  }
  if (held_ >= 0) {
    throw Error("PFW_BATCH_HELD", "Release the current batch before leaving the cluster on " + quoted(device_));
  }
  // A fresh socket with the same settings takes the old one's descriptor number.
  const int old_fd = fd_;
  uint8_t* old_map = map_;
  const size_t old_len = map_len_;
  const FilterSettings saved = filter_;
  stats();
  fd_ = -1;
  map_ = nullptr;
  try {
    open_new();  // leaves the new socket disabled
    filter_ = saved;
    apply_filter();
    if (direction_ == kDirRx) {
      int ignore = 1;
      setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore, sizeof ignore);
    }
  } catch (...) {
    if (fd_ >= 0) {
      munmap(map_, map_len_);
      ::close(fd_);
    }
    fd_ = old_fd;
    map_ = old_map;
    map_len_ = old_len;
    filter_ = saved;
    throw;
  }
  munmap(old_map, old_len);
  if (dup2(fd_, old_fd) < 0) {
    int err = errno;
    ::close(old_fd);
    throw sys_error("PFW_SOCKET", "Could not replace the socket on " + quoted(device_), "dup2", err);
  }
  ::close(fd_);
  fd_ = old_fd;
  cluster_type_ = -1;
  cluster_id_ = 0;
}

int AfpacketRing::send(const uint8_t* data, uint32_t len) {
  ensure_open("send");
  ssize_t n = ::send(fd_, data, len, 0);
  if (n >= 0) return static_cast<int>(n);
  int err = errno;
  if (err == ENOBUFS || err == EAGAIN) {
    throw sys_error("PFW_TX_BUSY",
                    "The frame was not sent on " + quoted(device_) +
                        ": the device (or its peer's receive backlog) is full; retry shortly",
                    "send", err);
  }
  if (err == EMSGSIZE) {
    throw sys_error("PFW_FRAME_TOO_LONG",
                    "A frame of " + std::to_string(len) + " bytes is longer than " + quoted(device_) +
                        "'s MTU allows",
                    "send", err);
  }
  if (err == ENETDOWN || err == ENXIO) {
    throw sys_error("PFW_DEVICE_DOWN", "Cannot send on " + quoted(device_) + ": the device is down or gone", "send",
                    err);
  }
  throw sys_error("PFW_SEND", "Could not send a frame of " + std::to_string(len) + " bytes on " + quoted(device_),
                  "send", err);
}

}  // namespace pfw
