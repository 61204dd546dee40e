// pfring_abi.h: the part of libpfring's ABI pfwork uses, declared by us.
//
// libpfring is loaded with dlopen at run time (pfring_loader.cc), so the addon
// builds and runs where PF_RING is not installed; nothing here includes
// PF_RING's headers. Every value below is PF_RING's documented one, from
// userland/lib/pfring.h and kernel/linux/pf_ring.h of ntop/PF_RING (checked
// against 8.9.0, RING_VERSION_NUM 0x080900, and against the 6.x layout of
// pfring_pkthdr, whose prefix is the same). The static_asserts at the end pin
// the layout; test/pfring-abi.test.ts reads the same numbers back from the
// addon (pfringAbi()) so a change here cannot go unnoticed.
//
// Only the stable prefix of struct pfring_pkthdr is declared: what follows
// pkt_hash (tx bounce info, the parsed packet, tunnel info) has changed
// between releases. pfring_recv() writes the whole header into the struct we
// pass, so ours reserves far more room than any release has used (209 bytes
// on 8.9).
#pragma once
#include <cstddef>
#include <cstdint>
#include <sys/time.h>

namespace pfw::pfring_abi {

// The library's handle: opaque to us (struct __pfring changes every release).
struct pfring;

// ---- pfring_open() flags (pfring.h, PF_RING_* bit values) -------------------
constexpr uint32_t kFlagZcSymmetricRss = 1u << 0;   // PF_RING_ZC_SYMMETRIC_RSS (unused by pfwork)
constexpr uint32_t kFlagReentrant = 1u << 1;        // PF_RING_REENTRANT: locks around recv/send
constexpr uint32_t kFlagLongHeader = 1u << 2;       // PF_RING_LONG_HEADER: fill extended_hdr
constexpr uint32_t kFlagPromisc = 1u << 3;          // PF_RING_PROMISC
constexpr uint32_t kFlagTimestamp = 1u << 4;        // PF_RING_TIMESTAMP: always set a timestamp
constexpr uint32_t kFlagHwTimestamp = 1u << 5;      // PF_RING_HW_TIMESTAMP: NIC timestamps where available
constexpr uint32_t kFlagDoNotParse = 1u << 9;       // PF_RING_DO_NOT_PARSE (unused: we locate ourselves)

// ---- enums (pf_ring.h) ------------------------------------------------------
// cluster_type: the seed six have the same numbers as pfwork's cluster types.
enum ClusterType : int {
  kClusterPerFlow = 0,          // cluster_per_flow (6-tuple incl. vlan)
  kClusterRoundRobin = 1,       // cluster_round_robin
  kClusterPerFlow2Tuple = 2,    // cluster_per_flow_2_tuple
  kClusterPerFlow4Tuple = 3,    // cluster_per_flow_4_tuple
  kClusterPerFlow5Tuple = 4,    // cluster_per_flow_5_tuple
  kClusterPerFlowTcp5Tuple = 5, // cluster_per_flow_tcp_5_tuple
};

// packet_direction: note the order differs from pfwork's 0 rx / 1 tx / 2 both.
enum PacketDirection : int {
  kRxAndTxDirection = 0,  // rx_and_tx_direction
  kRxOnlyDirection = 1,   // rx_only_direction
  kTxOnlyDirection = 2,   // tx_only_direction
};

// socket_mode
enum SocketMode : int {
  kSendAndRecvMode = 0,  // send_and_recv_mode
  kSendOnlyMode = 1,     // send_only_mode
  kRecvOnlyMode = 2,     // recv_only_mode
};

// pfring_set_cluster_consumer(): a queue id >= MAX_CLUSTER_QUEUES asks for the
// first free queue (what pfring_set_cluster() does).
constexpr uint16_t kMaxClusterQueues = 64;  // MAX_CLUSTER_QUEUES
constexpr uint32_t kClusterOptionRelaxedDistribution = 1u << 0;  // CLUSTER_OPTION_RELAXED_DISTRIBUTION

// Negative return values of the pfring_* calls (PF_RING_ERROR_*). A plain -1
// usually comes from a failed setsockopt() with errno set.
constexpr int kErrGeneric = -1;
constexpr int kErrInvalidArgument = -2;
constexpr int kErrNoPktAvailable = -3;
constexpr int kErrNoTxSlotAvailable = -4;
constexpr int kErrWrongConfiguration = -5;
constexpr int kErrEndOfDemoMode = -6;
constexpr int kErrNotSupported = -7;
constexpr int kErrInvalidLibVersion = -8;
constexpr int kErrUnknownAdapter = -9;
constexpr int kErrNotEnoughMemory = -10;
constexpr int kErrInvalidStatus = -11;
constexpr int kErrRingNotEnabled = -12;

// extended_hdr.flags bits we read.
constexpr uint32_t kPktFlagVlanHwaccel = 1u << 4;  // PKT_FLAGS_VLAN_HWACCEL

// ---- structures -------------------------------------------------------------
// pfring_stat (pfring.h): recv and drop are running totals kept by the kernel
// (tot_read, tot_lost); shunt exists since 6.x. Older libraries write only the
// first two fields, so the struct is zeroed before each call.
struct Stat {
  uint64_t recv;
  uint64_t drop;
  uint64_t shunt;
};

// The stable prefix of struct pfring_pkthdr (pf_ring.h), which is packed on
// current releases; with PF_RING_LONG_HEADER the extended header is filled.
#pragma pack(push, 1)
struct PktHdr {
  struct timeval ts;         // 0: pcap-style timestamp (usec)
  uint32_t caplen;           // 16
  uint32_t len;              // 20: length on the wire
  // extended_hdr (struct pfring_extended_pkthdr)
  uint64_t timestamp_ns;     // 24: ns timestamp; the NIC's with hw timestamps
  uint32_t flags;            // 32: PKT_FLAGS_*
  uint8_t rx_direction;      // 36: 1 = received by the NIC, 0 = transmitted
  uint8_t port_id;           // 37: 8.x (padding on 6.x)
  uint16_t device_id;        // 38: 8.x (padding on 6.x)
  int32_t if_index;          // 40: interface the packet was seen on
  uint32_t pkt_hash;         // 44: PF_RING's own header hash
  uint8_t reserved[512 - 48];  // the unstable rest (209 - 48 bytes on 8.9)
};
#pragma pack(pop)

// The library's own sizeof(struct pfring_pkthdr) on 8.9.0, for the assert below.
constexpr size_t kPktHdrSizeV8_9 = 209;

static_assert(sizeof(struct timeval) == 16, "pfring_pkthdr layout assumes a 64-bit timeval (LP64 Linux)");
static_assert(offsetof(PktHdr, caplen) == 16, "pfring_pkthdr.caplen");
static_assert(offsetof(PktHdr, len) == 20, "pfring_pkthdr.len");
static_assert(offsetof(PktHdr, timestamp_ns) == 24, "pfring_pkthdr.extended_hdr.timestamp_ns");
static_assert(offsetof(PktHdr, flags) == 32, "pfring_pkthdr.extended_hdr.flags");
static_assert(offsetof(PktHdr, rx_direction) == 36, "pfring_pkthdr.extended_hdr.rx_direction");
static_assert(offsetof(PktHdr, if_index) == 40, "pfring_pkthdr.extended_hdr.if_index");
static_assert(offsetof(PktHdr, pkt_hash) == 44, "pfring_pkthdr.extended_hdr.pkt_hash");
static_assert(sizeof(PktHdr) >= 2 * kPktHdrSizeV8_9, "room for the library's whole header, with margin");
static_assert(sizeof(Stat) == 24 && offsetof(Stat, drop) == 8 && offsetof(Stat, shunt) == 16, "pfring_stat");

// ---- prototypes (as function pointer types for dlsym) -----------------------
using OpenFn = pfring* (*)(const char* device_name, uint32_t caplen, uint32_t flags);
using CloseFn = void (*)(pfring*);
using EnableRingFn = int (*)(pfring*);
using DisableRingFn = int (*)(pfring*);
// buffer_len 0 = zero copy: *buffer points into the ring slot.
using RecvFn = int (*)(pfring*, unsigned char** buffer, unsigned buffer_len, PktHdr* hdr,
                       uint8_t wait_for_incoming_packet);
using StatsFn = int (*)(pfring*, Stat*);
using SendFn = int (*)(pfring*, char* pkt, unsigned pkt_len, uint8_t flush_packet);
using GetSelectableFdFn = int (*)(pfring*);
using SetPollWatermarkFn = int (*)(pfring*, uint16_t watermark);
using SetPollWatermarkTimeoutFn = int (*)(pfring*, uint16_t timeout_ms);
using SetClusterFn = int (*)(pfring*, unsigned cluster_id, int cluster_type);
using SetClusterConsumerFn = int (*)(pfring*, uint16_t cluster_id, uint16_t queue_id, int cluster_type,
                                     uint32_t options);
using RemoveFromClusterFn = int (*)(pfring*);
using SetBpfFilterFn = int (*)(pfring*, const char* filter);
using RemoveBpfFilterFn = int (*)(pfring*);
using SetDirectionFn = int (*)(pfring*, int direction);
using SetSocketModeFn = int (*)(pfring*, int mode);
using SetSamplingRateFn = int (*)(pfring*, uint32_t rate);
using SetApplicationNameFn = int (*)(pfring*, char* name);
using VersionNoringFn = void (*)(uint32_t* version);
using GetLinkTypeFn = int (*)(pfring*);

// Version numbers are 0xMMmmpp (8.9.0 = 0x080900).
inline uint32_t version_major(uint32_t v) { return (v >> 16) & 0xFF; }
inline uint32_t version_minor(uint32_t v) { return (v >> 8) & 0xFF; }
inline uint32_t version_patch(uint32_t v) { return v & 0xFF; }

}  // namespace pfw::pfring_abi
