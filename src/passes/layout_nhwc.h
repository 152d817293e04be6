// Runs spatial ops channels-last: the optimized integer and float kernels
// work on NHWC data, the IR from ONNX is NCHW.
//
// The runtime applies this to its own copy of a graph at session creation;
// the result carries the runtime-only attribute qf_layout = "NHWC", which no
// file format can express, so writers refuse it (CheckNoRuntimeLayout).
//
// On a node with qf_layout = "NHWC" (Conv with 2 spatial dims, any group,
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool) input X and output
// Y are (N, H, W, C); the weight stays OIHW (M, C/group, kH, kW); pads,
// strides, kernel_shape and dilations keep their (H, W) meaning.
#pragma once

#include <functional>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::passes {

// The attribute and its one value.
inline constexpr char kLayoutAttr[] = "qf_layout";
inline constexpr char kLayoutNhwc[] = "NHWC";

struct LayoutReport {
  int converted = 0;   // nodes given qf_layout = NHWC
  int transposes = 0;  // Transposes left in the graph afterwards
  int reshapes = 0;    // Transposes that only moved unit dims, now Reshapes
};

// True for a node ConvertToNhwc can run channels-last: a Conv, MaxPool (one
// output), AveragePool, GlobalAveragePool or GlobalMaxPool whose input has
// rank 4 and that does not carry qf_layout yet.
bool CanRunNhwc(const ir::Graph& g, const ir::Node& n);

// Gives every node that CanRunNhwc and `wants_nhwc` accepts qf_layout = NHWC,
// with a Transpose (0, 2, 3, 1) before X and (0, 3, 1, 2) after Y, then
// cancels the pairs (passes::SinkTransposes) and turns Transposes that only
// move unit dims ([N, 1, 1, C] -> [N, C, 1, 1]) into Reshapes. Graph inputs
// and outputs keep their names, types and layout. Exact: no value changes.
Status ConvertToNhwc(ir::Graph& g, const std::function<bool(const ir::Node&)>& wants_nhwc,
                     LayoutReport* report = nullptr);

// InvalidArgument naming the first node that carries a runtime-only
// attribute (qf_layout): for writers, which cannot express it.
Status CheckNoRuntimeLayout(const ir::Graph& g);

}  // namespace qforge::passes
