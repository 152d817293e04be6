#include "ops/qconv_attrs.h"

#include <algorithm>
#include <string>

#include "ir/graph.h"

namespace qforge::ops {

namespace {
constexpr int64_t kMaxAttrValue = int64_t{1} << 31;

bool Known(int64_t d) { return d >= 0; }

// Reads an ints attribute of `count` values (default `def` each) in [lo, 2^31).
Status ReadBounded(const ir::Attributes& attrs, const char* name, size_t count, int64_t def, int64_t lo,
                   std::vector<int64_t>* out) {
  *out = attrs.GetInts(name, std::vector<int64_t>(count, def));
  if (out->size() != count) {
    return InvalidModel(std::string(name) + " has " + std::to_string(out->size()) + " values, expected " +
                        std::to_string(count));
  }
  for (int64_t v : *out) {
    if (v < lo || v >= kMaxAttrValue) {
      return InvalidModel(std::string(name) + " value " + std::to_string(v) + " out of range [" +
                          std::to_string(lo) + ", 2^31)");
    }
  }
  return Status::Ok();
}
}  // namespace

std::vector<int64_t> ConvGeometry::OutputDims() const {
  std::vector<int64_t> dims = {batch, out_channels};
  dims.insert(dims.end(), out_spatial.begin(), out_spatial.end());
  return dims;
}

Status ResolveConvGeometry(const ir::Attributes& attrs, std::span<const int64_t> x,
                           std::span<const int64_t> w, ConvGeometry* g) {
  if (x.size() < 3) return InvalidModel("input X must have rank >= 3 ([N, C, D...]), got " + DimsToString(x));
  if (w.size() != x.size()) {
    return InvalidModel("weight W " + DimsToString(w) + " must have the rank of input X " + DimsToString(x));
  }
  const size_t rank = x.size() - 2;
  g->spatial_rank = static_cast<int>(rank);
  g->batch = x[0];
  g->in_channels = x[1];
  g->out_channels = w[0];
  g->in_spatial.assign(x.begin() + 2, x.end());
  g->group = attrs.GetInt("group", 1);
  if (g->group < 1 || g->group >= kMaxAttrValue) {
    return InvalidModel("group " + std::to_string(g->group) + " must be >= 1");
  }
  if (Known(g->in_channels) && Known(w[1]) && g->in_channels != w[1] * g->group) {
    return InvalidModel("input channels " + std::to_string(g->in_channels) + " != weight channels " +
                        std::to_string(w[1]) + " * group " + std::to_string(g->group));
  }
  if (Known(g->out_channels) && g->out_channels % g->group != 0) {
    return InvalidModel("output channels " + std::to_string(g->out_channels) + " not divisible by group " +
                        std::to_string(g->group));
  }

  if (attrs.Has("kernel_shape")) {
    QF_RETURN_IF_ERROR(ReadBounded(attrs, "kernel_shape", rank, 1, 1, &g->kernel));
    for (size_t i = 0; i < rank; ++i) {
      if (Known(w[i + 2]) && w[i + 2] != g->kernel[i]) {
        return InvalidModel("kernel_shape " + DimsToString(g->kernel) + " does not match weight " +
                            DimsToString(w));
      }
    }
  } else {
    g->kernel.assign(w.begin() + 2, w.end());
  }
  QF_RETURN_IF_ERROR(ReadBounded(attrs, "strides", rank, 1, 1, &g->strides));
  QF_RETURN_IF_ERROR(ReadBounded(attrs, "dilations", rank, 1, 1, &g->dilations));
  std::vector<int64_t> pads;
  QF_RETURN_IF_ERROR(ReadBounded(attrs, "pads", 2 * rank, 0, 0, &pads));
  g->pads_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(rank));
  g->pads_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(rank), pads.end());

  const std::string auto_pad = attrs.GetString("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") {
    return InvalidModel("auto_pad '" + auto_pad + "' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
  }
  g->out_spatial.assign(rank, ir::kDynamicDim);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t in = g->in_spatial[i];
    if (!Known(g->kernel[i])) continue;  // dynamic weight shape without kernel_shape
    if (g->kernel[i] < 1 || g->kernel[i] >= kMaxAttrValue) {
      return InvalidModel("kernel size " + std::to_string(g->kernel[i]) + " out of range");
    }
    const int64_t effective = (g->kernel[i] - 1) * g->dilations[i] + 1;
    if (auto_pad == "VALID") {
      g->pads_begin[i] = g->pads_end[i] = 0;
    } else if (auto_pad != "NOTSET") {
      if (!Known(in)) continue;
      const int64_t out = (in + g->strides[i] - 1) / g->strides[i];
      const int64_t total = std::max<int64_t>(0, (out - 1) * g->strides[i] + effective - in);
      const int64_t small = total / 2;
      g->pads_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      g->pads_end[i] = total - g->pads_begin[i];
    }
    if (!Known(in)) continue;
    const int64_t padded = in + g->pads_begin[i] + g->pads_end[i];
    if (padded < effective) {
      return InvalidModel("padded input size " + std::to_string(padded) + " along spatial axis " +
                          std::to_string(i) + " is smaller than the dilated kernel " +
                          std::to_string(effective));
    }
    g->out_spatial[i] = (padded - effective) / g->strides[i] + 1;
  }
  return Status::Ok();
}

}  // namespace qforge::ops
