// ReduceMean / ReduceSum / ReduceMax (data, axes?; keepdims=1,
// noop_with_empty_axes=0). Empty or absent axes reduce every dim unless
// noop_with_empty_axes=1, which makes the op an identity.
#include "ops/reduce.h"

#include "ops/infer.h"

namespace qforge::ops {

Status ResolveReduceAxes(const ir::Attributes& attrs, bool have_axes, const std::vector<int64_t>& axes,
                         int rank, std::vector<bool>* reduced, bool* noop) {
  reduced->assign(static_cast<size_t>(rank), false);
  *noop = false;
  if (!have_axes || axes.empty()) {
    if (attrs.GetInt("noop_with_empty_axes", 0) != 0) {
      *noop = true;
    } else {
      reduced->assign(static_cast<size_t>(rank), true);
    }
    return Status::Ok();
  }
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return InvalidModel("axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    }
    const size_t i = static_cast<size_t>(a < 0 ? a + rank : a);
    if ((*reduced)[i]) return InvalidModel("axes " + DimsToString(axes) + " repeat an axis");
    (*reduced)[i] = true;
  }
  return Status::Ok();
}

namespace reduce {

namespace {

Status InferShape(InferContext& ctx, int64_t keepdims) {
  const ir::TensorType& x = ctx.input(0);
  const bool have_axes = ctx.has_input(1);
  if (have_axes) {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {DataType::kInt64, DataType::kInt32}));
    if (ctx.input(1).rank_known && ctx.input(1).rank() != 1) return ctx.Invalid("axes must be 1-D");
  }
  const Tensor* axes_value = have_axes ? ctx.input_value(1) : nullptr;
  ir::TensorType out;
  out.dtype = x.dtype;
  if (!x.rank_known) {
    ctx.outputs[0] = out;
    return Status::Ok();
  }
  if (have_axes && axes_value == nullptr) {
    // Axes known only at run time: with keepdims the rank survives.
    if (keepdims)
      ctx.outputs[0] = MakeType(x.dtype, std::vector<int64_t>(x.dims.size(), ir::kDynamicDim));
    else
      ctx.outputs[0] = out;
    return Status::Ok();
  }
  std::vector<bool> reduced;
  bool noop = false;
  const std::vector<int64_t> axes = axes_value ? ReadInts(*axes_value) : std::vector<int64_t>{};
  Status s = ResolveReduceAxes(ctx.attrs(), have_axes, axes, x.rank(), &reduced, &noop);
  if (!s.ok()) return ctx.Invalid(s.message());
  std::vector<int64_t> dims;
  for (size_t i = 0; i < x.dims.size(); ++i) {
    // The mean or maximum of no elements has no value (the sum is 0).
    if (!noop && reduced[i] && x.dims[i] == 0 && ctx.node->op != OpKind::kReduceSum) {
      return ctx.Invalid("input " + DimsToString(x.dims) + " has an empty axis " + std::to_string(i) +
                         " to reduce");
    }
    if (noop || !reduced[i]) {
      dims.push_back(x.dims[i]);
    } else if (keepdims) {
      dims.push_back(1);
    }
  }
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  // Quantized int8/uint8 (per tensor): ReduceMean requantizes to its declared
  // output parameters, ReduceMax keeps the input's; ReduceSum has no integer form.
  const bool quantized = IsQuantized8(ctx.input(0)) && ctx.node->op != OpKind::kReduceSum;
  if (quantized) {
    if (ctx.input(0).quant.per_axis() || ctx.input(0).quant.scale.size() != 1) {
      return ctx.Unsupported("per-axis quantized input");
    }
  } else if (ctx.node->op == OpKind::kReduceMean) {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
  } else {
    QF_RETURN_IF_ERROR(
        RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64, DataType::kInt32, DataType::kInt64}));
  }
  const int64_t keepdims = ctx.attrs().GetInt("keepdims", 1);
  const int64_t noop_attr = ctx.attrs().GetInt("noop_with_empty_axes", 0);
  if ((keepdims != 0 && keepdims != 1) || (noop_attr != 0 && noop_attr != 1)) {
    return ctx.Invalid("keepdims and noop_with_empty_axes must be 0 or 1");
  }
  QF_RETURN_IF_ERROR(InferShape(ctx, keepdims));
  if (quantized && ctx.node->op == OpKind::kReduceMax) ctx.outputs[0].quant = ctx.input(0).quant;
  return Status::Ok();
}

}  // namespace reduce
}  // namespace qforge::ops
