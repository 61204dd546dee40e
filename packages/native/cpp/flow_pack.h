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

// Reads a FlowTableOptions from a fully resolved plain object (src/flows.ts).
FlowTableOptions flow_options_from_js(const Napi::Object& o);

}  // namespace pfw
