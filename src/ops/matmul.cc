#include "ops/matmul.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ops/infer.h"

namespace qforge::ops {

std::vector<int64_t> MatMulShape::OutputDims() const {
  std::vector<int64_t> dims = out_batch;
  if (!a_vector) dims.push_back(m);
  if (!b_vector) dims.push_back(n);
  return dims;
}

Status ComputeMatMulShape(const std::vector<int64_t>& a, const std::vector<int64_t>& b, MatMulShape* out) {
  if (a.empty() || b.empty()) return InvalidModel("MatMul operands must have rank >= 1");
  out->a_vector = a.size() == 1;
  out->b_vector = b.size() == 1;
  const std::vector<int64_t> a2 = out->a_vector ? std::vector<int64_t>{1, a[0]} : a;
  const std::vector<int64_t> b2 = out->b_vector ? std::vector<int64_t>{b[0], 1} : b;
  out->m = a2[a2.size() - 2];
  out->k = a2[a2.size() - 1];
  out->n = b2[b2.size() - 1];
  const int64_t kb = b2[b2.size() - 2];
  if (out->k >= 0 && kb >= 0 && out->k != kb) {
    return InvalidModel("inner dims of " + DimsToString(a) + " and " + DimsToString(b) + " differ");
  }
  if (out->k < 0) out->k = kb;
  out->a_batch.assign(a2.begin(), a2.end() - 2);
  out->b_batch.assign(b2.begin(), b2.end() - 2);
  const size_t rank = std::max(out->a_batch.size(), out->b_batch.size());
  out->out_batch.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const size_t pa = rank - out->a_batch.size(), pb = rank - out->b_batch.size();
    const int64_t da = i < pa ? 1 : out->a_batch[i - pa];
    const int64_t db = i < pb ? 1 : out->b_batch[i - pb];
    if (da == 1) {
      out->out_batch[i] = db;
    } else if (db == 1 || da == db) {
      out->out_batch[i] = da;
    } else if (da < 0 || db < 0) {
      out->out_batch[i] = da < 0 ? db : da;
    } else {
      return InvalidModel("batch dims of " + DimsToString(a) + " and " + DimsToString(b) +
                          " do not broadcast");
    }
  }
  return Status::Ok();
}

namespace {

// Relative difference allowed between a bias scale and S_x * S_w[c]: the
// quantizer computes the product in float32 and files store it rounded, so
// exact equality is too strict, while a real mismatch (a bias quantized for
// another input scale) is off by far more.
constexpr double kBiasScaleTolerance = 1e-3;

bool IsQuantizedActivationDtype(DataType t) { return t == DataType::kInt8 || t == DataType::kUInt8; }

std::string Quoted(const ir::TensorType& t) {
  return std::string(DataTypeName(t.dtype)) + (t.quant.empty() ? "" : " (quantized)");
}

bool IsPerTensor(const QuantParams& q) { return q.axis < 0 && q.scale.size() == 1; }

bool ZeroPointsAreZero(const QuantParams& q) {
  for (int64_t z : q.zero_point) {
    if (z != 0) return false;
  }
  return true;
}

// Scales must be finite and positive, zero points absent, one, or one per scale.
Status CheckParams(const InferContext& ctx, const QuantParams& q, const std::string& what) {
  for (float s : q.scale) {
    if (!(s > 0.0f) || std::isinf(s)) {
      return ctx.Invalid(what + " scale " + std::to_string(s) + " is not a finite positive number");
    }
  }
  if (q.zero_point.size() > 1 && q.zero_point.size() != q.scale.size()) {
    return ctx.Invalid(what + " has " + std::to_string(q.scale.size()) + " scales but " +
                       std::to_string(q.zero_point.size()) + " zero points");
  }
  if (q.axis < 0 && q.scale.size() != 1) {
    return ctx.Invalid(what + " is per tensor but has " + std::to_string(q.scale.size()) + " scales");
  }
  return Status::Ok();
}

Status CheckWeight(const InferContext& ctx, const LinearOperands& operands, const ir::TensorType& w) {
  if (w.dtype != DataType::kInt8) {
    return ctx.Unsupported(std::string("weight has dtype ") + DataTypeName(w.dtype) +
                           "; quantized weights must be int8");
  }
  if (w.quant.empty()) return ctx.Unsupported("int8 weight without quantization parameters");
  QF_RETURN_IF_ERROR(CheckParams(ctx, w.quant, "weight"));
  for (int64_t z : w.quant.zero_point) {
    if (z != 0) {
      return ctx.Unsupported("weight zero point " + std::to_string(z) +
                             ", int8 weights must be symmetric (zero point 0)");
    }
  }
  if (w.quant.per_axis() && w.rank_known) {
    const int rank = w.rank();
    const int axis = operands.weight_axis < 0 ? operands.weight_axis + rank : operands.weight_axis;
    if (axis < 0 || axis >= rank || w.quant.axis != axis) {
      return ctx.Unsupported("weight quantized along axis " + std::to_string(w.quant.axis) +
                             "; per-axis weights must be quantized along the output-channel axis " +
                             std::to_string(axis));
    }
    const int64_t channels = w.dims[static_cast<size_t>(axis)];
    if (channels >= 0 && static_cast<int64_t>(w.quant.scale.size()) != channels) {
      return ctx.Invalid("weight has " + std::to_string(w.quant.scale.size()) + " scales for " +
                         std::to_string(channels) + " output channels");
    }
  }
  return Status::Ok();
}

// The bias of the integer form: int32, zero point 0, scale[c] = S_x * S_w[c].
Status CheckIntegerBias(const InferContext& ctx, const QuantParams& x, const QuantParams& w,
                        const ir::TensorType& b) {
  if (b.dtype != DataType::kInt32) {
    return ctx.Unsupported("bias has dtype " + Quoted(b) + "; the integer form needs an int32 bias");
  }
  if (b.quant.empty()) return ctx.Unsupported("int32 bias without quantization parameters");
  QF_RETURN_IF_ERROR(CheckParams(ctx, b.quant, "bias"));
  if (!ZeroPointsAreZero(b.quant)) return ctx.Unsupported("bias zero point must be 0");
  const size_t nb = b.quant.scale.size(), nw = w.scale.size();
  if (nb > 1 && nw > 1 && nb != nw) {
    return ctx.Invalid("bias has " + std::to_string(nb) + " scales, weight " + std::to_string(nw));
  }
  for (size_t c = 0; c < std::max(nb, nw); ++c) {
    const double expected = static_cast<double>(x.scale[0]) * static_cast<double>(w.scale[nw == 1 ? 0 : c]);
    const double actual = b.quant.scale[nb == 1 ? 0 : c];
    if (std::fabs(actual - expected) > kBiasScaleTolerance * expected) {
      return ctx.Invalid("bias scale[" + std::to_string(c) + "] " + std::to_string(actual) +
                         " is not input scale * weight scale = " + std::to_string(expected));
    }
  }
  return Status::Ok();
}

// MatMul's B read as a second activation: same dtype as A, per tensor, any
// zero point, and not a constant (constants are weights and symmetric).
bool IsActivationOperand(const InferContext& ctx, size_t index, const ir::TensorType& x,
                         const ir::TensorType& w) {
  if (w.dtype != x.dtype || w.quant.empty() || !IsPerTensor(w.quant)) return false;
  const ir::ValueId id = ctx.node->input(index);
  return ctx.graph == nullptr || id == ir::kNoValue || !ctx.graph->value(id).is_constant();
}

}  // namespace

