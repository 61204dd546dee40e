// Backend: what every capture source (AF_PACKET ring, PF_RING, capture file)
// implements. The JS-facing Ring (ring_wrap.cc) owns one Backend and adds what
// is common to all of them: BPF on files, sampling, locate, cluster filtering
// for files, the batch descriptor table and the flow table.
//
// Backends hold no Node types and never call into JS.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <linux/filter.h>

namespace pfw {

// One captured frame as the backend sees it. `data` stays valid until the
// backend's release() (ring memory) or the next fetch() (copying backends).
//
// A clock entry has data == nullptr (and caplen 0): no packet, only the time
// `ts_ns` that packets this reader did not get brought (a file read through a
// cluster index, cluster_index.h). The Ring hands it to the flow table only.
//
// All packets of ONE fetch must lie in one contiguous, mapped region (a ring
// block, the ring's mapping, or a backend-owned buffer): the Ring exposes the
// span [lowest data, highest data + caplen) to JS as one external ArrayBuffer
// and detaches it before release(), before the next fetch and before close().
struct RawPacket {
  const uint8_t* data;
  uint32_t caplen;
  uint32_t len;           // length on the wire
  uint64_t ts_ns;         // nanoseconds since the epoch
  uint32_t ifindex;       // 0 when unknown (files)
  int vlan_tci;           // tag stripped into metadata, -1 if none
  uint8_t direction;      // 0 = rx (to us), 1 = tx (outgoing), 2 = unknown (files without direction)
  // Set by a backend that delivers only the ring's own cluster slot (a file
  // read through its cluster index): unless the packet is an IP fragment
  // (every slot gets those, to resolve them as the writer did), its slot is
  // already decided and the Ring need not hash it to choose.
  bool in_slot = false;
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
  // pfring: pfring_set_cluster_consumer's queue id (the worker's index, from
  // clusterSlot), so a restarted worker takes back its queue; -1 = first free.
  int cluster_queue = -1;
};

// Per-packet direction values (RawPacket::direction, the batch `direction` column).
constexpr uint8_t kPacketRx = 0;
constexpr uint8_t kPacketTx = 1;
constexpr uint8_t kPacketDirUnknown = 2;

// Backend::set_direction takes 0 rx, 1 tx, 2 both; set_socket_mode 0 read,
// 1 write, 2 both. NOTE: the JS constants are PF_RING's (Direction: both 0,
// rx 1, tx 2; SocketMode: both 0, write 1, read 2); ring_wrap.cc translates,
// backends only ever see the values above.

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;          // "afpacket" | "pfring" | "pcap"
  virtual int link_type() const = 0;             // DLT of the frames delivered
  virtual int fd() const = 0;                    // pollable descriptor, -1 if none (files)
  // Delivers up to `max` packets to `sink` (called once per packet, in order).
  // For ring backends a fetch covers at most one ring block; the block stays
  // the caller's until release(). A fetch may deliver part of a block (max);
  // release() then keeps the block and the next fetch continues in it.
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
  // 0 rx, 1 tx, 2 both. Files: only Linux cooked captures record a direction
  // (the Ring filters on RawPacket::direction); others throw PFW_NOT_SUPPORTED.
  virtual void set_direction(int dir) = 0;
  // Cluster membership; files: (index, count) filtering is done by the Ring.
  virtual void set_cluster(uint32_t id, int type) = 0;
  virtual void remove_from_cluster() = 0;
  virtual void set_application_name(const std::string& name) = 0;
  // Injects one frame; returns bytes sent. Files throw PFW_NOT_SUPPORTED.
  virtual int send(const uint8_t* data, uint32_t len) = 0;

  // --- Optional: defaults keep a backend that does not care small. ---
  // 0 read, 1 write, 2 both. The Ring enforces the mode itself (no
  // reads on a write ring, no send on a read ring); a backend may also stop
  // receiving in write mode. Throws pfw::Error if the mode is impossible.
  virtual void set_socket_mode(int mode) {}
  // Kernel-side sampling (PF_RING: pfring_set_sampling_rate). false = not
  // supported here: the Ring then keeps 1 of every n itself.
  virtual bool set_sampling_rate(uint32_t n) { return false; }
  // When >= 0, the Ring also retries a fetch after this many ms while it waits
  // on fd() (PF_RING's poll watermark can hold packets back); -1 = fd() only.
  virtual int poll_interval_ms() const { return -1; }
  // Kernel-side filter from the expression itself (PF_RING:
  // pfring_set_bpf_filter), tried before attach_filter(); false = not here.
  virtual bool set_bpf_expression(const std::string& expr) { return false; }
};

// Builds the backend `kind` ("afpacket" | "pfring" | "pcap"; "auto" is
// resolved in TypeScript). backend_factory.cc; throws pfw::Error.
std::unique_ptr<Backend> make_backend(const std::string& kind, const OpenOptions& opts);

template <typename F> FetchStatus Backend::fetch(uint32_t max, F&& sink) {
  thread_local std::vector<RawPacket> buf;
  buf.clear();
  FetchStatus s = fetch_into(max, buf);
  for (const RawPacket& p : buf) sink(p);
  return s;
}

}  // namespace pfw
