// Raw float32 files, and the shape fitting / dtype rules every format shares.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "io/data/sample_fit.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

class RawTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "qforge_raw_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string WriteFloats(const std::string& name, const std::vector<float>& v) const {
    const std::string path = (fs::path(dir_) / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
    return path;
  }

  std::string dir_;
};

std::vector<float> Iota(int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = 0.5f * static_cast<float>(i) - 3.0f;
  return v;
}

TEST_F(RawTest, PerSampleShapeCountsSamplesFromTheFileSize) {
  const std::string path = WriteFloats("x.raw", Iota(3 * 2 * 4));
  DataSpec spec{.path = path, .shape = {2, 4}};
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {-1, 2, 4}, DataType::kFloat32);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ((*ds)->size(), 3);
  EXPECT_EQ((*ds)->sample_dims(), (std::vector<int64_t>{2, 4}));
  Result<Tensor> t = (*ds)->Read(2, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->dims(), (std::vector<int64_t>{1, 2, 4}));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(t->data<float>()[i], 0.5f * static_cast<float>(16 + i) - 3.0f);
  // Reading past the end is an error, not a crash.
  EXPECT_EQ((*ds)->Read(2, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*ds)->Read(-1, 1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RawTest, FullShapeAndModelDerivedShape) {
  const std::string path = WriteFloats("x.f32", Iota(2 * 784));
  // The full shape, leading count included.
  DataSpec full{.path = path, .shape = {2, 1, 28, 28}};
  Result<std::unique_ptr<Dataset>> a = OpenDataset(full, {-1, 1, 28, 28}, DataType::kFloat32);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->size(), 2);
  // No shape: taken from the static model input; flat 784-vectors reshape to it.
  Result<std::unique_ptr<Dataset>> b = OpenDataset({.path = path}, {-1, 1, 28, 28}, DataType::kFloat32);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*b)->size(), 2);
  DataSpec flat{.path = path, .shape = {784}};
  Result<std::unique_ptr<Dataset>> c = OpenDataset(flat, {-1, 1, 28, 28}, DataType::kFloat32);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->sample_dims(), (std::vector<int64_t>{1, 28, 28}));
  Result<Tensor> t = (*c)->Read(1, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->data<float>()[783], 0.5f * (784 + 783) - 3.0f);
  // A dynamic model input and no shape: nothing to go by.
  EXPECT_EQ(OpenDataset({.path = path}, {-1, 1, -1, -1}, DataType::kFloat32).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(RawTest, SizeMismatchStatesBothNumbers) {
  const std::string path = WriteFloats("x.bin", Iota(10));
  DataSpec spec{.path = path, .shape = {3}};
  Status s = OpenDataset(spec, {-1, 3}, DataType::kFloat32).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("x.bin"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("40 bytes"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("12 bytes"), std::string::npos) << s.message();
  // An empty file is an empty data set.
  EXPECT_EQ(
      OpenDataset({.path = WriteFloats("e.raw", {}), .shape = {3}}, {}, DataType::kFloat32).status().code(),
      StatusCode::kInvalidArgument);
  // Raw data is float32: an int8 model input cannot take it.
  EXPECT_EQ(OpenDataset({.path = WriteFloats("y.raw", Iota(6)), .shape = {3}}, {-1, 3}, DataType::kInt8)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(RawTest, InfNamesTheSample) {
  std::vector<float> v = Iota(12);
  v[7] = std::numeric_limits<float>::infinity();
  DataSpec spec{.path = WriteFloats("inf.raw", v), .shape = {4}};
  Result<std::unique_ptr<Dataset>> ds = OpenDataset(spec, {}, DataType::kUndefined);
  ASSERT_TRUE(ds.ok());
  EXPECT_TRUE((*ds)->Read(0, 1).ok());
  Status s = (*ds)->Read(0, 3).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("inf.raw"), std::string::npos);
  EXPECT_NE(s.message().find("sample 1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Inf"), std::string::npos) << s.message();
}

TEST(FitLayout, BatchDimSingleSampleAndSizeOneDims) {
  auto fit = [](std::vector<int64_t> data, std::vector<int64_t> model) {
    return FitLayout(data, model, "f");
  };
  Result<SampleLayout> a = fit({10, 28, 28}, {-1, 1, 28, 28});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->count, 10);
  EXPECT_EQ(a->sample_dims, (std::vector<int64_t>{1, 28, 28}));
  // One sample without its batch dim.
  Result<SampleLayout> b = fit({3, 224, 224}, {1, 3, 224, 224});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->count, 1);
  EXPECT_EQ(b->sample_dims, (std::vector<int64_t>{3, 224, 224}));
  // Dynamic dims take the data's sizes.
  Result<SampleLayout> c = fit({4, 3, 17, 19}, {-1, 3, -1, -1});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->sample_dims, (std::vector<int64_t>{3, 17, 19}));
  // Same element count but not a flatten: HWC data for a CHW input is refused.
  EXPECT_FALSE(fit({2, 224, 224, 3}, {-1, 3, 224, 224}).ok());
  // No model: the first dim counts samples.
  Result<SampleLayout> d = fit({5, 2}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->count, 5);
  EXPECT_EQ(d->sample_dims, (std::vector<int64_t>{2}));
  EXPECT_FALSE(fit({0, 2}, {}).ok());
}

TEST(ChooseConversion, FloatToFloatIntToIntNothingAcross) {
  EXPECT_EQ(ChooseConversion(DataType::kFloat64, DataType::kFloat32, "f")->out, DataType::kFloat32);
  EXPECT_EQ(ChooseConversion(DataType::kInt64, DataType::kInt32, "f")->out, DataType::kInt32);
  EXPECT_EQ(ChooseConversion(DataType::kUInt8, DataType::kUndefined, "f")->out, DataType::kUInt8);
  EXPECT_FALSE(ChooseConversion(DataType::kFloat64, DataType::kInt8, "f").ok());
  EXPECT_FALSE(ChooseConversion(DataType::kUInt8, DataType::kFloat32, "f").ok());
  EXPECT_FALSE(ChooseConversion(DataType::kBool, DataType::kInt32, "f").ok());
  EXPECT_FALSE(ChooseConversion(DataType::kUInt8, DataType::kInt8, "f").ok());
  EXPECT_FALSE(ChooseConversion(DataType::kInt32, DataType::kUInt8, "f").ok());
  EXPECT_EQ(ChooseConversion(DataType::kUInt8, DataType::kInt32, "f")->out, DataType::kInt32);
  Result<ElementConversion> scaled = ChooseConversion(DataType::kUInt8, DataType::kFloat32, "f", 0.5f);
  ASSERT_TRUE(scaled.ok());
  const uint8_t in[2] = {3, 255};
  float out[2];
  ASSERT_TRUE(ConvertSamples(*scaled, in, out, 2, 1, 0, "f").ok());
  EXPECT_EQ(out[0], 1.5f);
  EXPECT_EQ(out[1], 127.5f);
  // float64 beyond float32 range becomes Inf: refused like any Inf.
  const double big[1] = {1e300};
  float f[1];
  ElementConversion narrow{DataType::kFloat64, DataType::kFloat32, 0.0f};
  EXPECT_EQ(ConvertSamples(narrow, big, f, 1, 1, 4, "f").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qforge::io
