// Decodes qforge's .tflite output with `flatc --json` and the project's schema
// (an independent reader of the format: Debian's flatc, not qforge's code) and
// checks what TFLite would need to see: tensor types, quantization parameters
// (per-channel conv/fc weight scales, int32 bias scale = input scale * weight
// scale), operator codes and their versions, min_runtime_version metadata,
// and 16-byte aligned buffers. The models are models/cnn.onnx in float, int8
// (calibrated on 32 training images) and dynamic range.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "io/tflite/write/tflite_writer.h"
#include "passes/pipelines.h"
#include "qforge/model.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "test_util.h"
#include "tflite_schema_generated.h"

namespace qforge {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The bias scale is computed in float by the quantizer (input * weight scale);
// a float product differs from its float64 recomputation by <= 1 ulp.
constexpr double kBiasScaleRelTol = 1e-6;

std::shared_ptr<ir::Graph> LoadCnn() {
  Result<Model> m = Model::Load(testing::SourcePath("models/cnn.onnx"));
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return nullptr;
  return std::make_shared<ir::Graph>(m->graph());
}

Result<ir::Graph> QuantizedCnn(quant::QuantMode mode) {
  auto g = LoadCnn();
  if (!g) return InvalidArgument("models/cnn.onnx did not load");
  if (Status s = passes::PrepareForQuantization(g.get()); !s.ok()) return s;
  quant::QuantizeOptions opt;
  opt.mode = mode;
  if (quant::NeedsCalibration(mode)) {
    io::DataSpec spec;
    spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
    auto ds = io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32);
    if (!ds.ok()) return ds.status();
    quant::CalibrateOptions co;
    co.count = 32;
    Result<quant::CalibrationStats> stats = quant::Calibrate(g, **ds, co);
    if (!stats.ok()) return stats.status();
    auto ranges = quant::ComputeRanges(*stats, {});
    if (!ranges.ok()) return ranges.status();
    for (const auto& [name, r] : *ranges) opt.ranges[name] = {r.min, r.max};
  }
  quant::QuantizeReport report;
  return quant::QuantizeGraph(*g, opt, &report);
}

// A decoded file: the flatbuffer bytes and flatc's JSON of them.
struct Decoded {
  std::string bytes;
  json model;
};

// Writes `bytes` as NAME.tflite in a fresh folder, runs flatc on it and parses the JSON.
::testing::AssertionResult DecodeWithFlatc(const std::string& bytes, const std::string& name, Decoded* out) {
  fs::path dir = fs::temp_directory_path() / ("qforge_flatc_" + std::to_string(getpid()) + "_" + name);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return ::testing::AssertionFailure() << "cannot create " << dir << ": " << ec.message();
  fs::path file = dir / (name + ".tflite");
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::string cmd = "flatc --json --strict-json --raw-binary -o '" + dir.string() +
                    "' '" QFORGE_SOURCE_DIR "/src/io/tflite/tflite_schema.fbs' -- '" + file.string() +
                    "' 2> '" + (dir / "flatc.err").string() + "'";
  int rc = std::system(cmd.c_str());
  std::ifstream err(dir / "flatc.err");
  std::string err_text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  if (rc != 0) return ::testing::AssertionFailure() << "flatc failed (" << rc << "): " << err_text;
  std::ifstream js(dir / (name + ".json"));
  if (!js) return ::testing::AssertionFailure() << "flatc wrote no " << name << ".json";
  out->model = json::parse(js, nullptr, /*allow_exceptions=*/false);
  if (out->model.is_discarded()) return ::testing::AssertionFailure() << "flatc's JSON does not parse";
  out->bytes = bytes;
  fs::remove_all(dir, ec);
  return ::testing::AssertionSuccess();
}

// flatc --strict-json leaves out fields at their default value.
std::string TypeOf(const json& tensor) { return tensor.value("type", std::string("FLOAT32")); }

const json& TensorAt(const json& m, int64_t index) { return m["subgraphs"][0]["tensors"][index]; }

std::string OpName(const json& m, const json& op) {
  const json& code = m["operator_codes"][op.value("opcode_index", 0)];
  return code.value("builtin_code", std::string("ADD"));
}

int OpVersion(const json& m, const json& op) {
  return m["operator_codes"][op.value("opcode_index", 0)].value("version", 1);
}

