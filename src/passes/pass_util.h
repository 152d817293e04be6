// Small helpers shared by the graph rewrites in this folder.
#pragma once

#include <string>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// True when `id` is listed among the graph outputs: its name is what the
// user sees, so a rewrite must keep that value (and its name) alive.
bool IsGraphOutput(const ir::Graph& g, ir::ValueId id);
bool IsGraphInput(const ir::Graph& g, ir::ValueId id);

// `hint`, or `hint_<n>` for the smallest n that no value of `g` uses yet.
std::string UniqueValueName(const ir::Graph& g, const std::string& hint);

// The constant float32 data of `id`, or nullptr (absent, not constant, other dtype).
const Tensor* FloatConstant(const ir::Graph& g, ir::ValueId id);

// Ends every pass: drops removed nodes and unused values, re-sorts, and
// verifies, so a rewrite bug surfaces as a Status naming the pass.
Status FinishPass(ir::Graph* g, const char* pass_name);

}  // namespace qforge::passes
