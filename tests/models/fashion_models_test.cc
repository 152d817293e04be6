// The committed Fashion-MNIST example models (models/{cnn,mobilenet,resnet}.onnx)
// imported and run by qforge, checked against logits PyTorch computed in
// float64 for the first test images when the models were trained
// (tools/train_fashion_mnist.py --golden-dir tests/models/data).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/data/npy.h"
#include "qforge/model.h"
#include "qforge/runtime.h"
#include "test_util.h"

namespace qforge {
namespace {

using testing::MaxRelError;
using testing::SourcePath;

// qforge runs in float32 and the golden is float64; float32 accumulation
// over a few thousand products per output stays near 1e-6 relative, so 1e-4
// (the cross-check tolerance) leaves ample room while still catching
// a wrong kernel, which moves logits by whole units.
constexpr double kLogitTolerance = 1e-4;
// Running one image instead of a batch may change loop tiling, not math.
constexpr double kBatchTolerance = 1e-5;
// Argmax is only compared where the golden's top two logits differ by more
// than float32 noise could bridge.
constexpr float kArgmaxMargin = 1e-3f;
constexpr int64_t kGoldenImages = 32;
constexpr int kNumClasses = 10;

const std::string kGoldenPrefix = "tests/models/data/fashion_t10k_first32";

Result<Tensor> ReadNpyFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(path + ": cannot open");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  QF_ASSIGN_OR_RETURN(io::NpyHeader h, io::ParseNpyHeader(bytes, path));
  if (h.data_offset + h.data_bytes != bytes.size()) return InvalidArgument(path + ": size mismatch");
  Tensor t(h.dtype, h.dims);
  std::copy_n(bytes.data() + h.data_offset, h.data_bytes, static_cast<char*>(t.raw_data()));
  return t;
}

// The preprocessing the models were trained with: uint8 pixels / 255.
Tensor ToModelInput(const Tensor& images_u8) {
  Tensor x(DataType::kFloat32, images_u8.dims());
  const auto src = images_u8.span<uint8_t>();
  auto dst = x.span<float>();
  for (size_t i = 0; i < src.size(); ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  return x;
}

int Argmax(std::span<const float> row) {
  return static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
}

float TopTwoMargin(std::span<const float> row) {
  std::vector<float> v(row.begin(), row.end());
  std::partial_sort(v.begin(), v.begin() + 2, v.end(), std::greater<float>());
  return v[0] - v[1];
}

class FashionModelTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto model = Model::Load(SourcePath("models/" + GetParam() + ".onnx"));
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = std::make_unique<Model>(std::move(model).value());
    auto images = ReadNpyFile(SourcePath(kGoldenPrefix + "_images.npy"));
    ASSERT_TRUE(images.ok()) << images.status().ToString();
    ASSERT_EQ(images->dtype(), DataType::kUInt8);
    ASSERT_EQ(images->dims(), (std::vector<int64_t>{kGoldenImages, 1, 28, 28}));
    input_ = ToModelInput(*images);
    auto labels = ReadNpyFile(SourcePath(kGoldenPrefix + "_labels.npy"));
    ASSERT_TRUE(labels.ok()) << labels.status().ToString();
    ASSERT_EQ(labels->dtype(), DataType::kInt64);
    labels_ = std::move(labels).value();
    auto golden = ReadNpyFile(SourcePath("tests/models/data/" + GetParam() + "_t10k_first32_logits.npy"));
    ASSERT_TRUE(golden.ok()) << golden.status().ToString();
    ASSERT_EQ(golden->dtype(), DataType::kFloat32);
    ASSERT_EQ(golden->dims(), (std::vector<int64_t>{kGoldenImages, kNumClasses}));
    golden_ = std::move(golden).value();
  }

  Result<Tensor> RunModel(const Tensor& x) {
    QF_ASSIGN_OR_RETURN(Session session, Session::Create(*model_));
    std::vector<Tensor> inputs = {x};
    QF_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, session.Run(inputs));
    if (outputs.size() != 1) return Internal("expected one output, got " + std::to_string(outputs.size()));
    return std::move(outputs[0]);
  }

  std::unique_ptr<Model> model_;
  Tensor input_;
  Tensor labels_;
  Tensor golden_;
};

TEST_P(FashionModelTest, DeclaresInputAndLogitsWithDynamicBatch) {
  const auto inputs = model_->inputs();
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].name, "input");
  EXPECT_EQ(inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(inputs[0].dims, (std::vector<int64_t>{-1, 1, 28, 28}));
  ASSERT_FALSE(inputs[0].dim_names.empty());
  EXPECT_EQ(inputs[0].dim_names[0], "batch");
  const auto outputs = model_->outputs();
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].name, "logits");
  EXPECT_EQ(outputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(outputs[0].dims, (std::vector<int64_t>{-1, kNumClasses}));
}

TEST_P(FashionModelTest, MatchesPyTorchLogitsOnTestImages) {
  auto logits = RunModel(input_);
  ASSERT_TRUE(logits.ok()) << logits.status().ToString();
  ASSERT_EQ(logits->dims(), golden_.dims());
  EXPECT_LE(MaxRelError(*logits, golden_), kLogitTolerance);

  const float* got = logits->data<float>();
  const float* want = golden_.data<float>();
  int golden_correct = 0;
  for (int64_t i = 0; i < kGoldenImages; ++i) {
    std::span<const float> want_row(want + i * kNumClasses, kNumClasses);
    std::span<const float> got_row(got + i * kNumClasses, kNumClasses);
    golden_correct += Argmax(want_row) == labels_.data<int64_t>()[i] ? 1 : 0;
    if (TopTwoMargin(want_row) > kArgmaxMargin) {
      EXPECT_EQ(Argmax(got_row), Argmax(want_row)) << "image " << i;
    }
  }
  // Guards the goldens themselves: images, labels and logits must belong
  // together (a trained model is right on most of them; chance is 10%).
  EXPECT_GE(golden_correct, kGoldenImages * 3 / 4);
}

TEST_P(FashionModelTest, SingleImageBatchesMatchTheFullBatch) {
  auto full = RunModel(input_);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  const int64_t pixels = 28 * 28;
  for (int64_t i : {int64_t{0}, int64_t{13}, kGoldenImages - 1}) {
    Tensor one(DataType::kFloat32, {1, 1, 28, 28});
    std::copy_n(input_.data<float>() + i * pixels, pixels, one.data<float>());
    auto logits = RunModel(one);
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    Tensor row(DataType::kFloat32, {1, kNumClasses});
    std::copy_n(full->data<float>() + i * kNumClasses, kNumClasses, row.data<float>());
    EXPECT_LE(MaxRelError(*logits, row), kBatchTolerance) << "image " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(ExampleModels, FashionModelTest, ::testing::Values("cnn", "mobilenet", "resnet"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qforge
