// qforge_layer_bench: the Conv and Gemm layers of a model, extracted with
// their real shapes, weights and quantization parameters, in a form every
// backend (XNNPACK, oneDNN, qforge's own kernels) can build an operator from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"

namespace qforge::bench {

// Element type of a layer's activations (input and output).
enum class LayerType { kF32, kS8, kU8 };
const char* LayerTypeName(LayerType t);

// One Conv (dense, depthwise or grouped) or Gemm node, batch 1, as a 2-D
// convolution over NHWC activations. A Gemm is a 1x1 convolution over a 1x1
// image (in_channels = K, out_channels = N).
struct Layer {
  std::string name;
  bool is_gemm = false;
  LayerType type = LayerType::kF32;
  int in_h = 0, in_w = 0, in_channels = 0;
  int out_h = 0, out_w = 0, out_channels = 0;
  int groups = 1;
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  // Weights [out_channels, in_channels / groups, kernel_h, kernel_w] (OIHW);
  // one of the two is filled, by type.
  std::vector<float> weights_f32;
  std::vector<int8_t> weights_s8;  // symmetric, zero point 0
  std::vector<float> bias_f32;     // out_channels values (zeros when the node has none)
  std::vector<int32_t> bias_s32;   // scale S_x * S_w[c]

  // Quantized layers: per-tensor activations, per-channel (or one) weight scale.
  float x_scale = 1.0f, y_scale = 1.0f;
  int32_t x_zero_point = 0, y_zero_point = 0;
  std::vector<float> w_scales;  // out_channels values (a per-tensor scale is repeated)
  bool per_channel = false;     // the file's weights had one scale per output channel
  // Output clamp: quantized layers in the output type's codes (fused
  // activation included), float layers in real values.
  int32_t q_min = -128, q_max = 127;
  float f_min = -3.4e38f, f_max = 3.4e38f;
  // The graph's requantization rule (qforge's kernels follow it; XNNPACK and
  // oneDNN always requantize in float).
  ir::Requantization rule = ir::Requantization::kFixedPoint;

  bool depthwise() const { return groups > 1 && groups == in_channels && groups == out_channels; }
  int64_t Macs() const;             // multiply-accumulates of one batch-1 run
  std::string ShapeString() const;  // "3x3/2 32->64 @112x112 dw"
  size_t InputElements() const { return static_cast<size_t>(in_h) * in_w * in_channels; }
  size_t OutputElements() const { return static_cast<size_t>(out_h) * out_w * out_channels; }
};

// The Conv and Gemm nodes of `g` in graph order, batch 1 (a dynamic batch dim
// is taken as 1). A node this tool cannot describe (dynamic spatial dims,
// non-constant weights, hybrid types, Gemm with transA or alpha/beta != 1, a
// weight zero point) is an Unsupported error naming it.
Result<std::vector<Layer>> ExtractLayers(const ir::Graph& g);

}  // namespace qforge::bench
