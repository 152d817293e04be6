// Resize (X, roi?, scales?, sizes?): nearest and N-D linear interpolation.
#include "ops/resize.h"

#include <cmath>

#include "ops/infer.h"
#include "ops/op_table.h"
#include "ops/shape_inputs.h"

namespace qforge::ops {

Status ParseResizeAttrs(const ir::Attributes& attrs, ResizeAttrs* out) {
  const std::string mode = attrs.GetString("mode", "nearest");
  if (mode == "nearest") {
    out->mode = ResizeMode::kNearest;
  } else if (mode == "linear") {
    out->mode = ResizeMode::kLinear;
  } else if (mode == "cubic") {
    return Unsupported("Resize mode 'cubic'");
  } else {
    return InvalidModel("Resize mode '" + mode + "' is not nearest, linear or cubic");
  }
  const std::string coord = attrs.GetString("coordinate_transformation_mode", "half_pixel");
  if (coord == "half_pixel") {
    out->coord = CoordMode::kHalfPixel;
  } else if (coord == "pytorch_half_pixel") {
    out->coord = CoordMode::kPytorchHalfPixel;
  } else if (coord == "align_corners") {
    out->coord = CoordMode::kAlignCorners;
  } else if (coord == "asymmetric") {
    out->coord = CoordMode::kAsymmetric;
  } else if (coord == "tf_half_pixel_for_nearest" ||
             coord == "tf_half_pixel_for_nn") {  // early opset-11 name
    out->coord = CoordMode::kTfHalfPixelForNearest;
  } else if (coord == "tf_crop_and_resize") {
    out->coord = CoordMode::kTfCropAndResize;
  } else if (coord == "half_pixel_symmetric") {
    return Unsupported("coordinate_transformation_mode 'half_pixel_symmetric'");
  } else {
    return InvalidModel("unknown coordinate_transformation_mode '" + coord + "'");
  }
  const std::string nearest = attrs.GetString("nearest_mode", "round_prefer_floor");
  if (nearest == "round_prefer_floor") {
    out->nearest = NearestMode::kRoundPreferFloor;
  } else if (nearest == "round_prefer_ceil") {
    out->nearest = NearestMode::kRoundPreferCeil;
  } else if (nearest == "floor") {
    out->nearest = NearestMode::kFloor;
  } else if (nearest == "ceil") {
    out->nearest = NearestMode::kCeil;
  } else {
    return InvalidModel("unknown nearest_mode '" + nearest + "'");
  }
  if (attrs.GetInt("antialias", 0) != 0) return Unsupported("Resize antialias=1");
  const std::string policy = attrs.GetString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch") return Unsupported("keep_aspect_ratio_policy '" + policy + "'");
  if (attrs.Has("axes")) return Unsupported("the Resize 'axes' attribute");
  out->extrapolation_value = attrs.GetFloat("extrapolation_value", 0.0f);
  return Status::Ok();
}

bool ResizeInputGiven(const Tensor* t) { return t != nullptr && t->num_elements() > 0; }

Status ComputeResizeShape(const std::vector<int64_t>& in, const Tensor* scales, const Tensor* sizes,
                          std::vector<int64_t>* out, std::vector<double>* used_scales) {
  const bool have_scales = ResizeInputGiven(scales);
  const bool have_sizes = ResizeInputGiven(sizes);
  if (have_scales == have_sizes) return InvalidModel("exactly one of scales and sizes must be given");
  const size_t rank = in.size();
  out->assign(rank, 0);
  used_scales->assign(rank, 1.0);
  // Bounds the output: a hostile scale must not overflow int64 below.
  constexpr double kMaxDim = static_cast<double>(int64_t{1} << 40);
  if (have_scales) {
    if (scales->dtype() != DataType::kFloat32) return Unsupported("scales must be float32");
    if (static_cast<size_t>(scales->num_elements()) != rank) {
      return InvalidModel("scales has " + std::to_string(scales->num_elements()) + " values for rank " +
                          std::to_string(rank));
    }
    for (size_t i = 0; i < rank; ++i) {
      const double s = scales->data<float>()[i];
      if (!(s > 0) || !std::isfinite(s))
        return InvalidModel("scale " + std::to_string(s) + " must be positive");
      const double d = std::floor(static_cast<double>(in[i]) * s);
      if (d > kMaxDim) return InvalidModel("scale " + std::to_string(s) + " makes the output too large");
      (*out)[i] = static_cast<int64_t>(d);
      (*used_scales)[i] = s;
    }
    return Status::Ok();
  }
  if (sizes->dtype() != DataType::kInt64) return Unsupported("sizes must be int64");
  if (static_cast<size_t>(sizes->num_elements()) != rank) {
    return InvalidModel("sizes has " + std::to_string(sizes->num_elements()) + " values for rank " +
                        std::to_string(rank));
  }
  for (size_t i = 0; i < rank; ++i) {
    const int64_t d = sizes->data<int64_t>()[i];
    if (d < 0 || static_cast<double>(d) > kMaxDim)
      return InvalidModel("size " + std::to_string(d) + " is invalid");
    (*out)[i] = d;
    (*used_scales)[i] = in[i] > 0 ? static_cast<double>(d) / static_cast<double>(in[i]) : 1.0;
  }
  return Status::Ok();
}

namespace resize {

namespace {

// A statically empty optional input counts as omitted even without its data.
bool StaticallyEmpty(const InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return true;
  const ir::TensorType& t = ctx.input(i);
  return t.IsStatic() && CheckedElementCount(t.dims) == 0;
}

Status InferShape(InferContext& ctx) {
  const std::string prefix = ctx.graph->Describe(*ctx.node) + ": ";
  ResizeAttrs ra;
  QF_RETURN_IF_ERROR(ParseResizeAttrs(ctx.attrs(), &ra).WithContext(prefix));
  if (ra.mode == ResizeMode::kNearest) {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0,
                                    {DataType::kFloat32, DataType::kFloat64, DataType::kInt8,
                                     DataType::kUInt8, DataType::kInt32, DataType::kInt64}));
  } else {
    QF_RETURN_IF_ERROR(RequireDtype(ctx, 0, {DataType::kFloat32, DataType::kFloat64}));
    // The kernel visits 2^rank corners per output element.
    if (ctx.input(0).rank_known && ctx.input(0).rank() > 8) {
      return ctx.Unsupported("linear Resize of rank " + std::to_string(ctx.input(0).rank()));
    }
  }
  if (ctx.has_input(1)) QF_RETURN_IF_ERROR(RequireDtype(ctx, 1, {DataType::kFloat32}));
  if (ctx.has_input(2)) QF_RETURN_IF_ERROR(RequireDtype(ctx, 2, {DataType::kFloat32}));
  if (ctx.has_input(3)) QF_RETURN_IF_ERROR(RequireDtype(ctx, 3, {DataType::kInt64}));
  const ir::TensorType& x = ctx.input(0);
  if (ra.coord == CoordMode::kTfCropAndResize && StaticallyEmpty(ctx, 1)) {
    return ctx.Invalid("tf_crop_and_resize needs the roi input");
  }
  ir::TensorType out;
  out.dtype = x.dtype;
  if (!x.rank_known) {
    ctx.outputs[0] = out;
    return Status::Ok();
  }
  const bool scales_given = !StaticallyEmpty(ctx, 2);
  const bool sizes_given = !StaticallyEmpty(ctx, 3);
  const Tensor* scales = scales_given ? ctx.input_value(2) : nullptr;
  const Tensor* sizes = sizes_given ? ctx.input_value(3) : nullptr;
  // Output dims need the data of scales/sizes (and the input dims for scales).
  const bool data_known = (!scales_given || scales != nullptr) && (!sizes_given || sizes != nullptr);
  if (!data_known || (scales_given && !x.IsStatic())) {
    std::vector<int64_t> dims(x.dims.size(), ir::kDynamicDim);
    // With known scales, static dims are computable and a scale of exactly 1
    // keeps even a dynamic dim (typical: the batch).
    if (scales != nullptr && static_cast<size_t>(scales->num_elements()) == dims.size()) {
      for (size_t i = 0; i < dims.size(); ++i) {
        const float s = scales->data<float>()[i];
        if (s == 1.0f) {
          dims[i] = x.dims[i];
        } else if (x.dims[i] >= 0 && s > 0 && s < 1e6f) {
          dims[i] = static_cast<int64_t>(std::floor(static_cast<double>(x.dims[i]) * s));
        }
      }
    }
    ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
    return Status::Ok();
  }
  std::vector<int64_t> dims;
  std::vector<double> used;
  QF_RETURN_IF_ERROR(ComputeResizeShape(x.dims, scales, sizes, &dims, &used).WithContext(prefix));
  ctx.outputs[0] = MakeType(x.dtype, std::move(dims));
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  QF_RETURN_IF_ERROR(InferShape(ctx));
  // Nearest-neighbour resizing only copies values: a quantized input keeps its (S, Z).
  ForwardPerTensorQuant(ctx.input(0), &ctx.outputs[0]);
  return Status::Ok();
}

OpFacts RefineFacts(const OpFacts& row, const ir::Graph& g, const ir::Node& n) {
  OpFacts f = row;
  f.shift_exact = n.attrs.GetString("mode", "nearest") == "nearest" ? Fact::kYes : Fact::kNo;
  return f;
}

}  // namespace resize
}  // namespace qforge::ops
