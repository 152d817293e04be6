// libFuzzer entry point for qforge's image loading (the image-folder data
// set's decode, resize, crop and normalize): PGM/PPM, PNG, JPEG, BMP bytes.
// The first byte chooses the preprocessing (bit 0: grayscale, bits 1-2: the
// resize, bits 3-4: the crop); the rest is the image file. It must come back
// as a Status naming the file, or as pixels of the size asked for.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "io/data/image_preprocess.h"

namespace {
constexpr int kResize[] = {0, 1, 7, 40};
constexpr int kCrop[] = {0, 1, 5, 24};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  qforge::io::ImagePreprocess pre;
  pre.grayscale = selector & 1;
  pre.resize = kResize[(selector >> 1) & 3];
  pre.crop_h = pre.crop_w = kCrop[(selector >> 3) & 3];
  pre.nhwc = selector & 32;
  pre.bgr = selector & 64;
  const int channels = pre.grayscale ? 1 : 3;
  int height = pre.crop_h, width = pre.crop_w;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  auto pixels = qforge::io::DecodeResizeCrop(bytes, "fuzz.img", pre, channels, &height, &width);
  if (!pixels.ok()) {
    qforge::fuzz::CheckFileError(pixels.status(), "fuzz.img");
    return 0;
  }
  const size_t n = static_cast<size_t>(height) * static_cast<size_t>(width) * static_cast<size_t>(channels);
  if (pixels->size() != n) __builtin_trap();
  std::vector<float> out(n);
  qforge::io::NormalizeImage(*pixels, channels, height, width, pre, out.data());
  return 0;
}
