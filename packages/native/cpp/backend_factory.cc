// Backend construction: the one place that maps a backend name to its
// implementation. "auto" never reaches here (options.ts resolves it).
//
// To plug a backend in: include its header and replace its branch below.
#include <memory>

#include "afpacket_ring.h"
#include "backend.h"
#include "errors.h"
#include "pcap_file.h"
#include "pfring_ring.h"

namespace pfw {

std::unique_ptr<Backend> make_backend(const std::string& kind, const OpenOptions& opts) {
  if (kind == "pcap") return std::make_unique<PcapFileBackend>(opts);
  if (kind == "afpacket") return make_afpacket_backend(opts);
  if (kind == "pfring") return make_pfring_backend(opts);
  throw Error("PFW_INVALID_ARGUMENT", "unknown backend \"" + kind + "\": use afpacket, pfring or pcap");
}

}  // namespace pfw
