// Image resizing against PIL: Image.resize(..., BILINEAR) on mode "F" images,
// the oracle written by tests/data/image_resize/make_fixtures.py, and the
// thin image on which stb_image_resize was quadratic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "io/data/dataset.h"
#include "io/data/image_preprocess.h"
#include "io/data/image_resize.h"

namespace qforge::io {
namespace {

// PIL sums in double and stores float32 like qforge, in the same order: the
// results are bit-identical with GCC 12 here; the slack only allows for a
// compiler contracting the sums into FMAs (values up to a few hundred).
constexpr float kPilTolerance = 1e-3f;

std::string SourcePath(const std::string& rel) { return std::string(QFORGE_SOURCE_DIR) + "/" + rel; }

class PilResizeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PilResizeTest, MatchesPilBilinear) {
  const std::string base = SourcePath("tests/data/image_resize/" + GetParam());
  Result<Tensor> in = ReadNpy(base + "_in.npy");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  Result<Tensor> want = ReadNpy(base + "_out.npy");
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_EQ(in->dims().size(), 3u);
  ASSERT_EQ(want->dims().size(), 3u);
  const int h = static_cast<int>(in->dims()[0]), w = static_cast<int>(in->dims()[1]);
  const int c = static_cast<int>(in->dims()[2]);
  const int oh = static_cast<int>(want->dims()[0]), ow = static_cast<int>(want->dims()[1]);
  ASSERT_EQ(want->dims()[2], c);
  const float* src = in->data<float>();
  std::vector<float> got =
      ResizeBilinear(std::vector<float>(src, src + static_cast<size_t>(h) * w * c), h, w, c, oh, ow);
  ASSERT_EQ(got.size(), static_cast<size_t>(oh) * ow * c);
  const float* expect = want->data<float>();
  float max_diff = 0.0f;
  for (size_t i = 0; i < got.size(); ++i) max_diff = std::max(max_diff, std::fabs(got[i] - expect[i]));
  EXPECT_LE(max_diff, kPilTolerance) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PilResizeTest,
                         ::testing::Values("up_float", "down_rgb", "odd_2ch", "mixed_axes", "thin"));

TEST(ImageResizeTest, SameSizeIsACopy) {
  const std::vector<float> img = {1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f};
  EXPECT_EQ(ResizeBilinear(img, 2, 3, 1, 2, 3), img);
}

// The fuzzer's 12x16649 JPEG (selector byte 5: grayscale, shorter side 7):
// stb_image_resize took seconds on it; the two-pass resampler's work is
// linear in the pixels, so this runs in milliseconds.
TEST(ImageResizeTest, ThinJpegFromTheFuzzerResizes) {
  std::ifstream f(SourcePath("tests/fuzz/corpus/image/fuzz_stbir_downsample_slow"), std::ios::binary);
  ASSERT_TRUE(f) << "missing corpus file";
  const std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GT(file.size(), 1u);
  ASSERT_EQ(file[0], 5);
  ImagePreprocess pre;
  pre.grayscale = true;
  pre.resize = 7;
  int height = 0, width = 0;
  Result<std::vector<float>> px =
      DecodeResizeCrop(std::string_view(file).substr(1), "thin.jpg", pre, 1, &height, &width);
  ASSERT_TRUE(px.ok()) << px.status().ToString();
  EXPECT_EQ(width, 7);
  EXPECT_EQ(height, 9711);
  ASSERT_EQ(px->size(), size_t{7} * 9711);
  for (float v : *px) {
    EXPECT_GE(v, -1e-3f);
    EXPECT_LE(v, 255.0f + 1e-3f);
  }
}

}  // namespace
}  // namespace qforge::io
