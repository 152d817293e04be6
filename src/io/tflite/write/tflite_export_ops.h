// Per-op mapping of IR nodes onto TFLite builtins (docs/design/tflite.md):
// the builtin, its options, its operand tensors in TFLite's layout.
// tflite_export_ops.cc: dense and elementwise ops, the dispatch;
// tflite_export_conv.cc: convolutions and pools;
// tflite_export_data_ops.cc: shape and data movement, reductions,
// quantization ops.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "io/tflite/write/tflite_writer_builder.h"
#include "qscheme/fused_activation.h"

namespace qforge::io {

// Writes node `id` (any supported op). Unsupported ops give a Status naming
// the node and the op.
Status ExportTfliteNode(TfliteBuilder& b, ir::NodeId id);

// tflite_export_conv.cc / tflite_export_data_ops.cc; false when the node's
// op is not one of theirs.
bool ExportConvOrPool(TfliteBuilder& b, ir::NodeId id, Status* status);
bool ExportDataOp(TfliteBuilder& b, ir::NodeId id, Status* status);

// Shared helpers.
template <typename T>
tflite::BuiltinOptionsUnion Options(T&& o) {
  tflite::BuiltinOptionsUnion u;
  u.Set(std::forward<T>(o));
  return u;
}
// The fused activation of `n` as TFLite's, or NONE plus a clamp written by
// FinishActivation after the op: returns the tensor the op itself writes.
int PlanActivation(TfliteBuilder& b, const ir::Node& n, int out, tflite::ActivationFunctionType* act,
                   quant::ActivationRange* clamp);
void FinishActivation(TfliteBuilder& b, int op_out, int out, const quant::ActivationRange& clamp);
// A new tensor with the type, shape and quantization of `like`.
int AddTensorLike(TfliteBuilder& b, const std::string& name, int like);
// Writes max(min, x) / min(max, x) from `in` to `out` for a clamp TFLite has
// no fused or standalone activation for.
void EmitClamp(TfliteBuilder& b, int in, int out, float min, float max);
// The values of a constant integer input (int32/int64), or an error naming the node.
Status ConstInts(const ir::Graph& g, const ir::Node& n, size_t input, std::vector<int64_t>* out);

}  // namespace qforge::io
