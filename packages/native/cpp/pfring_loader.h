// pfring_loader: finds and loads libpfring with dlopen, resolves the symbols
// declared in pfring_abi.h, and reads /proc/net/pf_ring/info.
//
// Loading is explicit: nothing is loaded until a pfring ring is opened or
// pfringProbe() is called. The library path comes from the standard names and
// directories below, or, when set, only from PFWORK_PFRING_LIBRARY (documented
// in docs/pfring.md; the tests point it at their stand-in library).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "pfring_abi.h"

namespace pfw {

constexpr const char* kPfringInfoPath = "/proc/net/pf_ring/info";
constexpr const char* kPfringLibraryEnv = "PFWORK_PFRING_LIBRARY";

// The resolved library. Required symbols are never null; optional ones are
// null when the library predates them.
struct PfringLib {
  std::string path;      // the path that loaded
  uint32_t version = 0;  // pfring_version_noring(), 0 if the library lacks it
  pfring_abi::OpenFn open;
  pfring_abi::CloseFn close;
  pfring_abi::EnableRingFn enable_ring;
  pfring_abi::DisableRingFn disable_ring;
  pfring_abi::RecvFn recv;
  pfring_abi::StatsFn stats;
  pfring_abi::SendFn send;
  pfring_abi::GetSelectableFdFn get_selectable_fd;
  pfring_abi::SetPollWatermarkFn set_poll_watermark;
  pfring_abi::SetClusterFn set_cluster;
  pfring_abi::RemoveFromClusterFn remove_from_cluster;
  pfring_abi::SetBpfFilterFn set_bpf_filter;
  pfring_abi::RemoveBpfFilterFn remove_bpf_filter;
  pfring_abi::SetDirectionFn set_direction;
  pfring_abi::SetSocketModeFn set_socket_mode;
  pfring_abi::SetSamplingRateFn set_sampling_rate;
  pfring_abi::SetApplicationNameFn set_application_name;
  // optional
  pfring_abi::SetClusterConsumerFn set_cluster_consumer = nullptr;  // PF_RING >= 8.7
  pfring_abi::GetLinkTypeFn get_link_type = nullptr;                // PF_RING >= 8.1
  pfring_abi::VersionNoringFn version_noring = nullptr;
};

// Every path load_pfring() tries, in order, given the environment override
// (null or empty = the standard list).
std::vector<std::string> pfring_candidate_paths(const char* env_override);

// Loads libpfring (once per path; handles are never closed, libpfring keeps
// global state). `explicit_path` non-empty = only that path (pfringProbe's
// `library` option); otherwise PFWORK_PFRING_LIBRARY, otherwise the standard
// list. libpcap is loaded first with RTLD_GLOBAL: libpfring compiles BPF with
// libpcap's functions and is not always linked against it.
// Throws pfw::Error PFW_PFRING_ABSENT (every path tried, with the reason, and
// how to install PF_RING) or PFW_PFRING_VERSION (the missing symbol and the
// version found).
const PfringLib& load_pfring(const std::string& explicit_path = "");

// What /proc/net/pf_ring/info says; present = false when it does not exist
// (module not loaded, or PF_RING not installed).
struct PfringInfo {
  bool present = false;
  std::string path;
  std::string version;  // "8.9.0", '' if the file has no version line
};
PfringInfo read_pfring_info(const std::string& path = kPfringInfoPath);

// "PF_RING Version          : 8.9.0 (8.9.0-stable:...)" -> "8.9.0"; '' if absent.
std::string parse_pfring_info_version(const std::string& text);

// backend 'auto' for live capture: pfring when /proc/net/pf_ring/info exists
// and libpfring loads, else afpacket; `reason` says which and why, for the log.
struct LiveBackendChoice {
  bool pfring = false;
  std::string reason;
};
LiveBackendChoice choose_live_backend(const std::string& info_path = kPfringInfoPath,
                                      const std::string& library = "");

// 0x080900 -> "8.9.0"
std::string format_pfring_version(uint32_t v);

}  // namespace pfw