std::vector<double> Scales(const json& tensor) {
  if (!tensor.contains("quantization")) return {};
  return tensor["quantization"].value("scale", std::vector<double>{});
}
// flatc prints floats in fixed notation with 6 decimals, so a JSON scale is
// only good to 5e-7; the exact scale is read from the same bytes with the
// generated reader (and compared with flatc's).
constexpr double kFlatcFloatPrecision = 5e-7 + 1e-12;

std::vector<float> ExactScales(const Decoded& d, int64_t index) {
  const tflite::Model* model = tflite::GetModel(d.bytes.data());
  const tflite::Tensor* t = model->subgraphs()->Get(0)->tensors()->Get(static_cast<uint32_t>(index));
  if (t->quantization() == nullptr || t->quantization()->scale() == nullptr) return {};
  return {t->quantization()->scale()->begin(), t->quantization()->scale()->end()};
}

std::vector<int64_t> ZeroPoints(const json& tensor) {
  if (!tensor.contains("quantization")) return {};
  return tensor["quantization"].value("zero_point", std::vector<int64_t>{});
}

std::vector<uint8_t> BufferOf(const json& m, const json& tensor) {
  const json& b = m["buffers"][tensor.value("buffer", 0)];
  return b.value("data", std::vector<uint8_t>{});
}

// The "min_runtime_version" metadata string (NUL padding stripped), or "" if absent.
std::string MinRuntimeMetadata(const json& m) {
  for (const json& md : m.value("metadata", json::array())) {
    if (md.value("name", std::string()) != "min_runtime_version") continue;
    std::vector<uint8_t> data = m["buffers"][md.value("buffer", 0)].value("data", std::vector<uint8_t>{});
    std::string s(data.begin(), data.end());
    return s.substr(0, s.find('\0'));
  }
  return "";
}

// Every op's (name -> version) and checks shared by all modes: one subgraph,
// operator codes whose two fields agree, buffer 0 empty, 16-byte aligned data,
// "TFL3" identifier, schema version 3.
std::multimap<std::string, int> CheckCommon(const Decoded& d) {
  const json& m = d.model;
  EXPECT_EQ(d.bytes.substr(4, 4), "TFL3");
  EXPECT_EQ(m.value("version", 0), 3);
  EXPECT_EQ(m["subgraphs"].size(), 1u);
  EXPECT_TRUE(m["buffers"][0].value("data", std::vector<uint8_t>{}).empty())
      << "buffer 0 is TFLite's empty buffer";
  for (const json& code : m["operator_codes"]) {
    std::string name = code.value("builtin_code", std::string("ADD"));
    int deprecated = code.value("deprecated_builtin_code", 0);
    // The byte older readers use: the builtin code clamped to 127.
    for (auto v : tflite::EnumValuesBuiltinOperator()) {
      if (name == tflite::EnumNameBuiltinOperator(v)) {
        EXPECT_EQ(deprecated, std::min<int>(static_cast<int>(v), 127)) << name;
      }
    }
  }
  // Alignment, through the generated reader on the same bytes.
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(d.bytes.data()), d.bytes.size());
  EXPECT_TRUE(tflite::VerifyModelBuffer(verifier));
  const tflite::Model* model = tflite::GetModel(d.bytes.data());
  if (model->buffers() != nullptr) {
    for (const tflite::Buffer* b : *model->buffers()) {
      if (b->data() == nullptr || b->data()->size() == 0) continue;
      auto offset = reinterpret_cast<const char*>(b->data()->data()) - d.bytes.data();
      EXPECT_EQ(offset % 16, 0) << "buffer data at offset " << offset;
    }
  }
  std::multimap<std::string, int> ops;
  for (const json& op : m["subgraphs"][0]["operators"]) ops.emplace(OpName(m, op), OpVersion(m, op));
  return ops;
}

