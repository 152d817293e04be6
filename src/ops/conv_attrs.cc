#include "ops/conv_attrs.h"

#include <algorithm>

#include "ir/graph.h"

namespace qforge::ops {

namespace {

// Window values (kernel, stride, dilation, pads, spatial dims) beyond 2^30
// are surely hostile; the bound keeps every expression below (at most two
// 2^60 products plus small terms) inside int64.
constexpr int64_t kMaxWindowValue = int64_t{1} << 30;

// "must be in [lo, 1073741824]": the message names the limit, so a value
// over it is not reported as if it were too small.
std::string InRange(int64_t lo) {
  return "must be in [" + std::to_string(lo) + ", " + std::to_string(kMaxWindowValue) + "]";
}

Status ReadPositiveList(const ir::Attributes& attrs, const std::string& name, size_t rank,
                        std::vector<int64_t>* out) {
  *out = attrs.GetInts(name, std::vector<int64_t>(rank, 1));
  if (out->size() != rank) {
    return InvalidModel(name + " has " + std::to_string(out->size()) + " values, expected " +
                        std::to_string(rank));
  }
  for (int64_t v : *out) {
    if (v < 1 || v > kMaxWindowValue) return InvalidModel(name + " " + DimsToString(*out) + " " + InRange(1));
  }
  return Status::Ok();
}

}  // namespace

Status ParseWindowAttrs(const ir::Attributes& attrs, const std::vector<int64_t>& kernel, WindowAttrs* out,
                        PadsWithAutoPad pads_with_auto_pad) {
  const size_t rank = kernel.size();
  if (rank == 0) return InvalidModel("window ops need at least one spatial dim");
  out->kernel = kernel;
  for (int64_t k : kernel) {
    if (k < 1 || k > kMaxWindowValue)
      return InvalidModel("kernel shape " + DimsToString(kernel) + " " + InRange(1));
  }
  const std::string auto_pad = attrs.GetString("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    out->auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    out->auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    out->auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    out->auto_pad = AutoPad::kValid;
  } else {
    return InvalidModel("auto_pad '" + auto_pad + "' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  QF_RETURN_IF_ERROR(ReadPositiveList(attrs, "strides", rank, &out->strides));
  QF_RETURN_IF_ERROR(ReadPositiveList(attrs, "dilations", rank, &out->dilations));
  out->pads.assign(2 * rank, 0);
  if (attrs.Has("pads")) {
    std::vector<int64_t> pads = attrs.GetInts("pads");
    if (pads.size() != 2 * rank) {
      return InvalidModel("pads has " + std::to_string(pads.size()) + " values, expected " +
                          std::to_string(2 * rank));
    }
    for (int64_t p : pads) {
      if (p < 0 || p > kMaxWindowValue) return InvalidModel("pads " + DimsToString(pads) + " " + InRange(0));
    }
    // Exporters often write explicit zero pads next to auto_pad; only real
    // pads contradict it.
    const bool all_zero = std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
    if (out->auto_pad != AutoPad::kNotSet && !all_zero && pads_with_auto_pad == PadsWithAutoPad::kReject) {
      return InvalidModel("pads " + DimsToString(pads) + " given together with auto_pad " + auto_pad);
    }
    if (out->auto_pad == AutoPad::kNotSet) out->pads = pads;
  }
  const int64_t ceil_mode = attrs.GetInt("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) return InvalidModel("ceil_mode must be 0 or 1");
  out->ceil_mode = ceil_mode == 1;
  return Status::Ok();
}

Status ResolveKernelShape(const ir::Attributes& attrs, const std::vector<int64_t>& weight_spatial,
                          std::vector<int64_t>* kernel) {
  if (attrs.Has("kernel_shape")) {
    *kernel = attrs.GetInts("kernel_shape");
    if (kernel->size() != weight_spatial.size()) {
      return InvalidModel("kernel_shape " + DimsToString(*kernel) + " does not match the weight's " +
                          std::to_string(weight_spatial.size()) + " spatial dims");
    }
    for (size_t i = 0; i < kernel->size(); ++i) {
      if (weight_spatial[i] >= 0 && weight_spatial[i] != (*kernel)[i]) {
        return InvalidModel("kernel_shape " + DimsToString(*kernel) +
                            " differs from the weight's spatial dims " + DimsToString(weight_spatial));
      }
    }
    return Status::Ok();
  }
  for (int64_t d : weight_spatial) {
    if (d < 0) return Unsupported("weight spatial dims " + DimsToString(weight_spatial) + " are dynamic");
  }
  *kernel = weight_spatial;
  return Status::Ok();
}

Status ResolveForwardWindow(const WindowAttrs& a, const std::vector<int64_t>& in_spatial, WindowGeometry* g) {
  const size_t rank = a.kernel.size();
  if (in_spatial.size() != rank) {
    return InvalidModel("input has " + std::to_string(in_spatial.size()) + " spatial dims, the kernel " +
                        std::to_string(rank));
  }
  g->in = in_spatial;
  g->kernel = a.kernel;
  g->strides = a.strides;
  g->dilations = a.dilations;
  g->out.assign(rank, ir::kDynamicDim);
  g->pad_begin.assign(rank, 0);
  g->pad_end.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t in = in_spatial[i];
    const int64_t s = a.strides[i];
    const int64_t eff_k = (a.kernel[i] - 1) * a.dilations[i] + 1;
    if (a.auto_pad == AutoPad::kNotSet) {
      g->pad_begin[i] = a.pads[i];
      g->pad_end[i] = a.pads[i + rank];
    }
    if (in < 0) continue;  // dynamic: output unknown too
    if (in > kMaxWindowValue)
      return InvalidModel("input spatial dim " + std::to_string(in) + " " + InRange(0));
    int64_t out = 0;
    switch (a.auto_pad) {
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        out = (in + s - 1) / s;
        const int64_t total = std::max<int64_t>(0, (out - 1) * s + eff_k - in);
        const int64_t small = total / 2;
        g->pad_begin[i] = a.auto_pad == AutoPad::kSameUpper ? small : total - small;
        g->pad_end[i] = total - g->pad_begin[i];
        break;
      }
      case AutoPad::kValid:
      case AutoPad::kNotSet: {
        const int64_t span = in + g->pad_begin[i] + g->pad_end[i] - eff_k;
        if (span < 0) {
          return InvalidModel("kernel extent " + std::to_string(eff_k) + " exceeds the padded input extent " +
                              std::to_string(in + g->pad_begin[i] + g->pad_end[i]));
        }
        out = (a.ceil_mode ? (span + s - 1) / s : span / s) + 1;
        // A ceil-mode window must start inside the input or its begin pad.
        if (a.ceil_mode && (out - 1) * s >= in + g->pad_begin[i]) --out;
        break;
      }
    }
    if (out < 1) return InvalidModel("output spatial dim " + std::to_string(out) + " is empty");
    g->out[i] = out;
  }
  return Status::Ok();
}

std::vector<int64_t> ConvShape::OutputDims() const {
  std::vector<int64_t> dims = {batch, out_channels};
  dims.insert(dims.end(), window.out.begin(), window.out.end());
  return dims;
}

Status ResolveConvShape(const ir::Attributes& attrs, std::span<const int64_t> x, std::span<const int64_t> w,
                        ConvShape* out, PadsWithAutoPad pads_with_auto_pad) {
  if (x.size() < 3) return InvalidModel("input X must have rank >= 3 ([N, C, D...]), got " + DimsToString(x));
  if (w.size() != x.size()) {
    return InvalidModel("weight W " + DimsToString(w) + " must have the rank of input X " + DimsToString(x));
  }
  out->batch = x[0];
  out->in_channels = x[1];
  out->out_channels = w[0];
  out->group = attrs.GetInt("group", 1);
  const int64_t c = out->in_channels, m = out->out_channels, group = out->group;
  // The bound keeps w[1] * group (a weight dim times it) inside int64.
  if (group < 1 || group > kMaxWindowValue) {
    return InvalidModel("group " + std::to_string(group) + " " + InRange(1));
  }
  if (c >= 0 && c % group != 0) {
    return InvalidModel("input channels " + std::to_string(c) + " not divisible by group " +
                        std::to_string(group));
  }
  if (m >= 0 && m % group != 0) {
    return InvalidModel("output channels " + std::to_string(m) + " not divisible by group " +
                        std::to_string(group));
  }
  if (c >= 0 && w[1] >= 0 && w[1] * group != c) {
    return InvalidModel("weight has " + std::to_string(w[1]) + " input channels per group, input has " +
                        std::to_string(c) + " channels in " + std::to_string(group) + " groups");
  }
  std::vector<int64_t> kernel;
  QF_RETURN_IF_ERROR(ResolveKernelShape(attrs, {w.begin() + 2, w.end()}, &kernel));
  WindowAttrs wa;
  QF_RETURN_IF_ERROR(ParseWindowAttrs(attrs, kernel, &wa, pads_with_auto_pad));
  return ResolveForwardWindow(wa, {x.begin() + 2, x.end()}, &out->window);
}

Status ResolveTransposedWindow(const WindowAttrs& a, const std::vector<int64_t>& in_spatial,
                               const std::vector<int64_t>& output_padding,
                               const std::vector<int64_t>& output_shape, WindowGeometry* g) {
  const size_t rank = a.kernel.size();
  if (in_spatial.size() != rank) {
    return InvalidModel("input has " + std::to_string(in_spatial.size()) + " spatial dims, the kernel " +
                        std::to_string(rank));
  }
  std::vector<int64_t> opad = output_padding.empty() ? std::vector<int64_t>(rank, 0) : output_padding;
  if (opad.size() != rank)
    return InvalidModel("output_padding " + DimsToString(opad) + " has the wrong length");
  for (size_t i = 0; i < rank; ++i) {
    if (opad[i] < 0 || opad[i] > kMaxWindowValue) {
      return InvalidModel("output_padding " + DimsToString(opad) + " " + InRange(0));
    }
  }
  std::vector<int64_t> oshape = output_shape;
  if (oshape.size() == rank + 2) oshape.erase(oshape.begin(), oshape.begin() + 2);  // N, C given too
  if (!oshape.empty() && oshape.size() != rank) {
    return InvalidModel("output_shape " + DimsToString(output_shape) + " has the wrong length");
  }
  for (int64_t d : oshape) {
    if (d < 1 || d > kMaxWindowValue)
      return InvalidModel("output_shape " + DimsToString(output_shape) + " " + InRange(1));
  }
  g->in = in_spatial;
  g->kernel = a.kernel;
  g->strides = a.strides;
  g->dilations = a.dilations;
  g->out.assign(rank, ir::kDynamicDim);
  g->pad_begin.assign(rank, 0);
  g->pad_end.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t in = in_spatial[i];
    const int64_t s = a.strides[i];
    const int64_t eff_k = (a.kernel[i] - 1) * a.dilations[i] + 1;
    if (a.auto_pad == AutoPad::kNotSet) {
      g->pad_begin[i] = a.pads[i];
      g->pad_end[i] = a.pads[i + rank];
    }
    if (in < 0) {
      if (!oshape.empty()) g->out[i] = oshape[i];
      continue;
    }
    if (in < 1 || in > kMaxWindowValue)
      return InvalidModel("input spatial dim " + std::to_string(in) + " " + InRange(1));
    const int64_t full = s * (in - 1) + opad[i] + eff_k;  // output extent before cropping pads
    const bool same = a.auto_pad == AutoPad::kSameUpper || a.auto_pad == AutoPad::kSameLower;
    if (!oshape.empty() || same) {
      const int64_t out = oshape.empty() ? in * s : oshape[i];
      const int64_t total = full - out;
      const int64_t half = FloorDiv(total, 2);
      if (a.auto_pad == AutoPad::kSameUpper) {
        g->pad_begin[i] = half;
        g->pad_end[i] = total - half;
      } else {
        g->pad_begin[i] = total - half;
        g->pad_end[i] = half;
      }
      g->out[i] = out;
    } else {
      g->out[i] = full - g->pad_begin[i] - g->pad_end[i];
    }
    if (g->out[i] < 1) return InvalidModel("output spatial dim " + std::to_string(g->out[i]) + " is empty");
  }
  return Status::Ok();
}

Window3D ToWindow3D(const WindowGeometry& g) {
  Window3D w;
  const int rank = static_cast<int>(g.kernel.size());
  const int lead = 3 - rank;
  for (int i = 0; i < 3; ++i) {
    const int j = i - lead;
    const bool real = j >= 0;
    w.in[i] = real ? g.in[j] : 1;
    w.out[i] = real ? g.out[j] : 1;
    w.kernel[i] = real ? g.kernel[j] : 1;
    w.stride[i] = real ? g.strides[j] : 1;
    w.dilation[i] = real ? g.dilations[j] : 1;
    w.pad_begin[i] = real ? g.pad_begin[j] : 0;
    w.pad_end[i] = real ? g.pad_end[j] : 0;
  }
  return w;
}

TapRange WindowTaps(const Window3D& g, int axis, int64_t o) {
  const int64_t d = g.dilation[axis], k = g.kernel[axis];
  // Input index of tap t: first + t * d.
  const int64_t first = o * g.stride[axis] - g.pad_begin[axis];
  const auto taps_below = [&](int64_t limit) {  // taps t in [0, k) with first + t * d < limit
    return std::clamp<int64_t>(limit - first <= 0 ? 0 : (limit - first + d - 1) / d, 0, k);
  };
  TapRange r;
  r.begin = taps_below(0);
  r.end = std::max(r.begin, taps_below(g.in[axis]));
  r.in_pads = taps_below(g.in[axis] + g.pad_end[axis]);
  return r;
}

WindowSpan WindowTapsAt(const Window3D& g, const int64_t o[3]) {
  WindowSpan w;
  w.valid = w.padded = 1;
  for (int a = 0; a < 3; ++a) {
    w.t[a] = WindowTaps(g, a, o[a]);
    w.valid *= w.t[a].end - w.t[a].begin;
    w.padded *= w.t[a].in_pads;
  }
  return w;
}

Status WithNode(const InferContext& ctx, const Status& s) {
  return s.WithContext(ctx.graph->Describe(*ctx.node) + ": ");
}

}  // namespace qforge::ops
