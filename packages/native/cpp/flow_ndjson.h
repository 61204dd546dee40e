// Finished flows as NDJSON text, in C++: what `--flows` writes when no `flow`
// hook needs record objects. Each row's line is exactly @pfwork/core's
// flowRecordLineAt(batch, i, worker), i.e. JSON.stringify(flowRecordAt(...)):
// same keys in the same order, numbers as JS writes them (js_number.h),
// addresses as core's formatIPv4At / formatIPv6 (RFC 5952), history escaped as
// JSON.stringify escapes it. In JS that text cost ~10 us per flow; here it is
// a few hundred ns and one JS string per call. The output is Latin-1 (history
// bytes are char codes 0-255, as FlowBatch.history() reads them).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace pfw {

// The columns of a FlowBatch hand-over (flow_pack.h) that the record reads,
// as pointers into its buffer; rows and tunnel_rows are the column lengths.
struct FlowRecordColumns {
  size_t rows = 0;
  const double* first_sec = nullptr;
  const uint32_t* first_nsec = nullptr;
  const double* last_sec = nullptr;
  const uint32_t* last_nsec = nullptr;
  const double* orig_pkts = nullptr;
  const double* orig_bytes = nullptr;
  const double* resp_pkts = nullptr;
  const double* resp_bytes = nullptr;
  const uint8_t* orig_addr = nullptr;  // 16 per row
  const uint8_t* resp_addr = nullptr;  // 16 per row
  const uint16_t* orig_port = nullptr;
  const uint16_t* resp_port = nullptr;
  const uint16_t* vlan = nullptr;
  const uint16_t* inner_vlan = nullptr;
  const uint8_t* proto = nullptr;
  const uint8_t* ip_version = nullptr;
  const uint8_t* end_reason = nullptr;
  const uint8_t* history = nullptr;  // 16 per row, zero-padded
  const uint32_t* tunnel_start = nullptr;
  const uint8_t* tunnel_count = nullptr;

  size_t tunnel_rows = 0;
  const uint32_t* t_id = nullptr;
  const uint16_t* t_sport = nullptr;
  const uint16_t* t_dport = nullptr;
  const uint8_t* t_src = nullptr;  // 16 per row
  const uint8_t* t_dst = nullptr;  // 16 per row
  const uint8_t* t_type = nullptr;
  const uint8_t* t_ip_version = nullptr;
  const uint8_t* t_has_id = nullptr;
};

// The text's buffer: grows without zeroing what it adds (std::string::resize
// would write every byte once more) and is reused from call to call.
class TextBuffer {
 public:
  // Makes `room` more bytes writable after size(); returns where they start.
  char* reserve(size_t room) {
    if (cap_ - size_ < room) grow(size_ + room);
    return buf_.get() + size_;
  }
  // Marks the bytes up to `end` (inside the reserved room) as written.
  void commit(const char* end) { size_ = size_t(end - buf_.get()); }
  const char* data() const { return buf_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  void clear() { size_ = 0; }
  // Frees the memory (after an unusually large text).
  void release() {
    buf_.reset();
    size_ = cap_ = 0;
  }

 private:
  void grow(size_t need) {
    size_t cap = cap_ ? cap_ : 4096;
    while (cap < need) cap *= 2;
    std::unique_ptr<char[]> b(new char[cap]);  // not value-initialised: no zeroing
    if (size_) std::memcpy(b.get(), buf_.get(), size_);
    buf_ = std::move(b);
    cap_ = cap;
  }
  std::unique_ptr<char[]> buf_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

// Appends the lines of rows [from, to) to *out, each followed by '\n'.
// `worker` is written as JSON writes the number. Returns false, with *error
// saying which row, when a row's tunnel layers lie outside the tunnel
// columns (a hand-over never has that; *out then holds the rows before it).
// The caller checks from <= to <= c.rows.
bool append_flow_ndjson(const FlowRecordColumns& c, size_t from, size_t to, double worker, TextBuffer* out,
                        std::string* error);

}  // namespace pfw
