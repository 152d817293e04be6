// The per-format decoders behind DecodeImage (image_decode.h), one file
// each. Each returns the image in its own channel count (1 or 3, alpha
// dropped) and calls CheckImageSize with the header's size before it
// allocates anything.
#pragma once

#include <string>
#include <string_view>

#include "io/data/image_decode.h"

namespace qforge::io::image_internal {

// InvalidArgument unless 0 < width, height and width * height <=
// kMaxImagePixels; ResourceExhausted if the float pixels of `channels`
// channels (what preprocessing makes of the image) exceed MemoryLimit().
Status CheckImageSize(int64_t width, int64_t height, int channels, const std::string& name);

// `channels` is the caller's (for CheckImageSize), not the output's.
Result<DecodedImage> DecodeJpeg(std::string_view bytes, const std::string& name, int channels);
Result<DecodedImage> DecodePng(std::string_view bytes, const std::string& name, int channels);
Result<DecodedImage> DecodePnm(std::string_view bytes, const std::string& name, int channels);
Result<DecodedImage> DecodeBmp(std::string_view bytes, const std::string& name, int channels);

}  // namespace qforge::io::image_internal
