// Reference Resize. Each axis is mapped independently: every output index
// gets its source coordinate (the ONNX coordinate transformation), which
// nearest mode rounds to one input index and linear mode turns into two
// clamped neighbours and a weight. An output element then combines the
// 2^rank corner values with the product of its per-axis weights.
#include "ops/resize.h"

#include <algorithm>
#include <cmath>

#include "kernels/kernel.h"

namespace qforge::kernels::ref::resize {

namespace {

struct AxisMap {
  std::vector<int64_t> lo, hi;  // neighbour input indices (equal for nearest)
  std::vector<double> w_hi;     // weight of `hi` (1 - w_hi for `lo`)
  std::vector<char> outside;    // tf_crop_and_resize: coordinate outside the input
};

double SourceCoordinate(const ops::ResizeAttrs& ra, double x, double scale, int64_t in, float roi_start,
                        float roi_end) {
  const double out_len = scale * static_cast<double>(in);  // unfloored, as the ONNX reference does
  switch (ra.coord) {
    case ops::CoordMode::kHalfPixel:
      return (x + 0.5) / scale - 0.5;
    case ops::CoordMode::kPytorchHalfPixel:
      return out_len > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case ops::CoordMode::kAlignCorners:
      return out_len == 1 ? 0.0 : x * static_cast<double>(in - 1) / (out_len - 1);
    case ops::CoordMode::kAsymmetric:
      return x / scale;
    case ops::CoordMode::kTfHalfPixelForNearest:
      return (x + 0.5) / scale;
    case ops::CoordMode::kTfCropAndResize: {
      const double span = static_cast<double>(roi_end - roi_start) * static_cast<double>(in - 1);
      const double start = static_cast<double>(roi_start) * static_cast<double>(in - 1);
      return out_len == 1 ? start + span / 2 : start + x * span / (out_len - 1);
    }
  }
  return 0.0;
}

int64_t RoundNearest(ops::NearestMode mode, double x) {
  const double fl = std::floor(x);
  switch (mode) {
    case ops::NearestMode::kFloor:
      return static_cast<int64_t>(fl);
    case ops::NearestMode::kCeil:
      return static_cast<int64_t>(std::ceil(x));
    case ops::NearestMode::kRoundPreferFloor:
      return static_cast<int64_t>(x - fl == 0.5 ? fl : std::round(x));
    case ops::NearestMode::kRoundPreferCeil:
      return static_cast<int64_t>(x - fl == 0.5 ? fl + 1 : std::round(x));
  }
  return 0;
}

AxisMap MapAxis(const ops::ResizeAttrs& ra, int64_t in, int64_t out, double scale, float roi_start,
                float roi_end) {
  AxisMap m;
  const size_t n = static_cast<size_t>(out);
  m.lo.resize(n);
  m.hi.resize(n);
  m.w_hi.assign(n, 0.0);
  m.outside.assign(n, 0);
  const double last = static_cast<double>(in - 1);
  for (size_t i = 0; i < n; ++i) {
    double x = SourceCoordinate(ra, static_cast<double>(i), scale, in, roi_start, roi_end);
    if (ra.coord == ops::CoordMode::kTfCropAndResize && (x < 0 || x > last)) m.outside[i] = 1;
    if (ra.mode == ops::ResizeMode::kNearest) {
      const int64_t idx = std::clamp<int64_t>(RoundNearest(ra.nearest, x), 0, in - 1);
      m.lo[i] = m.hi[i] = idx;
    } else {
      x = std::clamp(x, 0.0, last);  // equals the reference's edge padding
      const int64_t lo = static_cast<int64_t>(std::floor(x));
      m.lo[i] = lo;
      m.hi[i] = std::min(lo + 1, in - 1);
      m.w_hi[i] = x - static_cast<double>(lo);
    }
  }
  return m;
}

template <typename T>
void ResizeLoops(const Tensor& x, Tensor& y, const std::vector<AxisMap>& maps, const ops::ResizeAttrs& ra) {
  const size_t rank = maps.size();
  std::vector<int64_t> in_stride(rank, 1);
  for (size_t a = rank; a-- > 1;) in_stride[a - 1] = in_stride[a] * x.dims()[a];
  const T* px = x.data<T>();
  T* py = y.data<T>();
  std::vector<size_t> index(rank, 0);  // output index being written
  const int64_t count = y.num_elements();
  const bool linear = ra.mode == ops::ResizeMode::kLinear;
  for (int64_t e = 0; e < count; ++e) {
    bool outside = false;
    for (size_t a = 0; a < rank; ++a) outside = outside || maps[a].outside[index[a]];
    if (outside) {
      py[e] = static_cast<T>(ra.extrapolation_value);
    } else if (!linear) {
      int64_t off = 0;
      for (size_t a = 0; a < rank; ++a) off += maps[a].lo[index[a]] * in_stride[a];
      py[e] = px[off];
    } else {
      double acc = 0;
      for (uint32_t corner = 0; corner < (1u << rank); ++corner) {
        double w = 1;
        int64_t off = 0;
        for (size_t a = 0; a < rank && w != 0; ++a) {
          const size_t i = index[a];
          const bool hi = (corner >> a) & 1u;
          w *= hi ? maps[a].w_hi[i] : 1.0 - maps[a].w_hi[i];
          off += (hi ? maps[a].hi[i] : maps[a].lo[i]) * in_stride[a];
        }
        if (w != 0) acc += w * static_cast<double>(px[off]);
      }
      py[e] = static_cast<T>(acc);
    }
    for (size_t a = rank; a-- > 0;) {
      if (static_cast<int64_t>(++index[a]) < y.dims()[a]) break;
      index[a] = 0;
    }
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  ops::ResizeAttrs ra;
  Status s = ops::ParseResizeAttrs(ctx.attrs(), &ra);
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> out_dims;
  std::vector<double> scales;
  const Tensor* scales_in = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  const Tensor* sizes_in = ctx.has_in(3) ? ctx.inputs[3] : nullptr;
  if (s.ok()) s = ops::ComputeResizeShape(x.dims(), scales_in, sizes_in, &out_dims, &scales);
  if (!s.ok()) return ctx.Error(s.message());
  const int rank = x.rank();
  const Tensor* roi = ctx.has_in(1) ? ctx.inputs[1] : nullptr;
  if (ra.coord == ops::CoordMode::kTfCropAndResize &&
      (!ops::ResizeInputGiven(roi) || roi->num_elements() != 2 * static_cast<int64_t>(rank))) {
    return ctx.Error("roi must hold 2 * rank values for tf_crop_and_resize");
  }
  Tensor& y = ctx.out(0);
  if (y.num_elements() == 0) return Status::Ok();
  if (x.num_elements() == 0) return ctx.Error("cannot resize an empty input to a non-empty output");
  std::vector<AxisMap> maps;
  for (int a = 0; a < rank; ++a) {
    float start = 0, end = 1;
    if (ra.coord == ops::CoordMode::kTfCropAndResize) {
      start = roi->data<float>()[a];
      end = roi->data<float>()[a + rank];
    }
    maps.push_back(MapAxis(ra, x.dim(a), y.dim(a), scales[static_cast<size_t>(a)], start, end));
  }
  switch (x.dtype()) {
    case DataType::kFloat64:
      ResizeLoops<double>(x, y, maps, ra);
      break;
    case DataType::kInt8:
      ResizeLoops<int8_t>(x, y, maps, ra);
      break;
    case DataType::kUInt8:
      ResizeLoops<uint8_t>(x, y, maps, ra);
      break;
    case DataType::kInt32:
      ResizeLoops<int32_t>(x, y, maps, ra);
      break;
    case DataType::kInt64:
      ResizeLoops<int64_t>(x, y, maps, ra);
      break;
    default:
      ResizeLoops<float>(x, y, maps, ra);
      break;
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::resize
