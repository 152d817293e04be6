#include "io/data/image_resize.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace qforge::io {
namespace {

// The input taps of one output index along an axis: input [first, first +
// weights.size()), with weights summing to 1.
struct Taps {
  int first = 0;
  std::vector<double> weights;
};

// PIL's precompute_coeffs for the bilinear filter (support 1), in double like
// PIL: the window is centered on the output pixel's center mapped into the
// input, widened by the scale when shrinking; bounds are rounded by adding 0.5
// and truncating, then clamped to the input.
std::vector<Taps> AxisTaps(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = filterscale;  // bilinear support 1.0 * filterscale
  const double inv_filterscale = 1.0 / filterscale;
  std::vector<Taps> taps(static_cast<size_t>(out_size));
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
    const int xmax = std::min(static_cast<int>(center + support + 0.5), in_size);
    Taps& t = taps[static_cast<size_t>(i)];
    t.first = xmin;
    double sum = 0.0;
    for (int x = xmin; x < xmax; ++x) {
      const double d = std::fabs((x - center + 0.5) * inv_filterscale);
      const double weight = d < 1.0 ? 1.0 - d : 0.0;
      t.weights.push_back(weight);
      sum += weight;
    }
    if (sum != 0.0) {
      for (double& weight : t.weights) weight /= sum;
    }
  }
  return taps;
}

// One pass along an axis of an image viewed as `outer` lines of `in_size`
// elements `stride` floats apart, each element `inner` floats wide (channels,
// or channels * width for the vertical pass). Sums in double and stores
// float, as PIL does between its passes.
std::vector<float> ResampleAxis(const std::vector<float>& src, int outer, int in_size, int inner,
                                const std::vector<Taps>& taps) {
  const size_t out_size = taps.size();
  const size_t in_inner = static_cast<size_t>(inner);
  std::vector<float> dst(static_cast<size_t>(outer) * out_size * in_inner);
  std::vector<double> acc(in_inner);
  for (size_t o = 0; o < static_cast<size_t>(outer); ++o) {
    const float* line = src.data() + o * static_cast<size_t>(in_size) * in_inner;
    float* out_line = dst.data() + o * out_size * in_inner;
    for (size_t i = 0; i < out_size; ++i) {
      const Taps& t = taps[i];
      // Tap by tap over whole rows of `inner` (cache friendly in the vertical
      // pass); each element still sums its taps in PIL's order.
      std::fill(acc.begin(), acc.end(), 0.0);
      for (size_t j = 0; j < t.weights.size(); ++j) {
        const float* in = line + (static_cast<size_t>(t.first) + j) * in_inner;
        for (size_t k = 0; k < in_inner; ++k) acc[k] += in[k] * t.weights[j];
      }
      for (size_t k = 0; k < in_inner; ++k) out_line[i * in_inner + k] = static_cast<float>(acc[k]);
    }
  }
  return dst;
}

}  // namespace

std::vector<float> ResizeBilinear(std::vector<float> img, int h, int w, int channels, int out_h, int out_w) {
  // PIL skips an axis whose size does not change and does the horizontal pass
  // first.
  if (out_w != w) img = ResampleAxis(img, h, w, channels, AxisTaps(w, out_w));
  if (out_h != h) img = ResampleAxis(img, 1, h, out_w * channels, AxisTaps(h, out_h));
  return img;
}

}  // namespace qforge::io
