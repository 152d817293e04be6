// Requantize (qforge-only, no ONNX op type): a quantized int8/uint8/int16
// input to a quantized output with other parameters and possibly another of
// those types. The output's dtype and (S, Z) are the quantizer's decision,
// read from the declared output value (dtype default: the input's); the
// parameters are kept by ops::InferNode. Written to ONNX as DQ -> Q.
#include <string>

#include "ops/infer.h"

namespace qforge::ops::requantize {

namespace {
bool IsQuantType(DataType d) {
  return d == DataType::kInt8 || d == DataType::kUInt8 || d == DataType::kInt16;
}
}  // namespace

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kInt8, DataType::kUInt8, DataType::kInt16}));
  const ir::TensorType& x = ctx.input(0);
  if (x.quant.empty()) return ctx.Invalid("input is not quantized (no scale and zero point)");
  if (x.quant.per_axis() || x.quant.scale.size() != 1) {
    return ctx.Unsupported("per-axis quantized input (Requantize is per tensor)");
  }
  DataType out_dtype = x.dtype;
  if (ctx.graph != nullptr && ctx.node->outputs[0] != ir::kNoValue) {
    const DataType declared = ctx.graph->value(ctx.node->outputs[0]).type.dtype;
    if (declared != DataType::kUndefined) {
      if (!IsQuantType(declared)) {
        return ctx.Invalid(std::string("declared output dtype ") + DataTypeName(declared) +
                           " is not int8, uint8 or int16");
      }
      out_dtype = declared;
    }
  }
  ir::TensorType out = x;
  out.dtype = out_dtype;
  out.quant = {};  // the declared output parameters, filled by InferNode
  ctx.outputs[0] = std::move(out);
  return Status::Ok();
}

}  // namespace qforge::ops::requantize
