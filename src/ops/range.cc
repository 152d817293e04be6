// Range(start, limit, delta): scalars of one dtype; the output has
// max(ceil((limit - start) / delta), 0) elements.
#include <cmath>
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops {

namespace {
// Values above this are refused before any allocation is attempted.
constexpr double kMaxRangeCount = 4e18;

template <typename T>
T ScalarOf(const Tensor& t) {
  return t.data<T>()[0];
}

// Element count of Range, or false with *error set.
bool RangeCount(const Tensor& start, const Tensor& limit, const Tensor& delta, int64_t* count,
                std::string* error) {
  for (const Tensor* t : {&start, &limit, &delta}) {
    if (t->num_elements() != 1) {
      *error = "start, limit and delta must be scalars";
      return false;
    }
  }
  const DataType dt = start.dtype();
  if (dt == DataType::kFloat32 || dt == DataType::kFloat64) {
    const double s = dt == DataType::kFloat32 ? ScalarOf<float>(start) : ScalarOf<double>(start);
    const double l = dt == DataType::kFloat32 ? ScalarOf<float>(limit) : ScalarOf<double>(limit);
    const double d = dt == DataType::kFloat32 ? ScalarOf<float>(delta) : ScalarOf<double>(delta);
    // In double, as numpy.arange computes its length.
    const double n = std::ceil((l - s) / d);
    if (d == 0 || !std::isfinite(n) || n > kMaxRangeCount) {
      *error = "delta is zero, or the range is not finite or too long";
      return false;
    }
    *count = n > 0 ? static_cast<int64_t>(n) : 0;
    return true;
  }
  __int128 s = 0, l = 0, d = 0;
  switch (dt) {
    case DataType::kInt16:
      s = ScalarOf<int16_t>(start), l = ScalarOf<int16_t>(limit), d = ScalarOf<int16_t>(delta);
      break;
    case DataType::kInt32:
      s = ScalarOf<int32_t>(start), l = ScalarOf<int32_t>(limit), d = ScalarOf<int32_t>(delta);
      break;
    default:
      s = ScalarOf<int64_t>(start), l = ScalarOf<int64_t>(limit), d = ScalarOf<int64_t>(delta);
      break;
  }
  if (d == 0) {
    *error = "delta is zero";
    return false;
  }
  const __int128 span = l - s;
  __int128 n = 0;
  if ((span > 0 && d > 0) || (span < 0 && d < 0)) {
    const __int128 a = span > 0 ? span : -span, b = d > 0 ? d : -d;
    n = (a + b - 1) / b;
  }
  if (n > static_cast<__int128>(kMaxRangeCount)) {
    *error = "the range is too long";
    return false;
  }
  *count = static_cast<int64_t>(n);
  return true;
}

}  // namespace

namespace range {

Status Infer(InferContext& ctx) {
  for (size_t i = 0; i < 3; ++i) {
    if (!ctx.has_input(i)) return ctx.Invalid("start, limit and delta are required");
  }
  QF_RETURN_IF_ERROR(RequireDtype(
      ctx, 0,
      {DataType::kFloat32, DataType::kFloat64, DataType::kInt16, DataType::kInt32, DataType::kInt64}));
  const DataType dt = ctx.input(0).dtype;
  for (size_t i = 1; i < 3; ++i) {
    if (ctx.input(i).dtype != dt) return ctx.Invalid("start, limit and delta must have the same dtype");
  }
  for (size_t i = 0; i < 3; ++i) {
    if (ctx.input(i).rank_known && CheckedElementCount(ctx.input(i).dims) != 1 &&
        CheckedElementCount(ctx.input(i).dims) >= 0) {
      return ctx.Invalid("start, limit and delta must be scalars");
    }
  }
  const Tensor* s = ctx.input_value(0);
  const Tensor* l = ctx.input_value(1);
  const Tensor* d = ctx.input_value(2);
  if (s == nullptr || l == nullptr || d == nullptr) {
    ctx.outputs[0] = DynamicDimsType(dt, 1);
    return Status::Ok();
  }
  int64_t count = 0;
  std::string error;
  if (!RangeCount(*s, *l, *d, &count, &error)) return ctx.Invalid(error);
  ctx.outputs[0] = MakeType(dt, {count});
  return Status::Ok();
}

}  // namespace range
}  // namespace qforge::ops
