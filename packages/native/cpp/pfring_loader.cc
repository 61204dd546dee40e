#include "pfring_loader.h"

#include <dlfcn.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include "errors.h"

namespace pfw {

namespace {

// libpcap first, RTLD_GLOBAL: libpfring's BPF support calls pcap_compile & co.
// and some builds of libpfring.so do not list libpcap as a dependency. The
// addon links libpcap already; dlopen of a loaded library only promotes it to
// the global scope.
void load_libpcap_global() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const char* name : {"libpcap.so.1", "libpcap.so.0.8", "libpcap.so"}) {
      if (dlopen(name, RTLD_NOW | RTLD_GLOBAL)) return;
    }
    // Not fatal here: a libpfring that needs libpcap then fails to load with
    // "undefined symbol: pcap_...", which load_pfring() reports as is.
  });
}

std::string strip_path_prefix(const std::string& path, const char* err) {
  std::string e = err ? err : "unknown dlopen error";
  std::string prefix = path + ": ";
  if (e.compare(0, prefix.size(), prefix) == 0) e.erase(0, prefix.size());
  return e;
}

struct Symbol {
  const char* name;
  void** slot;
  bool required;
};

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// Returns the missing required symbols (empty = complete).
std::vector<std::string> resolve(void* handle, PfringLib& lib) {
  const Symbol table[] = {
      {"pfring_open", reinterpret_cast<void**>(&lib.open), true},
      {"pfring_close", reinterpret_cast<void**>(&lib.close), true},
      {"pfring_enable_ring", reinterpret_cast<void**>(&lib.enable_ring), true},
      {"pfring_disable_ring", reinterpret_cast<void**>(&lib.disable_ring), true},
      {"pfring_recv", reinterpret_cast<void**>(&lib.recv), true},
      {"pfring_stats", reinterpret_cast<void**>(&lib.stats), true},
      {"pfring_send", reinterpret_cast<void**>(&lib.send), true},
      {"pfring_get_selectable_fd", reinterpret_cast<void**>(&lib.get_selectable_fd), true},
      {"pfring_set_poll_watermark", reinterpret_cast<void**>(&lib.set_poll_watermark), true},
      {"pfring_set_cluster", reinterpret_cast<void**>(&lib.set_cluster), true},
      {"pfring_remove_from_cluster", reinterpret_cast<void**>(&lib.remove_from_cluster), true},
      {"pfring_set_bpf_filter", reinterpret_cast<void**>(&lib.set_bpf_filter), true},
      {"pfring_remove_bpf_filter", reinterpret_cast<void**>(&lib.remove_bpf_filter), true},
      {"pfring_set_direction", reinterpret_cast<void**>(&lib.set_direction), true},
      {"pfring_set_socket_mode", reinterpret_cast<void**>(&lib.set_socket_mode), true},
      {"pfring_set_sampling_rate", reinterpret_cast<void**>(&lib.set_sampling_rate), true},
      {"pfring_set_application_name", reinterpret_cast<void**>(&lib.set_application_name), true},
      {"pfring_set_cluster_consumer", reinterpret_cast<void**>(&lib.set_cluster_consumer), false},
      {"pfring_get_link_type", reinterpret_cast<void**>(&lib.get_link_type), false},
      {"pfring_version_noring", reinterpret_cast<void**>(&lib.version_noring), false},
  };
  std::vector<std::string> missing;
  for (const Symbol& s : table) {
    *s.slot = dlsym(handle, s.name);
    if (!*s.slot && s.required) missing.push_back(s.name);
  }
  return missing;
}

Error absent_error(const std::vector<std::string>& tried, const std::vector<std::string>& reasons,
                   bool from_env) {
  std::ostringstream m;
  m << "PF_RING's library (libpfring) could not be loaded. Paths tried";
  if (from_env) m << " (from " << kPfringLibraryEnv << ")";
  m << ":\n";
  for (size_t i = 0; i < tried.size(); ++i) m << "  " << tried[i] << ": " << reasons[i] << "\n";
  m << "Possible solutions:\n"
    << "- Install PF_RING (library and kernel module): https://www.ntop.org/guides/pf_ring/get_started/ "
       "(Debian/Ubuntu: add the packages.ntop.org repository, then apt-get install pfring pfring-dkms; "
       "or build github.com/ntop/PF_RING: kernel/ then userland/lib/ with ./configure && make && make install)\n"
    << "- If libpfring is installed elsewhere, set " << kPfringLibraryEnv << " to its path\n"
    << "- Use backend 'afpacket' (what 'auto' picks when PF_RING is absent)";
  return Error("PFW_PFRING_ABSENT", m.str());
}

}  // namespace

