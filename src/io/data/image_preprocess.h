// Decoding and preprocessing of one image (see ImagePreprocess for the order
// of the steps). Internal to the image folder data set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "io/data/dataset.h"
#include "io/data/image_decode.h"

namespace qforge::io {

// Decodes `bytes` (from file `name`) with `channels` channels, resizes the
// shorter side to pre.resize (PIL's bilinear, image_resize.h) if set, then center crops to
// *height x *width. If *height or *width is 0 it is taken from the (resized)
// image instead. Returns HWC pixels in 0..255. Errors as DecodeImage's; an
// image too small for the crop is also an InvalidArgument naming the file.
Result<std::vector<float>> DecodeResizeCrop(std::string_view bytes, const std::string& name,
                                            const ImagePreprocess& pre, int channels, int* height,
                                            int* width);

// Applies scale, mean/std and channel order to HWC pixels and writes them to
// `dst` in NCHW (one sample: C*H*W) or NHWC order.
void NormalizeImage(const std::vector<float>& hwc, int channels, int height, int width,
                    const ImagePreprocess& pre, float* dst);

}  // namespace qforge::io
