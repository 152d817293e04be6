// Image folders: decoding, crop/resize/normalization/layout, class folders and
// errors. Images are written by stb_image_write (a different code path from
// the decoder under test) with pixel values the expectations compute.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "qforge/limits.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

// Pixel (x, y, channel c) of the test pattern, + `offset` per image.
int Pattern(int x, int y, int c, int offset) { return 10 * y + x + 100 * c + offset; }

class ImageFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "qforge_img_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& rel) const { return (fs::path(dir_) / rel).string(); }

  // A w x h PNG with `channels` channels of Pattern(...) values.
  void WritePattern(const std::string& rel, int w, int h, int channels, int offset) const {
    std::vector<uint8_t> px(static_cast<size_t>(w * h * channels));
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        for (int c = 0; c < channels; ++c) {
          px[static_cast<size_t>((y * w + x) * channels + c)] = Pattern(x, y, c, offset);
        }
      }
    }
    fs::create_directories(fs::path(Path(rel)).parent_path());
    ASSERT_NE(stbi_write_png(Path(rel).c_str(), w, h, channels, px.data(), w * channels), 0);
  }
  void WriteSolid(const std::string& rel, int w, int h, uint8_t r, uint8_t g, uint8_t b, bool jpeg) const {
    std::vector<uint8_t> px;
    for (int i = 0; i < w * h; ++i) px.insert(px.end(), {r, g, b});
    fs::create_directories(fs::path(Path(rel)).parent_path());
    const int ok = jpeg ? stbi_write_jpg(Path(rel).c_str(), w, h, 3, px.data(), 100)
                        : stbi_write_png(Path(rel).c_str(), w, h, 3, px.data(), w * 3);
    ASSERT_NE(ok, 0);
  }

  std::string dir_;
};

TEST_F(ImageFolderTest, SortedFilesCenterCroppedToModelInput) {
  WritePattern("imgs/b.png", 6, 4, 3, 1);
  WritePattern("imgs/a.png", 6, 4, 3, 0);
  DataSpec spec{.path = Path("imgs")};
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {-1, 3, 2, 2}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ((*ds)->size(), 2);
  EXPECT_EQ((*ds)->sample_dims(), (std::vector<int64_t>{3, 2, 2}));
  Result<Tensor> t = (*ds)->Read(0, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // 4x6 -> 2x2 center crop starts at row 1, column 2.
  for (int n = 0; n < 2; ++n) {
    for (int c = 0; c < 3; ++c) {
      for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 2; ++x) {
          const float want = static_cast<float>(Pattern(x + 2, y + 1, c, n)) / 255.0f;
          EXPECT_FLOAT_EQ(t->data<float>()[((n * 3 + c) * 2 + y) * 2 + x], want) << n << c << y << x;
        }
      }
    }
  }
  EXPECT_EQ((*ds)->FolderLabels().status().code(), StatusCode::kNotFound);
}

TEST_F(ImageFolderTest, MeanStdBgrAndNhwc) {
  WritePattern("imgs/a.png", 6, 4, 3, 0);
  DataSpec spec{.path = Path("imgs")};
  spec.image = {.crop_h = 2,
                .crop_w = 2,
                .mean = {1, 2, 3},
                .std = {2, 4, 8},
                .scale = 1.0f,
                .bgr = true,
                .nhwc = true};
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {}, DataType::kUndefined);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ((*ds)->sample_dims(), (std::vector<int64_t>{2, 2, 3}));
  Result<Tensor> t = (*ds)->Read(0, 1);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const float mean[] = {1, 2, 3}, std[] = {2, 4, 8};
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 2; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float want = (static_cast<float>(Pattern(x + 2, y + 1, 2 - c, 0)) - mean[c]) / std[c];
        EXPECT_FLOAT_EQ(t->data<float>()[(y * 2 + x) * 3 + c], want) << y << x << c;
      }
    }
  }
}