std::string format_pfring_version(uint32_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%u.%u", pfring_abi::version_major(v), pfring_abi::version_minor(v),
                pfring_abi::version_patch(v));
  return buf;
}

std::vector<std::string> pfring_candidate_paths(const char* env_override) {
  if (env_override && *env_override) return {env_override};
  // Bare names go through the dynamic loader's search (LD_LIBRARY_PATH,
  // ld.so.cache, /lib, /usr/lib); the absolute paths catch `make install`
  // into /usr/local without ldconfig, and ntop's packages.
  return {
      "libpfring.so",
      "libpfring.so.9",
      "libpfring.so.8",
      "libpfring.so.7",
      "libpfring.so.6",
      "/usr/local/lib/libpfring.so",
      "/usr/local/lib64/libpfring.so",
      "/usr/lib/libpfring.so",
      "/usr/lib64/libpfring.so",
      "/opt/pfring/lib/libpfring.so",
  };
}

const PfringLib& load_pfring(const std::string& explicit_path) {
  static std::mutex mu;
  static std::map<std::string, PfringLib> loaded;  // by candidate path; never unloaded
  std::lock_guard<std::mutex> lock(mu);

  const char* env = std::getenv(kPfringLibraryEnv);
  bool from_env = explicit_path.empty() && env && *env;
  std::vector<std::string> candidates =
      explicit_path.empty() ? pfring_candidate_paths(env) : std::vector<std::string>{explicit_path};

  for (const std::string& c : candidates) {
    auto it = loaded.find(c);
    if (it != loaded.end()) return it->second;
  }

  load_libpcap_global();
  std::vector<std::string> reasons;
  for (const std::string& c : candidates) {
    dlerror();
    void* handle = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      reasons.push_back(strip_path_prefix(c, dlerror()));
      continue;
    }
    PfringLib lib;
    lib.path = c;
    std::vector<std::string> missing = resolve(handle, lib);
    if (lib.version_noring) lib.version_noring(&lib.version);
    if (!missing.empty()) {
      std::string found = lib.version ? format_pfring_version(lib.version) : read_pfring_info().version;
      std::ostringstream m;
      m << "libpfring at " << c << " lacks " << join(missing, ", ") << " (found PF_RING "
        << (found.empty() ? "of unknown version" : found)
        << "); pfwork needs PF_RING 6.0 or later: upgrade PF_RING (library and kernel module together)";
      dlclose(handle);
      throw Error("PFW_PFRING_VERSION", m.str());
    }
    return loaded.emplace(c, lib).first->second;
  }
  throw absent_error(candidates, reasons, from_env);
}

std::string parse_pfring_info_version(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 15, "PF_RING Version") != 0) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) return "";
    size_t start = line.find_first_not_of(" \t", colon + 1);
    if (start == std::string::npos) return "";
    size_t end = line.find_first_of(" \t(", start);
    return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return "";
}

PfringInfo read_pfring_info(const std::string& path) {
  PfringInfo info;
  info.path = path;
  std::ifstream f(path);
  if (!f) return info;
  info.present = true;
  std::stringstream ss;
  ss << f.rdbuf();
  info.version = parse_pfring_info_version(ss.str());
  return info;
}

LiveBackendChoice choose_live_backend(const std::string& info_path, const std::string& library) {
  LiveBackendChoice c;
  PfringInfo info = read_pfring_info(info_path);
  if (!info.present) {
    c.reason = "afpacket: PF_RING is not loaded (" + info_path + " does not exist)";
    return c;
  }
  std::string mod = "the pf_ring kernel module is loaded (PF_RING " +
                    (info.version.empty() ? std::string("of unknown version") : info.version) + ")";
  try {
    const PfringLib& lib = load_pfring(library);
    c.pfring = true;
    c.reason = "pfring: " + mod + " and libpfring loaded from " + lib.path;
  } catch (const Error& e) {
    c.reason = "afpacket: " + mod + " but libpfring is not usable (" + e.code +
               (e.code == "PFW_PFRING_VERSION" ? std::string(": ") + e.what()
                                               : std::string("; set ") + kPfringLibraryEnv + " to its path") +
               ")";
  }
  return c;
}

}  // namespace pfw
