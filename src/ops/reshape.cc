// Shape inference for the ops that only reinterpret dims: Reshape, Flatten,
// Squeeze, Unsqueeze. Any dtype; the kernel copies bytes.
#include <algorithm>
#include <span>
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::reshape {

namespace {

// Product of dims[begin, end), or kDynamicDim if any is dynamic (or the
// product overflows, which allocation then rejects).
int64_t Product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  const int64_t p = CheckedElementCount(std::span<const int64_t>(dims.data() + begin, end - begin));
  return p < 0 ? ir::kDynamicDim : p;
}

Status InferReshape(InferContext& ctx) {
  const ir::TensorType& data = ctx.input(0);
  std::optional<std::vector<int64_t>> shape;
  QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "shape", &shape));
  if (!shape) {
    const int64_t n = StaticLength(ctx, 1);
    ctx.outputs[0] = n >= 0 ? DynamicDimsType(data.dtype, static_cast<int>(n)) : UnknownRankType(data.dtype);
    return Status::Ok();
  }
  const bool allow_zero = ctx.attrs().GetInt("allowzero", 0) != 0;
  std::vector<int64_t> dims = *shape;
  int infer_at = -1;
  bool has_zero = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer_at >= 0) return ctx.Invalid("shape " + DimsToString(dims) + " has more than one -1");
      infer_at = static_cast<int>(i);
    } else if (dims[i] < -1) {
      return ctx.Invalid("shape " + DimsToString(*shape) + " has a negative dim");
    } else if (dims[i] == 0) {
      has_zero = true;
      if (!allow_zero) {
        // 0 copies the input dim at the same index.
        if (!data.rank_known) {
          ctx.outputs[0] = DynamicDimsType(data.dtype, static_cast<int>(dims.size()));
          return Status::Ok();
        }
        if (i >= data.dims.size()) {
          return ctx.Invalid("shape " + DimsToString(*shape) + " copies dim " + std::to_string(i) +
                             " of a rank-" + std::to_string(data.rank()) + " input");
        }
        dims[i] = data.dims[i];
      }
    }
  }
  if (allow_zero && has_zero && infer_at >= 0) {
    return ctx.Invalid("allowzero=1 forbids a shape with both 0 and -1");
  }
  const int64_t in_count = data.rank_known ? Product(data.dims, 0, data.dims.size()) : ir::kDynamicDim;
  int64_t known = 1;
  bool known_dynamic = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (static_cast<int>(i) == infer_at) continue;
    if (dims[i] < 0) {
      known_dynamic = true;
    } else if (CheckedElementCount(std::vector<int64_t>{known, dims[i]}) < 0) {
      return ctx.Invalid("shape " + DimsToString(*shape) + " overflows");
    } else {
      known *= dims[i];
    }
  }
  if (infer_at >= 0) {
    if (in_count < 0 || known_dynamic) {
      dims[static_cast<size_t>(infer_at)] = ir::kDynamicDim;
    } else if (known == 0 || in_count % known != 0) {
      return ctx.Invalid("cannot reshape " + DimsToString(data.dims) + " to " + DimsToString(*shape));
    } else {
      dims[static_cast<size_t>(infer_at)] = in_count / known;
    }
  } else if (in_count >= 0 && !known_dynamic && known != in_count) {
    return ctx.Invalid("cannot reshape " + DimsToString(data.dims) + " (" + std::to_string(in_count) +
                       " elements) to " + DimsToString(*shape));
  }
  ctx.outputs[0] = MakeType(data.dtype, std::move(dims));
  return Status::Ok();
}

