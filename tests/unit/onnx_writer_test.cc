// The ONNX exporter: exported files pass onnx.checker (python3-onnx) and
// re-import to graphs that compute the same outputs.
#include "io/onnx/onnx_writer.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include "io/onnx/onnx_reader.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge {
namespace {

namespace fs = std::filesystem;

// Exported and re-imported graphs may take different but equivalent routes
// (Flatten/Softmax/Reshape for a coerced Softmax); float reassociation is
// the only expected difference.
constexpr double kRoundTripTolerance = 1e-6;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("qf_onnxw_" + std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void ExpectCheckerAccepts(const std::string& path) {
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import onnx' > /dev/null 2>&1"), 0)
      << "/usr/bin/python3 cannot import onnx: install Debian's python3-onnx (the setup script does)";
  const std::string cmd =
      "/usr/bin/python3 -c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
      "full_check=True)\" '" +
      path + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "onnx.checker rejected " << path;
}

onnx::ModelProto Parse(const std::string& bytes) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  return m;
}

std::vector<Tensor> RunGraph(std::shared_ptr<const ir::Graph> g, const std::vector<Tensor>& inputs) {
  runtime::Interpreter interp(std::move(g));
  auto out = interp.Run(inputs);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? std::move(out).value() : std::vector<Tensor>{};
}

// Exports `g`, checks the file, re-imports it; returns the re-imported graph.
std::shared_ptr<const ir::Graph> RoundTrip(const ir::Graph& g, const TempDir& dir, const std::string& name) {
  const std::string path = dir.file(name + ".onnx");
  Status s = io::WriteOnnx(g, path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  ExpectCheckerAccepts(path);
  auto back = io::ReadOnnx(path);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  if (!back.ok()) return nullptr;
  return std::shared_ptr<const ir::Graph>(std::move(back).value());
}

ir::TensorType Type(DataType dtype, std::vector<int64_t> dims) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = true;
  t.dims = std::move(dims);
  return t;
}

// --- Backend models: import, export, re-import, same outputs ---------------

class BackendRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(BackendRoundTrip, SameOutputs) {
  const std::string dir = std::string("/usr/share/libonnx-testdata/data/") + GetParam();
  auto orig = io::ReadOnnx(dir + "/model.onnx");
  ASSERT_TRUE(orig.ok()) << orig.status().ToString();
  auto original = std::shared_ptr<const ir::Graph>(std::move(orig).value());
  TempDir tmp;
  auto back = RoundTrip(*original, tmp, "model");
  ASSERT_NE(back, nullptr);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < original->inputs.size(); ++i) {
    auto t = io::ReadOnnxTensorFile(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    inputs.push_back(std::move(t).value());
  }
  std::vector<Tensor> a = RunGraph(original, inputs);
  std::vector<Tensor> b = RunGraph(back, inputs);
  ASSERT_EQ(a.size(), original->outputs.size());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    double err = testing::MaxRelError(b[i], a[i]);
    EXPECT_GE(err, 0) << "output " << i << " dtype/dims differ";
    EXPECT_LE(err, kRoundTripTolerance) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, BackendRoundTrip,
    ::testing::Values("pytorch-converted/test_Softmax",           // opset 6: coerce_2d, last axis
                      "pytorch-converted/test_LogSoftmax",        // opset 6 LogSoftmax
                      "pytorch-converted/test_Conv2d",            // initializers, legacy opset
                      "pytorch-converted/test_BatchNorm2d_eval",  // five-input BatchNormalization
                      "node/test_reduce_mean_keepdims_example",   // axes input -> attribute
                      "node/test_reduce_max_do_not_keepdims_example",
                      "node/test_reduce_sum_keepdims_example",  // axes stays an input
                      "node/test_cast_FLOAT_to_DOUBLE",         // Cast `to` back to the ONNX enum
                      "node/test_clip_default_min",             // an empty optional input
                      "node/test_slice",
                      "node/test_split_equal_parts_1d",             // several outputs
                      "node/test_resize_upsample_scales_nearest"),  // empty roi input written as ""
    [](const ::testing::TestParamInfo<const char*>& info) {
      std::string n = fs::path(info.param).filename().string();
      for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n;
    });

// --- Hand-built graphs ------------------------------------------------------

TEST(OnnxWriter, CoercedSoftmaxOnAMiddleAxis) {
  // Opset < 13 Softmax over axis 1 of [2, 3, 4] normalizes each row of the
  // [2, 12] matrix, not each length-3 column.
  ir::Graph g;
  g.name = "soft";
  ir::ValueId x = g.AddValue("x", Type(DataType::kFloat32, {2, 3, 4}));
  ir::ValueId y = g.AddValue("y");
  ir::Node n;
  n.name = "soft";
  n.op = OpKind::kSoftmax;
  n.inputs = {x};
  n.outputs = {y};
  n.attrs.Set("axis", int64_t{1});
  n.attrs.Set("coerce_2d", int64_t{1});
  g.AddNode(std::move(n));
  g.inputs = {x};
  g.outputs = {y};

  auto bytes = io::SerializeOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  onnx::ModelProto m = Parse(*bytes);
  std::vector<std::string> ops;
  for (const auto& node : m.graph().node()) ops.push_back(node.op_type());
  EXPECT_EQ(ops, (std::vector<std::string>{"Shape", "Flatten", "Softmax", "Reshape"}));

  TempDir tmp;
  auto back = RoundTrip(g, tmp, "soft");
  ASSERT_NE(back, nullptr);
  std::vector<double> xs(24);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = std::sin(static_cast<double>(i)) * 3;
  Tensor in = testing::MakeTensor(DataType::kFloat32, {2, 3, 4}, xs);
  std::vector<double> want(24);
  for (int row = 0; row < 2; ++row) {
    double sum = 0;
    for (int j = 0; j < 12; ++j) sum += std::exp(xs[static_cast<size_t>(row * 12 + j)]);
    for (int j = 0; j < 12; ++j)
      want[static_cast<size_t>(row * 12 + j)] = std::exp(xs[static_cast<size_t>(row * 12 + j)]) / sum;
  }
  std::vector<Tensor> out = RunGraph(back, {in});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(testing::MaxRelError(out[0], testing::MakeTensor(DataType::kFloat32, {2, 3, 4}, want)), 1e-6);
}

TEST(OnnxWriter, NamesAreMadeUniqueAndNonEmpty) {
  ir::Graph g;
  ir::ValueId x = g.AddValue("x", Type(DataType::kFloat32, {3}));
  ir::ValueId a = g.AddValue("");   // unnamed
  ir::ValueId b = g.AddValue("x");  // clashes with the input
  for (auto [in, out] : {std::pair{x, a}, std::pair{a, b}}) {
    ir::Node n;
    n.op = OpKind::kRelu;
    n.inputs = {in};
    n.outputs = {out};
    g.AddNode(std::move(n));
  }
  g.inputs = {x};
  g.outputs = {b};
  auto bytes = io::SerializeOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  onnx::ModelProto m = Parse(*bytes);
  std::set<std::string> produced = {m.graph().input(0).name()};
  for (const auto& node : m.graph().node()) {
    EXPECT_FALSE(node.name().empty());
    for (const auto& o : node.output()) {
      EXPECT_FALSE(o.empty());
      EXPECT_TRUE(produced.insert(o).second) << "value '" << o << "' produced twice";
    }
  }
  TempDir tmp;
  auto back = RoundTrip(g, tmp, "names");
  ASSERT_NE(back, nullptr);
  std::vector<Tensor> out = RunGraph(back, {testing::MakeTensor(DataType::kFloat32, {3}, {-1, 0, 2})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(testing::MaxRelError(out[0], testing::MakeTensor(DataType::kFloat32, {3}, {0, 0, 2})), 0.0);
}

TEST(OnnxWriter, CastReduceAndConstantOutput) {
  ir::Graph g;
  ir::ValueId x = g.AddValue("x", Type(DataType::kFloat32, {2, 3}));
  ir::ValueId c = g.AddValue("c");
  ir::ValueId r = g.AddValue("r");
  ir::ValueId same = g.AddValue("same");
  Tensor axes(DataType::kInt64, {1});
  axes.data<int64_t>()[0] = 1;
  ir::ValueId ax = g.AddConstant("axes", std::move(axes));
  ir::ValueId k = g.AddConstant("k", testing::MakeTensor(DataType::kFloat32, {2}, {4, 5}));
  ir::Node cast;
  cast.name = "cast";
  cast.op = OpKind::kCast;
  cast.inputs = {x};
  cast.outputs = {c};
  cast.attrs.Set("to", static_cast<int64_t>(DataType::kInt32));
  g.AddNode(std::move(cast));
  ir::Node mean;
  mean.name = "mean";
  mean.op = OpKind::kReduceMean;
  mean.inputs = {x, ax};
  mean.outputs = {r};
  mean.attrs.Set("keepdims", int64_t{0});
  g.AddNode(std::move(mean));
  ir::Node noop;  // no axes and noop_with_empty_axes: the identity
  noop.name = "noop";
  noop.op = OpKind::kReduceMax;
  noop.inputs = {x};
  noop.outputs = {same};
  noop.attrs.Set("noop_with_empty_axes", int64_t{1});
  g.AddNode(std::move(noop));
  g.inputs = {x};
  g.outputs = {c, r, same, k};

  auto bytes = io::SerializeOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  onnx::ModelProto m = Parse(*bytes);
  EXPECT_EQ(m.opset_import(0).version(), 17);
  EXPECT_EQ(m.ir_version(), 8);
  EXPECT_EQ(m.producer_name(), "qforge");
  std::map<std::string, const onnx::NodeProto*> by_name;
  for (const auto& node : m.graph().node()) by_name[node.name()] = &node;
  ASSERT_TRUE(by_name.count("cast"));
  EXPECT_EQ(by_name["cast"]->attribute(0).i(), onnx::TensorProto::INT32);
  ASSERT_TRUE(by_name.count("mean"));
  EXPECT_EQ(by_name["mean"]->input_size(), 1);
  bool has_axes = false;
  for (const auto& a : by_name["mean"]->attribute()) {
    if (a.name() == "axes") {
      has_axes = true;
      EXPECT_EQ(a.ints_size(), 1);
      EXPECT_EQ(a.ints(0), 1);
    }
  }
  EXPECT_TRUE(has_axes);
  // The axes live in the attribute only: no unused initializer (which ONNX
  // Runtime warns about and drops) is left behind.
  for (const auto& init : m.graph().initializer()) EXPECT_NE(init.name(), "axes");
  ASSERT_TRUE(by_name.count("noop"));
  EXPECT_EQ(by_name["noop"]->op_type(), "Identity");

  TempDir tmp;
  auto back = RoundTrip(g, tmp, "misc");
  ASSERT_NE(back, nullptr);
  Tensor in = testing::MakeTensor(DataType::kFloat32, {2, 3}, {1.5, 2, 3, -4, 5, 6.25});
  std::vector<Tensor> out = RunGraph(back, {in});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(testing::MaxRelError(out[0], testing::MakeTensor(DataType::kInt32, {2, 3}, {1, 2, 3, -4, 5, 6})),
            0.0);
  EXPECT_LE(testing::MaxRelError(out[1], testing::MakeTensor(DataType::kFloat32, {2}, {6.5 / 3, 7.25 / 3})),
            1e-6);
  EXPECT_EQ(testing::MaxRelError(out[2], in), 0.0);
  EXPECT_EQ(testing::MaxRelError(out[3], testing::MakeTensor(DataType::kFloat32, {2}, {4, 5})), 0.0);
}

TEST(OnnxWriter, DynamicDimsBecomeDimParams) {
  ir::Graph g;
  ir::TensorType t = Type(DataType::kFloat32, {ir::kDynamicDim, 3, ir::kDynamicDim});
  t.dim_names = {"batch", "", ""};
  ir::ValueId x = g.AddValue("x", t);
  ir::ValueId y = g.AddValue("y", t);
  ir::Node n;
  n.name = "relu";
  n.op = OpKind::kRelu;
  n.inputs = {x};
  n.outputs = {y};
  g.AddNode(std::move(n));
  g.inputs = {x};
  g.outputs = {y};
  auto bytes = io::SerializeOnnx(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  onnx::ModelProto m = Parse(*bytes);
  const auto& shape = m.graph().input(0).type().tensor_type().shape();
  ASSERT_EQ(shape.dim_size(), 3);
  EXPECT_EQ(shape.dim(0).dim_param(), "batch");
  EXPECT_EQ(shape.dim(1).dim_value(), 3);
  // Unnamed unknown dims carry neither value nor name: a shared name would
  // tell ONNX Runtime that all such dims are equal.
  EXPECT_FALSE(shape.dim(2).has_dim_value());
  EXPECT_FALSE(shape.dim(2).has_dim_param());
  TempDir tmp;
  auto back = RoundTrip(g, tmp, "dyn");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->value(back->inputs[0]).type.dim_names[0], "batch");
}

// The layout tag describes dims, it does not reorder them (ir/graph.h): a
// TFLite model's NHWC tensors export as ONNX tensors of the same dims.
TEST(OnnxWriter, NhwcTaggedValuesExportWithTheirDims) {
  ir::Graph g;
  ir::TensorType t = Type(DataType::kFloat32, {1, 4, 4, 3});
  t.layout = ir::Layout::kNHWC;
  ir::ValueId x = g.AddValue("x", t);
  ir::ValueId y = g.AddValue("y", t);
  ir::Node n;
  n.name = "relu";
  n.op = OpKind::kRelu;
  n.inputs = {x};
  n.outputs = {y};
  g.AddNode(std::move(n));
  g.inputs = {x};
  g.outputs = {y};
  TempDir tmp;
  auto back = RoundTrip(g, tmp, "nhwc");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->value(back->inputs[0]).type.dims, (std::vector<int64_t>{1, 4, 4, 3}));
  EXPECT_EQ(back->value(back->outputs[0]).type.dims, (std::vector<int64_t>{1, 4, 4, 3}));
}

}  // namespace
}  // namespace qforge
