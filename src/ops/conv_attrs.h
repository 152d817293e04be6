// Sliding-window geometry shared by every op that slides a kernel over the
// spatial dims of an (N, C, D1, ..., Dk) tensor: Conv, ConvTranspose,
// MaxPool, AveragePool, and the quantized QLinearConv / ConvInteger.
//
// Two steps, both free of any node or graph so that Infer functions and
// kernels call the same code (kernels recompute the geometry from the
// attributes and the actual input dims instead of carrying it over):
//   1. ParseWindowAttrs reads auto_pad, strides, dilations, pads and
//      ceil_mode for a known kernel shape and checks them against the spec.
//   2. ResolveForwardWindow / ResolveTransposedWindow turn them plus the input
//      spatial dims into output dims and resolved begin/end pads.
// Errors are InvalidModel / Unsupported Statuses without a node prefix;
// Infer callers add it with WithNode().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ops/infer.h"
#include "qforge/status.h"

namespace qforge::ops {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Window attributes of one node, validated, before input dims are known.
struct WindowAttrs {
  AutoPad auto_pad = AutoPad::kNotSet;
  std::vector<int64_t> kernel;     // kernel spatial shape, all >= 1
  std::vector<int64_t> strides;    // all >= 1, default 1
  std::vector<int64_t> dilations;  // all >= 1, default 1
  std::vector<int64_t> pads;       // [x1_begin, x2_begin, ..., x1_end, ...], all >= 0; zeros unless NOTSET
  bool ceil_mode = false;          // pooling only; conv callers leave the attribute absent
  int spatial_rank() const { return static_cast<int>(kernel.size()); }
};

// What to do with non-zero `pads` next to auto_pad other than NOTSET.
enum class PadsWithAutoPad {
  kReject,  // InvalidModel, as the spec forbids the combination.
  kIgnore,  // auto_pad decides, as in ONNX Runtime; the integer convolutions
            // have always accepted such models and keep doing so.
};

// Reads the window attributes for `kernel` (already resolved by the caller:
// kernel_shape, or the weight's spatial dims). `pads` is checked (length,
// range) even where `pads_with_auto_pad` ignores it.
Status ParseWindowAttrs(const ir::Attributes& attrs, const std::vector<int64_t>& kernel, WindowAttrs* out,
                        PadsWithAutoPad pads_with_auto_pad = PadsWithAutoPad::kReject);

// Resolves the kernel shape of a conv-like op: the kernel_shape attribute if
// present (it must then equal the weight's spatial dims where those are
// known), else the weight's spatial dims (which must then be static).
Status ResolveKernelShape(const ir::Attributes& attrs, const std::vector<int64_t>& weight_spatial,
                          std::vector<int64_t>* kernel);

// Window geometry resolved for given input spatial dims.
struct WindowGeometry {
  std::vector<int64_t> in;   // input spatial dims (kDynamicDim allowed)
  std::vector<int64_t> out;  // output spatial dims; kDynamicDim where not computable
  std::vector<int64_t> kernel, strides, dilations;
  std::vector<int64_t> pad_begin;  // resolved; meaningless where `in` is dynamic
  std::vector<int64_t> pad_end;
};

// Conv and pooling: out = floor((in + pb + pe - ((k - 1) * d + 1)) / s) + 1
// (ceil instead of floor with ceil_mode, dropping a last window that would
// start past the input and its begin pad, as PyTorch and ONNX Runtime do).
// SAME_*: out = ceil(in / s), total pad = max(0, (out - 1) * s + eff_k - in),
// SAME_UPPER puts the odd element at the end, SAME_LOWER at the begin.
// VALID: no pads. An output dim < 1 for a known input dim is an error.
Status ResolveForwardWindow(const WindowAttrs& a, const std::vector<int64_t>& in_spatial, WindowGeometry* g);

// A conv node's shape: input X [N, C, D1..Dk], weight W [M, C/group, k1..kk]
// and the forward window over D1..Dk. Dims may be kDynamicDim (inference).
struct ConvShape {
  int64_t batch = 0;         // N
  int64_t in_channels = 0;   // C
  int64_t out_channels = 0;  // M
  int64_t group = 1;
  WindowGeometry window;
  // [N, M, window.out...].
  std::vector<int64_t> OutputDims() const;
};

// Checks the ranks (X at least 3-D, W of X's rank), `group` and the channel
// counts against each other, then resolves the window (ResolveKernelShape,
// ParseWindowAttrs, ResolveForwardWindow). Any number of spatial dims: the
// integer convolutions (QLinearConv, ConvInteger) resolve their shape here
// in both Infer and the kernel, so the two agree.
Status ResolveConvShape(const ir::Attributes& attrs, std::span<const int64_t> x, std::span<const int64_t> w,
                        ConvShape* out, PadsWithAutoPad pads_with_auto_pad = PadsWithAutoPad::kReject);

// ConvTranspose. Without output_shape: out = s * (in - 1) + output_padding +
// eff_k - pb - pe, with SAME_* giving out = in * s. With output_shape (the
// spatial dims, or N, C and the spatial dims) the total padding follows from
// it and is split as the spec says (python floor division, so a negative
// total, i.e. an output larger than the full result, pads at the end).
Status ResolveTransposedWindow(const WindowAttrs& a, const std::vector<int64_t>& in_spatial,
                               const std::vector<int64_t>& output_padding,
                               const std::vector<int64_t>& output_shape, WindowGeometry* g);

// The geometry of a 1-, 2- or 3-D window as three dims, with leading unit
// dims (size 1, stride 1, no pad) for lower ranks, so reference kernels are
// written once as 3-D loops. Dims must be static.
struct Window3D {
  int64_t in[3], out[3], kernel[3], stride[3], dilation[3], pad_begin[3], pad_end[3];
};
Window3D ToWindow3D(const WindowGeometry& g);

// The taps of output position `o` along `axis` of a window: kernel indices
// [begin, end) land inside the input; the first `in_pads` indices land before
// the end pad's edge (the taps count_include_pad counts). Loops over
// [begin, end) cost what the input holds, not what the kernel claims: a
// hostile 11M-wide window over a 6-wide input padded by 5.5M visits 6 taps.
struct TapRange {
  int64_t begin, end, in_pads;
};
TapRange WindowTaps(const Window3D& g, int axis, int64_t o);
// The three axes' taps of output position `o`, with the number of taps
// inside the input (`valid`) and inside input + pads (`padded`).
struct WindowSpan {
  TapRange t[3];
  int64_t valid, padded;
};
WindowSpan WindowTapsAt(const Window3D& g, const int64_t o[3]);

// Adds "node 'x' (Op): " to a context-free error.
Status WithNode(const InferContext& ctx, const Status& s);

// Floor division for possibly negative numerators (den > 0).
inline int64_t FloorDiv(int64_t num, int64_t den) {
  int64_t q = num / den;
  return (num % den != 0 && num < 0) ? q - 1 : q;
}

}  // namespace qforge::ops
