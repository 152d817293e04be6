// qforge's own int8 convolution (and fully connected layer) for x86: NHWC
// activations, weights prepacked once at Create, requantization fused, one
// implementation per ISA chosen at Create (cpu_features.h).
//
// Numerics are bit-exact with the reference kernels (ref/int_conv.cc) for both
// requantization rules of the quantized IR:
//   acc[c] = bias[c] + sum_k (x[k] - Zx) * w[c, k]   (padding reads Zx: adds 0),
//            wrapped to int32 exactly as ChannelRequant::Apply wraps it;
//   kFixedPoint: y = clamp(Zy + MultiplyByQuantizedMultiplier(acc, m[c], shift[c]))
//   kFloat:      y = clamp(Zy + round_half_even(float(acc) * real[c]))
// with clamp to [output_min, output_max] (the fused activation folded in).
//
// A fully connected layer is a 1x1 convolution on a 1x1 image with the rows
// as the batch: Run(x, batch = rows, in_h = 1, in_w = 1, ...), x [rows, K],
// y [rows, N].
//
// Threading: Run splits rows and output channels over the pthreadpool's
// threads (nullptr pool: the calling thread). The caller provides the
// scratch: at least WorkspaceBytes(..., threads) bytes where threads is
// pthreadpool_get_threads_count(pool) (1 for a nullptr pool). Run allocates
// nothing and may be called concurrently on one QConv with distinct
// workspaces.
#pragma once

#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "kernels/x86/cpu_features.h"
#include "qforge/status.h"
#include "qscheme/arithmetic.h"

namespace qforge::kernels::x86 {

struct QConvDesc {
  int in_channels = 0, out_channels = 0;  // groups == 1
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int32_t input_zero_point = 0, output_zero_point = 0;  // int8 domain [-128, 127]
  int32_t output_min = -128, output_max = 127;          // int8 clamp, fused activation folded in
  ir::Requantization rule = ir::Requantization::kFixedPoint;
  // Rule kFixedPoint: one per output channel, or one for all.
  std::vector<quant::QuantizedMultiplier> fixed;
  // Rule kFloat: float(S_x * S_w[c] / S_y) per output channel, or one for all.
  std::vector<float> real;
};

// The packed form an ISA kernel consumes (qconv_internal.h).
struct QConvPacked;

class QConv {
 public:
  // w_oihw: [out_channels, in_channels, kernel_h, kernel_w] int8, symmetric
  // (zero point 0); bias: out_channels int32, or nullptr for none. `isa`
  // must be supported by the CPU (IsaSupported); BestIsa() is the usual
  // choice. InvalidArgument for an inconsistent descriptor (sizes, zero
  // points or clamp outside int8, multipliers out of range or of the wrong
  // count); Unsupported for a reduction so long (> 65536 terms) that the
  // int32 accumulator might wrap where the reference's int64 would not.
  static Result<std::unique_ptr<QConv>> Create(const QConvDesc& desc, const int8_t* w_oihw,
                                               const int32_t* bias, Isa isa);
  ~QConv();

  // Output spatial size for an input of in_h x in_w (floor mode).
  int OutputHeight(int in_h) const;
  int OutputWidth(int in_w) const;

  // Scratch bytes Run needs with `threads` threads (pool's thread count).
  size_t WorkspaceBytes(int batch, int in_h, int in_w, size_t threads = 1) const;

  // x_nhwc: [batch, in_h, in_w, in_channels]; y_nhwc: [batch, out_h, out_w,
  // out_channels]. workspace: WorkspaceBytes bytes, any alignment. The
  // output size must be >= 1 in both dims (checked by the caller at prepare).
  void Run(const int8_t* x_nhwc, int batch, int in_h, int in_w, int8_t* y_nhwc, void* workspace,
           pthreadpool_t pool) const;

  // The hybrid (dynamic-range) form: y_nhwc receives the int32 accumulators
  // acc[r, c] = sum_k (x[k] - input_zero_point) * w[c, k] (wrapped to int32;
  // no bias, no requantization), for an input whose zero point is known only
  // per call. The descriptor's zero points, clamp and multipliers are unused.
  // Same workspace and threading contract as Run.
  void RunInt32(const int8_t* x_nhwc, int32_t input_zero_point, int batch, int in_h, int in_w,
                int32_t* y_nhwc, void* workspace, pthreadpool_t pool) const;

  // Signature name, e.g. "conv2d_qs8_qc8w_fixedpoint_avx512vnni_6x64".
  const char* name() const { return name_.c_str(); }
  Isa isa() const { return isa_; }
  // Bytes of packed weights, bias and requantization parameters.
  size_t packed_bytes() const;

 private:
  QConv() = default;
  QConvDesc desc_;
  Isa isa_ = Isa::kPortable;
  std::string name_;
  std::unique_ptr<QConvPacked> packed_;
};

}  // namespace qforge::kernels::x86
