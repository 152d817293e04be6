// Resize attributes and shape rules shared by the Resize shape inference and
// its reference kernel.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/attribute.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::ops {

enum class ResizeMode { kNearest, kLinear };
enum class CoordMode {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNearest,
  kTfCropAndResize
};
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct ResizeAttrs {
  ResizeMode mode = ResizeMode::kNearest;
  CoordMode coord = CoordMode::kHalfPixel;
  NearestMode nearest = NearestMode::kRoundPreferFloor;
  float extrapolation_value = 0.0f;  // tf_crop_and_resize only
};

// Reads and validates the attributes. cubic, antialias, a non-"stretch"
// keep_aspect_ratio_policy, `axes` and half_pixel_symmetric are Unsupported.
// Errors carry no node prefix.
Status ParseResizeAttrs(const ir::Attributes& attrs, ResizeAttrs* out);

// True when an optional Resize input (roi, scales, sizes) is present with at
// least one element; opset 11-12 models pass an empty `scales` next to `sizes`.
bool ResizeInputGiven(const Tensor* t);

// Output dims and the per-axis scale used by the coordinate transform: the
// given scales (output dim = floor(in * scale)), or output/input for sizes.
Status ComputeResizeShape(const std::vector<int64_t>& in, const Tensor* scales, const Tensor* sizes,
                          std::vector<int64_t>* out, std::vector<double>* used_scales);

}  // namespace qforge::ops
