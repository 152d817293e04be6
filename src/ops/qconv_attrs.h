// Resolution of ONNX Conv attributes (kernel_shape, strides, dilations, pads,
// auto_pad, group) into concrete geometry, for the integer convolutions
// (QLinearConv, ConvInteger). Shared by their shape inference and their
// kernels, so both agree on every output size and padding.
// TODO(lead): merge with float Conv's helpers in ops/conv_attrs.h.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/attribute.h"
#include "qforge/status.h"

namespace qforge::ops {

struct ConvGeometry {
  int spatial_rank = 0;
  int64_t batch = 0;         // N (kDynamicDim when unknown)
  int64_t in_channels = 0;   // C
  int64_t out_channels = 0;  // M
  int64_t group = 1;
  std::vector<int64_t> in_spatial;  // may hold kDynamicDim at inference time
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;  // resolved (auto_pad applied); 0 where in_spatial is dynamic
  std::vector<int64_t> pads_end;
  std::vector<int64_t> out_spatial;  // kDynamicDim where in_spatial is dynamic

  // Output dims [N, M, out_spatial...].
  std::vector<int64_t> OutputDims() const;
};

// Resolves the geometry of a convolution with input dims `x` ([N, C, D...])
// and weight dims `w` ([M, C/group, k...]). Dims may be kDynamicDim
// (shape inference); the corresponding outputs are then kDynamicDim.
// Returns InvalidModel (attribute values or shapes the ONNX spec forbids) or
// Unsupported, with messages that do not name the node (callers prefix it).
// Attribute values are bounded (< 2^31) so no size computation overflows.
Status ResolveConvGeometry(const ir::Attributes& attrs, std::span<const int64_t> x,
                           std::span<const int64_t> w, ConvGeometry* geometry);

}  // namespace qforge::ops
