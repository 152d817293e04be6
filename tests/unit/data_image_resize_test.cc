// Image resizing against PIL: Image.resize(..., BILINEAR) on mode "F" images,
// the oracle written by tests/data/image_resize/make_fixtures.py, and the
// thin images the fuzzer found slow.
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
#include "test_util.h"

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

// A binary PGM of the given size with a ramp of gray values.
std::string RampPgm(int width, int height) {
  std::string pgm = "P5\n" + std::to_string(width) + " " + std::to_string(height) + "\n255\n";
  for (int i = 0; i < width * height; ++i) pgm.push_back(static_cast<char>(i * 7 % 256));
  return pgm;
}

// The shape of the fuzzer's 12x16649 JPEG (tests/fuzz/corpus/image/
// fuzz_stbir_downsample_slow, now refused as truncated): stb_image_resize
// took seconds on a thin image shrunk to shorter side 7; the two-pass
// resampler's work is linear in the pixels, so this runs in milliseconds.
TEST(ImageResizeTest, ThinImageResizes) {
  const std::string file = RampPgm(12, 16649);
  ImagePreprocess pre;
  pre.grayscale = true;
  pre.resize = 7;
  int height = 0, width = 0;
  Result<std::vector<float>> px = DecodeResizeCrop(file, "thin.pgm", pre, 1, &height, &width);
  ASSERT_TRUE(px.ok()) << px.status().ToString();
  EXPECT_EQ(width, 7);
  EXPECT_EQ(height, 9711);
  ASSERT_EQ(px->size(), size_t{7} * 9711);
  for (float v : *px) {
    EXPECT_GE(v, -1e-3f);
    EXPECT_LE(v, 255.0f + 1e-3f);
  }
}

// The other way round: a 2609x1 image asked for shorter side 40 is
// 104360x40 after resizing, 50 MB of floats from 2.6 KB of pixels. The
// resized size is checked against the memory budget before resampling.
TEST(ImageResizeTest, ResizeOverTheBudgetIsRefusedBeforeResampling) {
  const std::string file = RampPgm(2609, 1);
  ImagePreprocess pre;
  pre.resize = 40;
  int height = 0, width = 0;
  {
    testing::MemoryLimitGuard budget(uint64_t{8} << 20);
    Result<std::vector<float>> px = DecodeResizeCrop(file, "thin.pgm", pre, 3, &height, &width);
    ASSERT_FALSE(px.ok());
    EXPECT_EQ(px.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(px.status().message().find("thin.pgm: resizing 2609x1 to 104360x40"), std::string::npos)
        << px.status().ToString();
  }
  Result<std::vector<float>> px = DecodeResizeCrop(file, "thin.pgm", pre, 3, &height, &width);
  ASSERT_TRUE(px.ok()) << px.status().ToString();
  EXPECT_EQ(height, 40);
  EXPECT_EQ(width, 104360);
}

std::string ReadCorpusFile(const std::string& rel) {
  std::ifstream f(SourcePath(rel), std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The 1M-execution soak's slow unit (selector 0x6e: RGB, shorter side 40,
// crop 1): a 246-byte JPEG declaring 2609x12576 whose scan data ends at an
// EOI marker after a few blocks. libjpeg warns and invents the other 33M
// pixels as gray (6.6 s under ASan with the resize); qforge refuses the file
// as truncated at the warning, under the default budget, in milliseconds.
// Under the fuzzers' 8 MiB budget the header alone refuses it.
TEST(ImageResizeTest, JpegWithScanDataEndingEarlyIsTruncatedNotInvented) {
  const std::string file = ReadCorpusFile("tests/fuzz/corpus/image/fuzz_jpeg_premature_eoi_slow");
  ASSERT_GT(file.size(), 1u) << "missing corpus file";
  ASSERT_EQ(static_cast<uint8_t>(file[0]), 0x6e);
  ImagePreprocess pre;
  pre.resize = 40;
  int height = 1, width = 1;
  Result<std::vector<float>> px =
      DecodeResizeCrop(std::string_view(file).substr(1), "thin.jpg", pre, 3, &height, &width);
  ASSERT_FALSE(px.ok());
  EXPECT_EQ(px.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(px.status().message().find("thin.jpg: truncated JPEG image"), std::string::npos)
      << px.status().ToString();
  {
    testing::MemoryLimitGuard budget(uint64_t{8} << 20);
    px = DecodeResizeCrop(std::string_view(file).substr(1), "thin.jpg", pre, 3, &height, &width);
    ASSERT_FALSE(px.ok());
    EXPECT_EQ(px.status().code(), StatusCode::kResourceExhausted) << px.status().ToString();
  }
}

}  // namespace
}  // namespace qforge::io
