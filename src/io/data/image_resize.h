// Bilinear resizing of float images, computing what PIL's
// Image.resize(size, Image.BILINEAR) computes for a mode "F" image (Pillow >= 7,
// the antialiasing two-pass resampler in libImaging/Resample.c), which is what
// torchvision's Resize applies to PIL images. Each channel is resized on its
// own. Shrinking widens the triangle filter to the scale (no aliasing), so the
// cost is O(input pixels + output pixels) for any shape: stb_image_resize,
// used before, was quadratic on thin images (issue 12).
#pragma once

#include <vector>

namespace qforge::io {

// Resizes HWC `img` (height h, width w, `channels` interleaved) to
// out_h x out_w. All sizes must be positive; the caller bounds them.
std::vector<float> ResizeBilinear(std::vector<float> img, int h, int w, int channels, int out_h, int out_w);

}  // namespace qforge::io