Status ClassifyLinear(const InferContext& ctx, const LinearOperands& operands, LinearForm* form) {
  *form = LinearForm::kFloat;
  const ir::TensorType& x = ctx.input(0);
  const ir::TensorType& w = ctx.input(operands.weight);
  const ir::TensorType* b = operands.bias >= 0 && ctx.has_input(static_cast<size_t>(operands.bias))
                                ? &ctx.input(static_cast<size_t>(operands.bias))
                                : nullptr;
  if (IsQuantizedActivationDtype(x.dtype)) {
    if (x.quant.empty()) {
      return ctx.Unsupported(std::string("input has dtype ") + DataTypeName(x.dtype) +
                             " without quantization parameters; the integer form needs quantized operands");
    }
    QF_RETURN_IF_ERROR(CheckParams(ctx, x.quant, "input"));
    if (!IsPerTensor(x.quant))
      return ctx.Unsupported("input quantized per axis; activations must be per tensor");
    if (IsFloat(w.dtype)) {
      return ctx.Unsupported("input " + Quoted(x) + " with weight " + Quoted(w) +
                             ": the integer form needs an int8 quantized weight");
    }
    if (operands.weight_may_be_activation && IsActivationOperand(ctx, operands.weight, x, w)) {
      QF_RETURN_IF_ERROR(CheckParams(ctx, w.quant, "second operand"));
    } else {
      QF_RETURN_IF_ERROR(CheckWeight(ctx, operands, w));
    }
    if (b != nullptr) QF_RETURN_IF_ERROR(CheckIntegerBias(ctx, x.quant, w.quant, *b));
    *form = LinearForm::kInteger;
    return Status::Ok();
  }
  if (x.dtype == DataType::kFloat32 && w.dtype == DataType::kInt8) {
    QF_RETURN_IF_ERROR(CheckWeight(ctx, operands, w));
    if (b != nullptr && b->dtype != DataType::kFloat32) {
      return ctx.Unsupported("bias has dtype " + Quoted(*b) + "; the hybrid form needs a float32 bias");
    }
    *form = LinearForm::kHybrid;
    return Status::Ok();
  }
  return Status::Ok();
}

namespace matmul {

Status Infer(InferContext& ctx) {
  const ir::TensorType& a = ctx.input(0);
  const ir::TensorType& b = ctx.input(1);
  // B's output channels are its last axis; a 1-D B has none (its only axis is K).
  LinearOperands operands{.weight = 1, .weight_axis = -1, .bias = -1, .weight_may_be_activation = true};
  LinearForm form = LinearForm::kFloat;
  QF_RETURN_IF_ERROR(ClassifyLinear(ctx, operands, &form));
  if (form == LinearForm::kFloat) {
    QF_RETURN_IF_ERROR(
        RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64, DataType::kInt32, DataType::kInt64}));
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {a.dtype}));
  } else if (b.rank_known && b.rank() == 1 && b.quant.per_axis()) {
    return ctx.Unsupported("a 1-D B quantized per axis (its only axis is the reduction axis)");
  }
  const DataType out_dtype = form == LinearForm::kHybrid ? DataType::kFloat32 : a.dtype;
  if (!a.rank_known || !b.rank_known) {
    ir::TensorType t;
    t.dtype = out_dtype;
    ctx.outputs[0] = t;
    return Status::Ok();
  }
  MatMulShape shape;
  Status s = ComputeMatMulShape(a.dims, b.dims, &shape);
  if (!s.ok()) return ctx.Invalid(s.message());
  ctx.outputs[0] = MakeType(out_dtype, shape.OutputDims());
  return Status::Ok();
}

}  // namespace matmul
}  // namespace qforge::ops