Status InferFlatten(InferContext& ctx) {
  const ir::TensorType& data = ctx.input(0);
  if (!data.rank_known) {
    ctx.outputs[0] = DynamicDimsType(data.dtype, 2);
    return Status::Ok();
  }
  const int rank = data.rank();
  int64_t axis = ctx.attrs().GetInt("axis", 1);
  if (axis < -rank || axis > rank) {
    return ctx.Invalid("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  if (axis < 0) axis += rank;
  const size_t a = static_cast<size_t>(axis);
  ctx.outputs[0] = MakeType(data.dtype, {Product(data.dims, 0, a), Product(data.dims, a, data.dims.size())});
  return Status::Ok();
}

Status InferSqueeze(InferContext& ctx) {
  const ir::TensorType& data = ctx.input(0);
  std::optional<std::vector<int64_t>> axes;
  if (ctx.has_input(1)) {
    QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "axes", &axes));
    if (!axes) {
      ctx.outputs[0] = UnknownRankType(data.dtype);
      return Status::Ok();
    }
  }
  if (!data.rank_known) {
    ctx.outputs[0] = UnknownRankType(data.dtype);
    return Status::Ok();
  }
  const int rank = data.rank();
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  // An empty axes tensor squeezes every size-1 dim, as if omitted (what
  // onnxruntime does; the spec only describes the omitted case).
  if (axes && !axes->empty()) {
    for (int64_t a : *axes) {
      int axis = 0;
      QF_RETURN_IF_ERROR(NormalizeAxis(ctx, a, rank, &axis));
      const int64_t d = data.dims[static_cast<size_t>(axis)];
      if (d >= 0 && d != 1) {
        return ctx.Invalid("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(d));
      }
      drop[static_cast<size_t>(axis)] = true;
    }
  } else {
    for (int i = 0; i < rank; ++i) {
      const int64_t d = data.dims[static_cast<size_t>(i)];
      // Whether a dynamic dim is 1 decides the rank: only the data can tell.
      if (d < 0) {
        ctx.outputs[0] = UnknownRankType(data.dtype);
        return Status::Ok();
      }
      drop[static_cast<size_t>(i)] = d == 1;
    }
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    if (!drop[static_cast<size_t>(i)]) dims.push_back(data.dims[static_cast<size_t>(i)]);
  }
  ctx.outputs[0] = MakeType(data.dtype, std::move(dims));
  return Status::Ok();
}

Status InferUnsqueeze(InferContext& ctx) {
  const ir::TensorType& data = ctx.input(0);
  if (!ctx.has_input(1)) return ctx.Invalid("axes input is required");
  std::optional<std::vector<int64_t>> axes;
  QF_RETURN_IF_ERROR(ReadIntsInput(ctx, 1, "axes", &axes));
  if (!data.rank_known) {
    ctx.outputs[0] = UnknownRankType(data.dtype);
    return Status::Ok();
  }
  if (!axes) {
    const int64_t n = StaticLength(ctx, 1);
    ctx.outputs[0] =
        n >= 0 ? DynamicDimsType(data.dtype, data.rank() + static_cast<int>(n)) : UnknownRankType(data.dtype);
    return Status::Ok();
  }
  const int out_rank = data.rank() + static_cast<int>(axes->size());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : *axes) {
    int axis = 0;
    QF_RETURN_IF_ERROR(NormalizeAxis(ctx, a, out_rank, &axis));
    if (inserted[static_cast<size_t>(axis)]) return ctx.Invalid("axes repeat axis " + std::to_string(a));
    inserted[static_cast<size_t>(axis)] = true;
  }
  std::vector<int64_t> dims;
  size_t next = 0;
  for (int i = 0; i < out_rank; ++i) dims.push_back(inserted[static_cast<size_t>(i)] ? 1 : data.dims[next++]);
  ctx.outputs[0] = MakeType(data.dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 is required");
  if (ctx.input(0).dtype == DataType::kUndefined) return ctx.Unsupported("input dtype undefined");
  Status s;
  switch (ctx.node->op) {
    case OpKind::kReshape:
      if (!ctx.has_input(1)) return ctx.Invalid("shape input is required");
      s = InferReshape(ctx);
      break;
    case OpKind::kFlatten:
      s = InferFlatten(ctx);
      break;
    case OpKind::kSqueeze:
      s = InferSqueeze(ctx);
      break;
    case OpKind::kUnsqueeze:
      s = InferUnsqueeze(ctx);
      break;
    default:
      return ctx.Unsupported("not a reshape-family op");
  }
  QF_RETURN_IF_ERROR(s);
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

}  // namespace qforge::ops::reshape
