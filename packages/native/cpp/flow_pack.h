// Finished flows to JS: one ArrayBuffer per hand-over holding the flow
// columns (struct of arrays) and then the tunnel-layer columns, laid out from
// the column lists below by one rule both sides apply: columns in order, each
// starting at the next multiple of its element size. packages/native/src/flows.ts
// reads the lists (exported as flowColumns / tunnelColumns) once at load.
#pragma once
#include <napi.h>

#include "flow_table.h"

namespace pfw {

// Takes the table's finished flows: { buffer, count, tunnelCount }, or null
// when there are none.
Napi::Value take_finished_js(Napi::Env env, FlowTable& table);

// [[name, bytesPerElement, elementsPerRow], ...] for flows and tunnel layers.
Napi::Array flow_columns_js(Napi::Env env);
Napi::Array tunnel_columns_js(Napi::Env env);

// Where every column of one hand-over's buffer lies, in list order: readers of
// a FlowBatch's buffer in C++ (flow_ndjson_exports.cc) find columns by name
// here, so the lists in flow_pack.cc stay the one definition of the layout.
struct PackedColumn {
  const char* name;
  uint8_t size;   // bytes per element
  uint8_t per;    // elements per row
  size_t offset;  // into the buffer
};
struct PackedLayout {
  static constexpr size_t kMaxColumns = 32;
  PackedColumn flows[kMaxColumns];
  size_t n_flows;
  PackedColumn tunnels[kMaxColumns];
  size_t n_tunnels;
  size_t bytes;  // the buffer's size (where the last column ends)
};

// The layout of a hand-over of `rows` flows and `tunnel_rows` tunnel layers.
PackedLayout packed_layout(size_t rows, size_t tunnel_rows);

// Reads a FlowTableOptions from a fully resolved plain object (src/flows.ts).
FlowTableOptions flow_options_from_js(const Napi::Object& o);

}  // namespace pfw
