// Helpers for families whose output shape depends on the *values* of
// integer inputs (Reshape's shape, Slice's starts, Pad's pads, ...), which
// are known at Infer time only when constant or already evaluated.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "ops/infer.h"

namespace qforge::ops {

// An output of known dtype whose rank is data dependent.
ir::TensorType UnknownRankType(DataType dtype);

// An output of known rank whose dims are all data dependent.
ir::TensorType DynamicDimsType(DataType dtype, int rank);

// Checks that input `i` is an int32/int64 tensor of rank <= 1 (what names it
// in errors) and reads its values if they are known; *out is nullopt when
// they are not. Omitted inputs must be handled by the caller.
Status ReadIntsInput(const InferContext& ctx, size_t i, const char* what,
                     std::optional<std::vector<int64_t>>* out);

// Number of elements of a rank-<=1 int input when its shape is static
// (e.g. the length of Reshape's shape input), or -1.
int64_t StaticLength(const InferContext& ctx, size_t i);

// Data-movement ops keep their input's values, so a per-tensor quantized
// input gives an output with the same scale and zero point. Per-axis
// parameters are not carried (the axis may move); the quantizer decides.
void ForwardPerTensorQuant(const ir::TensorType& in, ir::TensorType* out);

// [begin, end) of the dims the Shape op reports for a rank-`rank` input
// (attributes start/end, clamped like Python slicing). Defined in shape.cc.
std::pair<int64_t, int64_t> ShapeOpRange(const ir::Attributes& attrs, int64_t rank);

// True for the ops that read only their input's dims, never its data (Shape,
// Size): folding and Prepare evaluate them on a placeholder when the input's
// shape is static. Defined in shape.cc.
bool ReadsOnlyInputDims(OpKind op);

}  // namespace qforge::ops