TEST_F(ImageFolderTest, GrayscaleAndUint8Input) {
  WritePattern("g/a.png", 6, 4, 1, 5);
  DataSpec spec{.path = Path("g")};
  spec.image.grayscale = true;
  spec.image.scale = 1.0f;
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {1, 1, 4, 6}, DataType::kUInt8);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  Result<Tensor> t = (*ds)->Read(0, 1);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dtype(), DataType::kUInt8);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 6; ++x) EXPECT_EQ(t->data<uint8_t>()[y * 6 + x], Pattern(x, y, 0, 5));
  }
  // Without --grayscale a 1-channel model input is a clear error.
  DataSpec rgb{.path = Path("g")};
  Status s = OpenDataset(rgb, {1, 1, 4, 6}, DataType::kFloat32).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("grayscale"), std::string::npos) << s.message();
  // uint8 input with normalization declared: refused.
  spec.image.scale = 1.0f / 255.0f;
  EXPECT_EQ(OpenDataset(spec, {1, 1, 4, 6}, DataType::kUInt8).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ImageFolderTest, ResizeShorterSideThenCrop) {
  WriteSolid("r/solid.png", 8, 4, 10, 20, 30, false);
  DataSpec spec{.path = Path("r")};
  spec.image.resize = 2;
  spec.image.scale = 1.0f;
  // 8x4 -> shorter side 2 -> 4x2, cropped to the model's 2x2.
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {-1, 3, 2, 2}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  Result<Tensor> t = (*ds)->Read(0, 1);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(t->data<float>()[c * 4 + i], 10.0f * (c + 1), 1e-3) << c << i;
  }
  // Dynamic model H/W and no crop: the resized size of the first image.
  Result<std::unique_ptr<Dataset>> dyn = OpenDataset(spec, {-1, 3, -1, -1}, DataType::kFloat32);
  ASSERT_TRUE(dyn.ok()) << dyn.status().ToString();
  EXPECT_EQ((*dyn)->sample_dims(), (std::vector<int64_t>{3, 2, 4}));
  // Enlarging a horizontal ramp keeps it a ramp: values non-decreasing along x, within the source range.
  WritePattern("ramp/a.png", 6, 4, 3, 0);
  DataSpec ramp{.path = Path("ramp")};
  ramp.image = {.resize = 8, .crop_h = 8, .crop_w = 12, .scale = 1.0f};
  Result<std::unique_ptr<Dataset>> up = OpenDataset(ramp, {}, DataType::kUndefined);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  Result<Tensor> u = (*up)->Read(0, 1);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  ASSERT_EQ(u->dims(), (std::vector<int64_t>{1, 3, 8, 12}));
  const float* row = u->data<float>();  // channel 0, row 0
  for (int x = 1; x < 12; ++x) EXPECT_GE(row[x] + 1e-4f, row[x - 1]) << x;
  EXPECT_GE(row[0], -1e-3f);
  EXPECT_LE(row[11], static_cast<float>(Pattern(5, 0, 0, 0)) + 1e-3f);
}

TEST_F(ImageFolderTest, ClassSubfoldersGiveLabelsAndJpegDecodes) {
  WriteSolid("cls/dog/z.jpg", 4, 4, 200, 100, 50, true);
  WriteSolid("cls/cat/y.png", 4, 4, 1, 2, 3, false);
  WriteSolid("cls/cat/x.png", 4, 4, 4, 5, 6, false);
  std::ofstream(Path("cls/cat/notes.txt")) << "not an image";
  DataSpec spec{.path = Path("cls")};
  spec.image.scale = 1.0f;
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {-1, 3, 4, 4}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  ASSERT_EQ((*ds)->size(), 3);
  Result<std::vector<int64_t>> labels = (*ds)->FolderLabels();
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ((*ds)->class_names(), (std::vector<std::string>{"cat", "dog"}));
  Result<Tensor> t = (*ds)->Read(0, 3);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->data<float>()[0], 4.0f);   // cat/x.png, red
  EXPECT_EQ(t->data<float>()[48], 1.0f);  // cat/y.png, red
  // JPEG at quality 100 of a flat color: within a few levels.
  const float jpeg_want[] = {200, 100, 50};
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(t->data<float>()[96 + c * 16 + 5], jpeg_want[c], 3.0f) << c;
}

TEST_F(ImageFolderTest, ErrorsNameTheFile) {
  WritePattern("bad/a.png", 6, 4, 3, 0);
  std::ofstream(Path("bad/b.png"), std::ios::binary) << "\x89PNG\r\n\x1a\n this is not really a png";
  DataSpec spec{.path = Path("bad")};
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {-1, 3, 4, 6}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_TRUE((*ds)->Read(0, 1).ok());
  Status s = (*ds)->Read(0, 2).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("b.png"), std::string::npos) << s.message();
  // An image smaller than the crop.
  Status small = OpenDataset(spec, {-1, 3, 8, 8}, DataType::kFloat32).value()->Read(0, 1).status();
  EXPECT_EQ(small.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(small.message().find("a.png"), std::string::npos) << small.message();
  // Empty folder, non-rank-4 model, bad mean count.
  fs::create_directories(Path("empty"));
  EXPECT_EQ(OpenDataset({.path = Path("empty")}, {-1, 3, 4, 4}, DataType::kFloat32).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDataset(spec, {-1, 72}, DataType::kFloat32).status().code(), StatusCode::kInvalidArgument);
  DataSpec means{.path = Path("bad")};
  means.image.mean = {1, 2};
  EXPECT_EQ(OpenDataset(means, {-1, 3, 4, 6}, DataType::kFloat32).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenDataset({.path = Path("nothing-here")}, {}, DataType::kFloat32).status().code(),
            StatusCode::kNotFound);
}

