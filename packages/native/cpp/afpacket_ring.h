// The AF_PACKET backend: a TPACKET_V3 RX ring mapped into the process.
//
// Life of a block: the kernel fills block k with packets and retires it (full,
// or tp_retire_blk_tov ms after its first packet); block_status becomes
// TP_STATUS_USER and the descriptor becomes readable. fetch_into() delivers
// the packets of one retired block (at most `max` of them; the rest on the
// next fetch); release() hands a fully delivered block back
// (block_status = TP_STATUS_KERNEL). The caller (ring_wrap.cc) detaches its
// JS views over the block BEFORE release() and before close(), which munmaps.
//
// What the socket filter does (enabled, direction, snaplen, the user's BPF)
// is composed in afpacket_filter.h; the system calls are in afpacket_socket.h.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "afpacket_filter.h"
#include "backend.h"

struct tpacket_block_desc;

namespace pfw {

// A new ring on opts.device, or (opts.fd >= 0) a ring over an inherited,
// already configured socket (createFanoutGroup): its ring is mapped with the
// geometry in opts, which must be the geometry it was created with.
// Throws pfw::Error (PFW_NO_CAP_NET_RAW, PFW_NO_SUCH_DEVICE, PFW_RING_SETUP,
// PFW_BAD_FD, ...).
std::unique_ptr<Backend> make_afpacket_backend(const OpenOptions& opts);

class AfpacketRing final : public Backend {
 public:
  explicit AfpacketRing(const OpenOptions& opts);
  ~AfpacketRing() override;

  const char* name() const override { return "afpacket"; }
  int link_type() const override { return 1; }  // Ethernet: SOCK_RAW hands over the link-layer header
  int fd() const override { return fd_; }
  FetchStatus fetch_into(uint32_t max, std::vector<RawPacket>& out) override;
  void release() override;
  // A new ring is disabled: the kernel accepts nothing until enable().
  // disable() installs a reject-all filter and hands back every unread block;
  // enable() restores the filter and skips packets the kernel took before it.
  void enable() override;
  void disable() override;
  void close() override;
  BackendStats stats() override;
  bool attach_filter(const sock_fprog* prog) override;
  void detach_filter() override;
  void set_direction(int dir) override;
  // set_cluster joins PACKET_FANOUT (see afpacket_socket.h). The kernel has no
  // way to leave a fanout group: remove_from_cluster() replaces the socket by a
  // new one with the same settings, keeping the descriptor number (dup2), and
  // discards what the old ring held. The caller must stop polling fd() before
  // and poll it again after. Refused on an inherited socket (its slot belongs
  // to the supervisor's group) and while a block is held.
  void set_cluster(uint32_t id, int type) override;
  void remove_from_cluster() override;
  void set_application_name(const std::string& name) override { app_name_ = name; }
  // 'write' (1): the socket filter rejects everything, so a ring that only
  // sends takes no ring space and no copies; 'read'/'both' restore it.
  void set_socket_mode(int mode) override;
  int send(const uint8_t* data, uint32_t len) override;

  bool adopted() const { return adopted_; }
  bool in_cluster() const { return cluster_type_ >= 0; }
  uint32_t cluster_id() const { return cluster_id_; }
  int cluster_type() const { return cluster_type_; }

 private:
  void open_new();
  void adopt();
  void map_ring();
  void apply_filter();
  void discard_ready_blocks();
  tpacket_block_desc* block(uint32_t i) const;
  int next_ready_block();
  void check_socket_error();
  void ensure_open(const char* what) const;

  OpenOptions opts_;
  std::string device_;
  int fd_ = -1;
  int ifindex_ = 0;
  bool adopted_ = false;
  bool closed_ = false;
  uint8_t* map_ = nullptr;
  size_t map_len_ = 0;
  FilterSettings filter_;
  int direction_ = 2;
  bool write_only_ = false;
  std::string app_name_;
  uint32_t cluster_id_ = 0;
  int cluster_type_ = -1;

  uint32_t next_block_ = 0;   // where the kernel retires next, in order
  int held_ = -1;             // block being delivered, -1 if none
  uint32_t held_total_ = 0;   // packets in it
  uint32_t held_done_ = 0;    // packets delivered from it
  uint32_t held_off_ = 0;     // offset of the next undelivered packet
  uint64_t skip_before_ns_ = 0;  // after enable(): packets the kernel took earlier are skipped

  uint64_t received_ = 0;  // running totals (PACKET_STATISTICS resets on read)
  uint64_t dropped_ = 0;
};

}  // namespace pfw