TEST(TfliteFlatcDecode, FloatCnn) {
  auto g = LoadCnn();
  ASSERT_TRUE(g);
  Result<std::string> bytes = io::SerializeTflite(*g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  Decoded d;
  ASSERT_TRUE(DecodeWithFlatc(*bytes, "cnn_float", &d));
  std::multimap<std::string, int> ops = CheckCommon(d);
  EXPECT_EQ(ops.count("CONV_2D"), 2u);
  EXPECT_EQ(ops.count("FULLY_CONNECTED"), 2u);
  EXPECT_EQ(ops.count("MAX_POOL_2D"), 2u);
  EXPECT_EQ(ops.count("QUANTIZE") + ops.count("DEQUANTIZE"), 0u);
  for (const auto& [name, version] : ops) EXPECT_EQ(version, 1) << name << ": float ops are version 1";
  // Every tensor is float, but for RESHAPE's int32 new-shape operand.
  std::set<int64_t> shape_operands;
  for (const json& op : d.model["subgraphs"][0]["operators"]) {
    if (OpName(d.model, op) == "RESHAPE" && op["inputs"].size() > 1)
      shape_operands.insert(op["inputs"][1].get<int64_t>());
  }
  const json& tensors = d.model["subgraphs"][0]["tensors"];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const json& t = tensors[i];
    EXPECT_EQ(TypeOf(t), shape_operands.count(static_cast<int64_t>(i)) ? "INT32" : "FLOAT32")
        << t.value("name", std::string());
    EXPECT_TRUE(Scales(t).empty()) << t.value("name", std::string());
  }
  // NHWC input: Fashion-MNIST's [batch, 1, 28, 28] becomes [batch, 28, 28, 1].
  const json& in = TensorAt(d.model, d.model["subgraphs"][0]["inputs"][0]);
  std::vector<int> shape = in.value("shape", std::vector<int>{});
  ASSERT_EQ(shape.size(), 4u);
  EXPECT_EQ(shape[1], 28);
  EXPECT_EQ(shape[2], 28);
  EXPECT_EQ(shape[3], 1);
  EXPECT_EQ(MinRuntimeMetadata(d.model), "1.5.0");
}

TEST(TfliteFlatcDecode, Int8Cnn) {
  Result<ir::Graph> q = QuantizedCnn(quant::QuantMode::kInt8);
  ASSERT_TRUE(q.ok()) << q.status().message();
  Result<std::string> bytes = io::SerializeTflite(*q);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  Decoded d;
  ASSERT_TRUE(DecodeWithFlatc(*bytes, "cnn_int8", &d));
  const json& m = d.model;
  std::multimap<std::string, int> ops = CheckCommon(d);
  // TFLite's versions for the int8 variants (docs/design/tflite_versions.md).
  std::map<std::string, int> expected = {{"QUANTIZE", 1}, {"CONV_2D", 3},         {"MAX_POOL_2D", 2},
                                         {"RESHAPE", 1},  {"FULLY_CONNECTED", 4}, {"DEQUANTIZE", 2}};
  for (const auto& [name, version] : ops) {
    ASSERT_TRUE(expected.count(name)) << "unexpected operator " << name << " in an int8 CNN";
    EXPECT_EQ(version, expected[name]) << name;
  }
  EXPECT_EQ(ops.count("CONV_2D"), 2u);
  EXPECT_EQ(ops.count("FULLY_CONNECTED"), 2u);
  EXPECT_EQ(ops.count("QUANTIZE"), 1u);
  EXPECT_EQ(ops.count("DEQUANTIZE"), 1u);
  EXPECT_EQ(MinRuntimeMetadata(m), "1.14.0");

  const json& g = m["subgraphs"][0];
  EXPECT_EQ(TypeOf(TensorAt(m, g["inputs"][0])), "FLOAT32") << "int8 mode keeps float I/O";
  EXPECT_EQ(TypeOf(TensorAt(m, g["outputs"][0])), "FLOAT32");
  int weighted = 0;
  for (const json& op : g["operators"]) {
    std::string name = OpName(m, op);
    if (name != "CONV_2D" && name != "FULLY_CONNECTED") continue;
    ++weighted;
    std::vector<int64_t> io = op["inputs"].get<std::vector<int64_t>>();
    ASSERT_EQ(io.size(), 3u) << name << " has input, weights and bias";
    const json& x = TensorAt(m, io[0]);
    const json& w = TensorAt(m, io[1]);
    const json& b = TensorAt(m, io[2]);
    const json& y = TensorAt(m, op["outputs"][0]);
    EXPECT_EQ(TypeOf(x), "INT8") << name;
    EXPECT_EQ(TypeOf(w), "INT8") << name;
    EXPECT_EQ(TypeOf(b), "INT32") << name;
    EXPECT_EQ(TypeOf(y), "INT8") << name;
    // Per output channel: OHWI conv / [out, in] fc weights, quantized_dimension 0, symmetric.
    std::vector<int> wshape = w.value("shape", std::vector<int>{});
    ASSERT_FALSE(wshape.empty());
    std::vector<double> ws = Scales(w);
    EXPECT_EQ(static_cast<int>(ws.size()), wshape[0]) << name << ": one weight scale per output channel";
    EXPECT_EQ(w["quantization"].value("quantized_dimension", 0), 0) << name;
    for (int64_t z : ZeroPoints(w)) EXPECT_EQ(z, 0) << name << ": symmetric weights";
    std::vector<uint8_t> wdata = BufferOf(m, w);
    int64_t wcount = 1;
    for (int dim : wshape) wcount *= dim;
    EXPECT_EQ(static_cast<int64_t>(wdata.size()), wcount) << name << ": int8 weight bytes";
    for (uint8_t v : wdata)
      EXPECT_NE(static_cast<int8_t>(v), -128) << name << ": TFLite's weights are [-127, 127]";
    // Bias: int32, scale_i = input scale * weight scale_i, zero point 0 (exact floats; flatc's
    // printed scales agree with them to its precision).
    std::vector<double> xs = Scales(x), bs = Scales(b);
    std::vector<float> exs = ExactScales(d, io[0]), ews = ExactScales(d, io[1]), ebs = ExactScales(d, io[2]);
    ASSERT_EQ(xs.size(), 1u) << name << ": per-tensor activation";
    ASSERT_EQ(bs.size(), ws.size()) << name;
    ASSERT_EQ(exs.size(), 1u);
    ASSERT_EQ(ews.size(), ws.size());
    ASSERT_EQ(ebs.size(), bs.size());
    EXPECT_NEAR(xs[0], exs[0], kFlatcFloatPrecision) << name;
    for (size_t i = 0; i < bs.size(); ++i) {
      EXPECT_NEAR(ws[i], ews[i], kFlatcFloatPrecision) << name << " channel " << i;
      EXPECT_NEAR(bs[i], ebs[i], kFlatcFloatPrecision) << name << " channel " << i;
      const double want = static_cast<double>(exs[0]) * ews[i];
      EXPECT_NEAR(ebs[i], want, kBiasScaleRelTol * want) << name << " channel " << i;
    }
    for (int64_t z : ZeroPoints(b)) EXPECT_EQ(z, 0) << name;
    EXPECT_EQ(BufferOf(m, b).size(), 4u * bs.size()) << name << ": int32 bias bytes";
    int64_t zx = ZeroPoints(x).empty() ? 0 : ZeroPoints(x)[0];
    EXPECT_GE(zx, -128);
    EXPECT_LE(zx, 127);
  }
  EXPECT_EQ(weighted, 4);
}