// A truncated image must never decode: decoders tend to fill what is
// missing (libjpeg with gray and only a warning, stb_image formerly with
// uninitialized heap bytes).
TEST_F(ImageFolderTest, TruncatedImagesOfEveryFormatAreErrors) {
  const int w = 16, h = 12;
  std::vector<uint8_t> px;
  for (int i = 0; i < w * h * 3; ++i) px.push_back(static_cast<uint8_t>(i * 7));
  fs::create_directories(Path("src"));
  ASSERT_NE(stbi_write_png(Path("src/x.png").c_str(), w, h, 3, px.data(), w * 3), 0);
  ASSERT_NE(stbi_write_jpg(Path("src/x.jpg").c_str(), w, h, 3, px.data(), 90), 0);
  ASSERT_NE(stbi_write_bmp(Path("src/x.bmp").c_str(), w, h, 3, px.data()), 0);
  std::ofstream(Path("src/x.ppm"), std::ios::binary) << "P6\n# a comment\n16 12\n255\n"
                                                     << std::string(px.begin(), px.end());
  std::ofstream(Path("src/x.pgm"), std::ios::binary) << "P5 16 12 255\n"
                                                     << std::string(px.begin(), px.begin() + w * h);
  for (const char* ext : {"png", "jpg", "bmp", "ppm", "pgm"}) {
    const std::string name = std::string("x.") + ext;
    std::ifstream in(Path("src/" + name), std::ios::binary);
    const std::string whole((std::istreambuf_iterator<char>(in)), {});
    const bool gray = std::string(ext) == "pgm";
    DataSpec spec{.path = Path("cut")};
    spec.image.grayscale = gray;
    const std::vector<int64_t> dims = {-1, gray ? 1 : 3, h, w};
    fs::create_directories(Path("cut"));
    // The whole file decodes; every cut through its pixel data does not.
    std::vector<size_t> cuts = {whole.size()};
    for (int k = 1; k < 8; ++k) cuts.push_back(whole.size() * static_cast<size_t>(k) / 8);
    if (std::string(ext) != "png") cuts.push_back(whole.size() - 1);  // PNG: IEND's CRC is not read
    for (size_t cut : cuts) {
      {
        fs::remove(Path("cut/" + name));
        std::ofstream(Path("cut/" + name), std::ios::binary)
            .write(whole.data(), static_cast<std::streamsize>(cut));
      }
      Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, dims, DataType::kFloat32);
      ASSERT_TRUE(ds.ok()) << ds.status().ToString();
      Result<Tensor> t = (*ds)->Read(0, 1);
      if (cut == whole.size()) {
        EXPECT_TRUE(t.ok()) << name << ": " << t.status().ToString();
        continue;
      }
      ASSERT_FALSE(t.ok()) << name << " cut to " << cut << " of " << whole.size() << " bytes decoded";
      EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << t.status().ToString();
      EXPECT_NE(t.status().message().find(name), std::string::npos) << t.status().message();
    }
    fs::remove(Path("cut/" + name));
  }
}

// Sizes are checked from the header, before the decoder allocates anything.
TEST_F(ImageFolderTest, ImageSizeIsLimitedBeforeDecoding) {
  fs::create_directories(Path("big"));
  std::ofstream(Path("big/x.pgm"), std::ios::binary) << "P5\n16384 16384\n255\n" << std::string(64, '\x7f');
  DataSpec spec{.path = Path("big")};
  spec.image.grayscale = true;
  Status s = OpenDataset(spec, {-1, 1, 8, 8}, DataType::kFloat32).value()->Read(0, 1).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("16384x16384 is outside the accepted range"), std::string::npos) << s.message();
  // Within the pixel limit but not the memory budget: 4096x4096 float pixels are 64 MiB.
  std::ofstream(Path("big/x.pgm"), std::ios::binary) << "P5\n4096 4096\n255\n"
                                                     << std::string(4096 * 4096, 'a');
  SetMemoryLimit(uint64_t{32} << 20);
  s = OpenDataset(spec, {-1, 1, 8, 8}, DataType::kFloat32).value()->Read(0, 1).status();
  SetMemoryLimit(kDefaultMemoryLimitBytes);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("x.pgm"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace qforge::io
