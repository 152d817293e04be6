// Decoding of one image file (JPEG, PNG, binary PNM, BMP) into 8-bit pixels.
// Internal to the image folder data set.
//
// Why not stb_image: it is not hardened against hostile files (fuzzing found
// an out-of-bounds write, a signed overflow and a memcpy from null in the
// Debian copy). JPEG and PNG go through libjpeg-turbo and libpng, which
// OSS-Fuzz fuzzes continuously; PNM and BMP, simple formats, through
// qforge's own bounds-checked parsers (docs/design/dependencies.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qforge/status.h"

namespace qforge::io {

// Images whose decoded size exceeds this many pixels (8192 x 8192) are
// refused before decoding, whatever their (possibly hostile) header claims;
// so are images whose decoded float pixels exceed the memory budget.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 26;

struct DecodedImage {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // HWC, height * width * channels
};

// Decodes `bytes` (from file `name`, the format told by its magic bytes) to
// `channels` (1 or 3) channels: gray is replicated to RGB; RGB becomes gray
// with PIL's convert("L") weights (ITU-R 601-2 luma); alpha is dropped
// (as PIL's convert("RGB") does). A corrupt or truncated file, or one whose
// size is outside kMaxImagePixels, is InvalidArgument naming the file; one
// whose float pixels (height * width * channels * 4 bytes) are over
// MemoryLimit() is ResourceExhausted; a valid file in a variant qforge does
// not decode (CMYK JPEG, compressed BMP, ASCII PNM...) is Unsupported.
Result<DecodedImage> DecodeImage(std::string_view bytes, const std::string& name, int channels);

}  // namespace qforge::io
