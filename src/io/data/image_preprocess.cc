#include "io/data/image_preprocess.h"

#include <cmath>

#include "core/size_math.h"
#include "io/data/image_resize.h"

namespace qforge::io {
namespace {

std::string SizeString(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

}  // namespace

Result<std::vector<float>> DecodeResizeCrop(std::string_view bytes, const std::string& name,
                                            const ImagePreprocess& pre, int channels, int* height,
                                            int* width) {
  QF_ASSIGN_OR_RETURN(DecodedImage decoded, DecodeImage(bytes, name, channels));
  int w = decoded.width, h = decoded.height;
  std::vector<float> img(decoded.pixels.begin(), decoded.pixels.end());
  if (pre.resize > 0) {
    // Shorter side to `resize`, the other scaled to keep the aspect ratio
    // (truncated, as torchvision's Resize(int) does).
    int nw = pre.resize, nh = pre.resize;
    if (w < h) {
      nh = static_cast<int>(int64_t{pre.resize} * h / w);
    } else if (h < w) {
      nw = static_cast<int>(int64_t{pre.resize} * w / h);
    }
    if (nw <= 0 || nh <= 0 || int64_t{nw} * nh > kMaxImagePixels) {
      return InvalidArgument(name + ": resizing " + SizeString(w, h) + " to shorter side " +
                             std::to_string(pre.resize) + " gives an unusable size " + SizeString(nw, nh));
    }
    // A thin image (1x2609 asked for a shorter side of 40) resizes to far
    // more pixels than it decoded to: the resized floats must fit the memory
    // budget like the decoded ones, and the resampling work (linear in input
    // plus output) is then bounded too. Checked before any of it is done.
    QF_RETURN_IF_ERROR(
        CheckedTensorBytes(DataType::kFloat32, {{nh, nw, channels}},
                           name + ": resizing " + SizeString(w, h) + " to " + SizeString(nw, nh))
            .status());
    img = ResizeBilinear(std::move(img), h, w, channels, nh, nw);
    w = nw;
    h = nh;
  }
  if (*height == 0) *height = h;
  if (*width == 0) *width = w;
  const int ch = *height, cw = *width;
  if (ch > h || cw > w) {
    return InvalidArgument(name + ": image is " + SizeString(w, h) +
                           (pre.resize > 0 ? " after resizing" : "") + ", smaller than the " +
                           SizeString(cw, ch) + " crop (set a resize size)");
  }
  if (ch == h && cw == w) return img;
  // Center crop with torchvision's offsets: round((h - ch) / 2), ties to even.
  const int top = static_cast<int>(std::nearbyint((h - ch) / 2.0));
  const int left = static_cast<int>(std::nearbyint((w - cw) / 2.0));
  std::vector<float> out(static_cast<size_t>(ch) * static_cast<size_t>(cw) * static_cast<size_t>(channels));
  for (int y = 0; y < ch; ++y) {
    const float* src = img.data() + (static_cast<size_t>(y + top) * w + left) * channels;
    std::copy(src, src + static_cast<size_t>(cw) * channels,
              out.data() + static_cast<size_t>(y) * cw * channels);
  }
  return out;
}

void NormalizeImage(const std::vector<float>& hwc, int channels, int height, int width,
                    const ImagePreprocess& pre, float* dst) {
  const size_t plane = static_cast<size_t>(height) * static_cast<size_t>(width);
  for (int c = 0; c < channels; ++c) {
    const int src_c = pre.bgr ? channels - 1 - c : c;  // output channel c reads input channel src_c
    const float mean = pre.mean.empty() ? 0.0f : pre.mean[pre.mean.size() == 1 ? 0 : static_cast<size_t>(c)];
    const float std = pre.std.empty() ? 1.0f : pre.std[pre.std.size() == 1 ? 0 : static_cast<size_t>(c)];
    for (size_t p = 0; p < plane; ++p) {
      const float v = (hwc[p * channels + src_c] * pre.scale - mean) / std;
      if (pre.nhwc) {
        dst[p * channels + c] = v;
      } else {
        dst[c * plane + p] = v;
      }
    }
  }
}

}  // namespace qforge::io
