// The bundled example model, evaluated by qforge's reference runtime on all
// 10,000 Fashion-MNIST test images, must reproduce the top-1 that PyTorch
// measured when it trained the model (recorded in models/cnn.json).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/classification.h"
#include "io/data/dataset.h"
#include "qforge/model.h"
#include "qforge/runtime.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

TEST(ExampleModel, Top1EqualsPyTorchOnFashionMnistTestSet) {
  std::ifstream f(SourcePath("models/cnn.json"));
  ASSERT_TRUE(f) << "models/cnn.json missing";
  nlohmann::json meta = nlohmann::json::parse(f);
  const double pytorch_top1 = meta.at("float_top1").get<double>();  // fraction of the 10,000 images
  const int64_t images = meta.at("test_images").get<int64_t>();

  auto model = Model::Load(SourcePath("models/cnn.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const IoInfo input = model->inputs().at(0);
  io::DataSpec spec;
  spec.path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  auto data = io::OpenDataset(spec, input.dims, input.dtype);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  auto labels = io::LoadLabels("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  ASSERT_EQ((*data)->size(), images);

  auto session = Session::Create(*model);
  ASSERT_TRUE(session.ok());
  eval::EvalOptions options;
  options.batch = 100;
  auto counts = eval::EvaluateClassifier(*session, **data, *labels, options);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->total, images);
  // Same count of correct images: float summation order may differ from
  // PyTorch's, but on this model no test image sits on a decision boundary
  // that close (measured: identical counts).
  EXPECT_EQ(counts->top1, std::llround(pytorch_top1 * static_cast<double>(images)));
}

}  // namespace
}  // namespace qforge::testing