TEST(TfliteFlatcDecode, DynamicRangeCnn) {
  Result<ir::Graph> q = QuantizedCnn(quant::QuantMode::kDynamic);
  ASSERT_TRUE(q.ok()) << q.status().message();
  Result<std::string> bytes = io::SerializeTflite(*q);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  Decoded d;
  ASSERT_TRUE(DecodeWithFlatc(*bytes, "cnn_dynamic", &d));
  const json& m = d.model;
  CheckCommon(d);
  int hybrid = 0;
  for (const json& op : m["subgraphs"][0]["operators"]) {
    std::string name = OpName(m, op);
    if (name != "CONV_2D" && name != "FULLY_CONNECTED") continue;
    const json& x = TensorAt(m, op["inputs"][0]);
    const json& w = TensorAt(m, op["inputs"][1]);
    EXPECT_EQ(TypeOf(x), "FLOAT32") << name << ": hybrid ops take float activations";
    EXPECT_EQ(TypeOf(w), "INT8") << name;
    EXPECT_EQ(TypeOf(TensorAt(m, op["outputs"][0])), "FLOAT32") << name;
    bool per_channel = Scales(w).size() > 1;
    int version = OpVersion(m, op);
    if (name == "CONV_2D") {
      EXPECT_EQ(version, per_channel ? 5 : 2) << name;
    } else {
      EXPECT_TRUE(op["builtin_options"].value("asymmetric_quantize_inputs", false)) << name;
      EXPECT_EQ(version, per_channel ? 12 : 9) << name;
    }
    ++hybrid;
  }
  EXPECT_EQ(hybrid, 4);
  EXPECT_FALSE(MinRuntimeMetadata(m).empty());
}

}  // namespace
}  // namespace qforge
