// Backend: what every capture source (AF_PACKET ring, PF_RING, capture file)
// implements. The JS-facing Ring (ring_wrap.cc) owns one Backend and adds what
// is common to all of them: BPF on files, sampling, locate, cluster filtering
// for files, the batch descriptor table and the flow table.
//
// Backends hold no Node types and never call into JS.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <linux/filter.h>

namespace pfw {

// One captured frame as the backend sees it. `data` stays valid until the
// backend's release() (ring memory) or the next fetch() (copying backends).
struct RawPacket {
  const uint8_t* data;
  uint32_t caplen;
  uint32_t len;           // length on the wire
  uint64_t ts_ns;         // nanoseconds since the epoch
  uint32_t ifindex;       // 0 when unknown (files)
  int vlan_tci;           // tag stripped into metadata, -1 if none
  uint8_t direction;      // 0 = rx (to us), 1 = tx (outgoing); see Direction in constants.ts
};

struct BackendStats {
  uint64_t received;  // running totals since open (kernel counters reset on read)
  uint64_t dropped;
};

enum class FetchStatus {
  kPackets,   // one or more packets were delivered
  kNone,      // nothing now (live): wait on fd() and try again
  kEnd,       // end of input (files); nothing more will come
};

// Capture options, fully resolved and validated in TypeScript
// (packages/native/src/options.ts); C++ only asserts invariants.
struct OpenOptions {
  std::string device;        // interface name (live) or path (file)
  uint32_t snaplen = 65535;
  bool promiscuous = false;
  bool hw_timestamp = false;
  // AF_PACKET ring geometry (tpacket_req3)
  uint32_t block_size = 1 << 22;    // tp_block_size
  uint32_t block_count = 64;        // tp_block_nr
  uint32_t frame_size = 2048;       // tp_frame_size (only a hint for V3)
  uint32_t retire_timeout_ms = 10;  // tp_retire_blk_tov
  int fd = -1;                      // inherited, already configured AF_PACKET socket (supervisor-owned)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;          // "afpacket" | "pfring" | "pcap"
  virtual int link_type() const = 0;             // DLT of the frames delivered
  virtual int fd() const = 0;                    // pollable descriptor, -1 if none (files)
  // Delivers up to `max` packets to `sink` (called once per packet, in order).
  // For ring backends a fetch covers at most one ring block; the block stays
  // the caller's until release().
  template <typename F> FetchStatus fetch(uint32_t max, F&& sink);
  virtual FetchStatus fetch_into(uint32_t max, std::vector<RawPacket>& out) = 0;
  virtual void release() = 0;                    // hand back what the last fetch used
  virtual void enable() = 0;
  virtual void disable() = 0;
  virtual void close() = 0;                      // idempotent
  virtual BackendStats stats() = 0;
  // Kernel-side filter; files return false (the Ring then filters in software).
  virtual bool attach_filter(const sock_fprog* prog) = 0;
  virtual void detach_filter() = 0;
  // 0 rx, 1 tx, 2 both; files ignore it (no direction in a file).
  virtual void set_direction(int dir) = 0;
  // Cluster membership; files: (index, count) filtering is done by the Ring.
  virtual void set_cluster(uint32_t id, int type) = 0;
  virtual void remove_from_cluster() = 0;
  virtual void set_application_name(const std::string& name) = 0;
  // Injects one frame; returns bytes sent. Files throw PFW_NOT_SUPPORTED.
  virtual int send(const uint8_t* data, uint32_t len) = 0;
};

template <typename F> FetchStatus Backend::fetch(uint32_t max, F&& sink) {
  thread_local std::vector<RawPacket> buf;
  buf.clear();
  FetchStatus s = fetch_into(max, buf);
  for (const RawPacket& p : buf) sink(p);
  return s;
}

}  // namespace pfw
