// IR -> ONNX, accepted by onnx.checker and ONNX Runtime. Written at opset 17
// of the default domain (ReduceMean/ReduceMax axes as attributes, ReduceSum,
// Squeeze, Unsqueeze, Split, Clip, Pad, Slice bounds as inputs).
#pragma once

#include <string>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::io {

inline constexpr int64_t kOnnxExportOpset = 17;

Result<std::string> SerializeOnnx(const ir::Graph& graph);
// Atomic write (see io/atomic_file.h).
Status WriteOnnx(const ir::Graph& graph, const std::string& path);

}  // namespace qforge::io
