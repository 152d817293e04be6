// QDQ export of the quantized IR and QDQ import folding (docs/design/
// quantized_ir.md): hand-built quantized graphs are written as QDQ ONNX and
// (a) pass onnx.checker, (b) run in ONNX Runtime (node, ort_qdq_run.js)
// within one output step of qforge's reference runtime and of a hand
// computation, (c) are fused by ORT into QLinearConv / QLinearAdd / ..., and
// (d) read back to the same integer graph.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <variant>

#include "io/data/dataset.h"
#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "passes/pipelines.h"
#include "qscheme/arithmetic.h"
#include "qscheme/fused_activation.h"
#include "quant/calibration/calibration.h"
#include "quant/quantizer.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge {
namespace {

namespace fs = std::filesystem;

// Hand-built graphs requantize in fixed point (QUANT_SPEC 3), ONNX Runtime in
// float: QUANT_SPEC allows one step between them.
constexpr int64_t kMaxSteps = 1;
// Whole networks read from ONNX run with ONNX's float requantization rule
// (ir::Requantization::kFloat), as ONNX Runtime does: measured 0 steps apart;
// one step of slack for float evaluation order.
constexpr int64_t kNetworkSteps = 1;
// Hybrid ops: both sides quantize x the same way (DynamicQuantizeLinear) and
// accumulate exactly in int32; only the float scaling may round differently.
constexpr double kHybridTolerance = 1e-5;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("qf_qdq_" + std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  // QF_KEEP_QDQ_FILES=1 keeps the written and optimized models for debugging.
  ~TempDir() {
    if (std::getenv("QF_KEEP_QDQ_FILES") == nullptr) fs::remove_all(path_);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

QuantParams PerTensor(float scale, int64_t zero_point) { return QuantParams{{scale}, {zero_point}, -1}; }

QuantParams PerAxis(std::vector<float> scales, int axis) {
  QuantParams q;
  q.zero_point.assign(scales.size(), 0);
  q.scale = std::move(scales);
  q.axis = axis;
  return q;
}

ir::TensorType QType(DataType dtype, std::vector<int64_t> dims, QuantParams q = {}) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = true;
  t.dims = std::move(dims);
  t.quant = std::move(q);
  return t;
}

ir::ValueId AddQConst(ir::Graph* g, const std::string& name, Tensor t, QuantParams q = {}) {
  t.set_quant(q);
  return g->AddConstant(name, std::move(t));
}

void AddOp(ir::Graph* g, OpKind op, const std::string& name, std::vector<ir::ValueId> ins,
           std::vector<ir::ValueId> outs, ir::Attributes attrs = {}) {
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(ins);
  n.outputs = std::move(outs);
  n.attrs = std::move(attrs);
  g->AddNode(std::move(n));
}

Tensor RandomInts(DataType dtype, std::vector<int64_t> dims, int lo, int hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(CheckedElementCount(dims)));
  for (double& x : v) x = dist(rng);
  return testing::MakeTensor(dtype, std::move(dims), v);
}

Tensor RandomFloats(std::vector<int64_t> dims, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(CheckedElementCount(dims)));
  for (double& x : v) x = dist(rng);
  return testing::MakeTensor(DataType::kFloat32, std::move(dims), v);
}

int OnnxCheck(const std::string& path) {
  const std::string cmd =
      "/usr/bin/python3 -c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
      "full_check=True)\" '" +
      path + "'";
  return std::system(cmd.c_str());
}

struct OrtRun {
  bool ok = false;
  std::vector<Tensor> outputs;
  std::multiset<std::string> optimized_ops;  // op types of ORT's optimized graph
};

// qdq_int8: ORT keeps int8 QDQ groups int8 (session.qdqisint8allowed).
// Otherwise, on CPUs without VNNI, ORT runs with session.x64quantprecision:
// its uint8 x int8 kernels saturate there (vpmaddubsw sums two products in
// int16; here up to 90 steps off in ConvReluMaxPoolInt8Mode) and the option
// swaps in its exact uint8 x uint8 ones, same op types
// (tools/ort/ort_precision.js).
OrtRun RunOrt(const std::string& model, const std::vector<Tensor>& inputs, size_t num_outputs,
              const TempDir& dir, bool qdq_int8 = false) {
  OrtRun r;
  std::string cmd = "node '" + std::string(QFORGE_SOURCE_DIR) + "/tests/unit/ort_qdq_run.js' '" + model +
                    "' '" + dir.file("ort_out") + "' --optimized '" + dir.file("optimized.onnx") + "'" +
                    (qdq_int8 ? " --qdq-int8" : "");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir.file("in_" + std::to_string(i) + ".npy");
    Status s = io::WriteNpy(p, inputs[i]);
    EXPECT_TRUE(s.ok()) << s.ToString();
    cmd += " '" + p + "'";
  }
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "ONNX Runtime failed: " << cmd;
    return r;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    auto t = io::ReadNpy(dir.file("ort_out/output_" + std::to_string(i) + ".npy"));
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return r;
    r.outputs.push_back(std::move(t).value());
  }
  std::ifstream f(dir.file("optimized.onnx"), std::ios::binary);
  std::stringstream bytes;
  bytes << f.rdbuf();
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes.str())) << "ORT's optimized model";
  for (const onnx::NodeProto& n : m.graph().node()) r.optimized_ops.insert(n.op_type());
  r.ok = true;
  return r;
}

std::vector<Tensor> RunQforge(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  auto out = interp.Run(inputs);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? std::move(out).value() : std::vector<Tensor>{};
}

// Max |a - b| in integer steps (-1 if dtype or dims differ).
int64_t MaxStepDiff(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.dims() != b.dims()) return -1;
  int64_t m = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i)
    m = std::max(m, std::abs(IntElement(a, i) - IntElement(b, i)));
  return m;
}

bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() && a.quant() == b.quant() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

bool SameAttribute(const ir::Attribute& a, const ir::Attribute& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Tensor>) {
          return SameTensor(x, std::get<Tensor>(b));
        } else {
          return x == std::get<T>(b);
        }
      },
      a);
}

std::string DescribeValue(const ir::Graph& g, ir::ValueId id) {
  if (id == ir::kNoValue) return "<none>";
  const ir::Value& v = g.value(id);
  std::string s = "'" + v.name + "' " + DataTypeName(v.type.dtype);
  if (!v.type.quant.empty()) {
    s += " scale " + std::to_string(v.type.quant.scale[0]) + " zp " +
         std::to_string(v.type.quant.zero_point[0]) + " axis " + std::to_string(v.type.quant.axis) + " n " +
         std::to_string(v.type.quant.scale.size());
  }
  return s + (v.is_constant() ? " const" : "");
}

bool SameValue(const ir::Graph& ga, ir::ValueId a, const ir::Graph& gb, ir::ValueId b) {
  if ((a == ir::kNoValue) != (b == ir::kNoValue)) return false;
  if (a == ir::kNoValue) return true;
  const ir::Value& va = ga.value(a);
  const ir::Value& vb = gb.value(b);
  if (va.name != vb.name || va.type.dtype != vb.type.dtype || !(va.type.quant == vb.type.quant)) return false;
  if (va.is_constant() != vb.is_constant()) return false;
  return !va.is_constant() || SameTensor(*va.constant, *vb.constant);
}

// "" when the graphs are the same integer graph: same nodes in order (op,
// name, attributes) and, position by position, the same value names,
// dtypes, quantization parameters and constant bytes. Otherwise the first
// difference.
std::string DiffGraphs(const ir::Graph& a, const ir::Graph& b) {
  if (a.nodes.size() != b.nodes.size()) {
    return "node count " + std::to_string(a.nodes.size()) + " vs " + std::to_string(b.nodes.size()) + "\n" +
           ir::PrintGraph(a) + "\nvs\n" + ir::PrintGraph(b);
  }
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const ir::Node& na = a.nodes[i];
    const ir::Node& nb = b.nodes[i];
    const std::string where =
        "node " + std::to_string(i) + " " + a.Describe(na) + " vs " + b.Describe(nb) + ": ";
    if (na.op != nb.op || na.name != nb.name) return where + "op or name";
    if (na.inputs.size() != nb.inputs.size() || na.outputs.size() != nb.outputs.size())
      return where + "arity";
    for (size_t k = 0; k < na.inputs.size(); ++k) {
      if (!SameValue(a, na.inputs[k], b, nb.inputs[k]))
        return where + "input " + std::to_string(k) + " " + DescribeValue(a, na.inputs[k]) + " vs " +
               DescribeValue(b, nb.inputs[k]);
    }
    for (size_t k = 0; k < na.outputs.size(); ++k) {
      if (!SameValue(a, na.outputs[k], b, nb.outputs[k]))
        return where + "output " + std::to_string(k) + " " + DescribeValue(a, na.outputs[k]) + " vs " +
               DescribeValue(b, nb.outputs[k]);
    }
    if (na.attrs.all().size() != nb.attrs.all().size()) return where + "attribute count";
    for (const auto& [name, value] : na.attrs.all()) {
      if (!nb.attrs.Has(name) || !SameAttribute(value, nb.attrs.all().at(name)))
        return where + "attribute " + name;
    }
  }
  for (size_t i = 0; i < a.outputs.size() && i < b.outputs.size(); ++i) {
    if (!SameValue(a, a.outputs[i], b, b.outputs[i])) return "graph output " + std::to_string(i);
  }
  return a.outputs.size() == b.outputs.size() && a.inputs.size() == b.inputs.size() ? "" : "graph I/O count";
}

// Writes `g`, checks it with onnx.checker, runs it in ORT (optimized),
// compares with qforge's runtime, and reads it back.
struct Exported {
  std::string path;
  OrtRun ort;
  std::vector<Tensor> qforge;
  std::unique_ptr<ir::Graph> back;
};

Exported ExportAndRun(const ir::Graph& g, const std::vector<Tensor>& inputs, const TempDir& dir,
                      const std::string& name, bool qdq_int8 = false) {
  Exported e;
  e.path = dir.file(name + ".onnx");
  Status s = io::WriteOnnx(g, e.path);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return e;
  EXPECT_EQ(OnnxCheck(e.path), 0) << "onnx.checker rejected " << e.path;
  e.ort = RunOrt(e.path, inputs, g.outputs.size(), dir, qdq_int8);
  e.qforge = RunQforge(g, inputs);
  auto back = io::ReadOnnx(e.path);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  if (back.ok()) e.back = std::move(back).value();
  return e;
}

// --- (1) int8 Conv, per-channel weights, fused Relu, then MaxPool ----------
// int8 mode: float I/O through explicit QuantizeLinear / DequantizeLinear.

constexpr float kXScale = 0.02f, kYScale = 0.05f;
constexpr int64_t kXZero = 3, kYZero = -128;  // Relu'd output: Z = qmin

struct ConvGraph {
  ir::Graph g;
  Tensor x;
  Tensor w, b;
  std::vector<float> w_scales{0.01f, 0.02f, 0.015f, 0.03f};
};

ConvGraph BuildConvGraph() {
  ConvGraph c;
  ir::Graph& g = c.g;
  g.name = "qconv";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {1, 3, 6, 6}));
  const ir::ValueId xs = g.AddConstant("x_scale", testing::MakeTensor(DataType::kFloat32, {}, {kXScale}));
  const ir::ValueId xz = g.AddConstant("x_zp", testing::MakeTensor(DataType::kInt8, {}, {double(kXZero)}));
  const ir::ValueId xq = g.AddValue("xq", QType(DataType::kInt8, {1, 3, 6, 6}, PerTensor(kXScale, kXZero)));
  c.w = RandomInts(DataType::kInt8, {4, 3, 3, 3}, -127, 127, 1);
  const ir::ValueId w = AddQConst(&g, "w", c.w, PerAxis(c.w_scales, 0));
  std::vector<float> b_scales;
  for (float s : c.w_scales) b_scales.push_back(kXScale * s);
  c.b = RandomInts(DataType::kInt32, {4}, -2000, 2000, 2);
  const ir::ValueId b = AddQConst(&g, "b", c.b, PerAxis(b_scales, 0));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kInt8, {1, 4, 6, 6}, PerTensor(kYScale, kYZero)));
  const ir::ValueId p = g.AddValue("p", QType(DataType::kInt8, {1, 4, 3, 3}, PerTensor(kYScale, kYZero)));
  const ir::ValueId out = g.AddValue("out", QType(DataType::kFloat32, {1, 4, 3, 3}));
  const ir::ValueId ps = g.AddConstant("p_scale", testing::MakeTensor(DataType::kFloat32, {}, {kYScale}));
  const ir::ValueId pz = g.AddConstant("p_zp", testing::MakeTensor(DataType::kInt8, {}, {double(kYZero)}));
  AddOp(&g, OpKind::kQuantizeLinear, "quant_x", {x, xs, xz}, {xq});
  ir::Attributes conv;
  conv.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv.Set("kernel_shape", std::vector<int64_t>{3, 3});
  conv.Set(quant::kActivationMin, 0.0f);
  AddOp(&g, OpKind::kConv, "conv", {xq, w, b}, {y}, conv);
  ir::Attributes pool;
  pool.Set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.Set("strides", std::vector<int64_t>{2, 2});
  AddOp(&g, OpKind::kMaxPool, "pool", {y}, {p}, pool);
  AddOp(&g, OpKind::kDequantizeLinear, "dequant_out", {p, ps, pz}, {out});
  g.inputs = {x};
  g.outputs = {out};
  c.x = RandomFloats({1, 3, 6, 6}, -2.0f, 2.5f, 3);
  return c;
}

// The same computation by hand: ONNX Q of x, float conv of the dequantized
// values, Relu, Q half to even, 2x2 max, DQ.
std::vector<float> HandConvGraph(const ConvGraph& c) {
  auto qx = [&](int64_t i) {
    return quant::QuantizeValue(c.x.data<float>()[i], kXScale, kXZero, -128, 127,
                                quant::RoundingRule::kHalfToEven);
  };
  std::vector<int32_t> y(4 * 6 * 6);
  for (int oc = 0; oc < 4; ++oc) {
    for (int oy = 0; oy < 6; ++oy) {
      for (int ox = 0; ox < 6; ++ox) {
        int64_t acc = c.b.data<int32_t>()[oc];
        for (int ic = 0; ic < 3; ++ic)
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx) {
              const int iy = oy + ky - 1, ix = ox + kx - 1;
              if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
              acc += (qx((ic * 6 + iy) * 6 + ix) - kXZero) *
                     c.w.data<int8_t>()[((oc * 3 + ic) * 3 + ky) * 3 + kx];
            }
        const double real = static_cast<double>(acc) * kXScale * c.w_scales[static_cast<size_t>(oc)];
        const double q = quant::RoundToIntegral(real / kYScale, quant::RoundingRule::kHalfToEven) + kYZero;
        y[static_cast<size_t>((oc * 6 + oy) * 6 + ox)] =
            static_cast<int32_t>(std::clamp(q, double(kYZero), 127.0));
      }
    }
  }
  std::vector<float> out;
  for (int oc = 0; oc < 4; ++oc)
    for (int py = 0; py < 3; ++py)
      for (int px = 0; px < 3; ++px) {
        int32_t m = -128;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx)
            m = std::max(m, y[static_cast<size_t>((oc * 6 + py * 2 + dy) * 6 + px * 2 + dx)]);
        out.push_back(kYScale * static_cast<float>(m - kYZero));
      }
  return out;
}

TEST(OnnxQdq, ConvReluMaxPoolInt8Mode) {
  ConvGraph c = BuildConvGraph();
  TempDir dir;
  Exported e = ExportAndRun(c.g, {c.x}, dir, "conv");
  ASSERT_TRUE(e.ort.ok);
  // (c) ORT fused DQ -> Conv -> Relu -> Q into QLinearConv; no float Conv.
  EXPECT_EQ(e.ort.optimized_ops.count("QLinearConv"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("Conv"), 0u);
  // (b) ORT vs the hand computation and vs qforge, within one output step.
  const std::vector<float> hand = HandConvGraph(c);
  const Tensor& ort = e.ort.outputs[0];
  ASSERT_EQ(ort.num_elements(), static_cast<int64_t>(hand.size()));
  for (size_t i = 0; i < hand.size(); ++i)
    EXPECT_LE(std::abs(ort.data<float>()[i] - hand[i]), kMaxSteps * kYScale * 1.0001f) << "element " << i;
  ASSERT_EQ(e.qforge.size(), 1u);
  for (int64_t i = 0; i < ort.num_elements(); ++i) {
    EXPECT_LE(std::abs(ort.data<float>()[i] - e.qforge[0].data<float>()[i]), kMaxSteps * kYScale * 1.0001f)
        << "element " << i;
  }
  // (d) read back: the same integer graph.
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(c.g, *e.back), "");
}

// --- (2) int8-only Gemm (transB) with int8 graph I/O ------------------------

TEST(OnnxQdq, GemmInt8OnlyIO) {
  ir::Graph g;
  g.name = "qgemm";
  const QuantParams aq = PerTensor(0.04f, -10), yq = PerTensor(0.1f, 5);
  const ir::ValueId a = g.AddValue("a", QType(DataType::kInt8, {2, 8}, aq));
  const std::vector<float> ws = {0.01f, 0.02f, 0.03f, 0.005f, 0.012f};
  const ir::ValueId w = AddQConst(&g, "w", RandomInts(DataType::kInt8, {5, 8}, -127, 127, 4), PerAxis(ws, 0));
  std::vector<float> bs;
  for (float s : ws) bs.push_back(0.04f * s);
  const ir::ValueId b = AddQConst(&g, "b", RandomInts(DataType::kInt32, {5}, -3000, 3000, 5), PerAxis(bs, 0));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kInt8, {2, 5}, yq));
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  AddOp(&g, OpKind::kGemm, "fc", {a, w, b}, {y}, attrs);
  g.inputs = {a};
  g.outputs = {y};
  const Tensor in = RandomInts(DataType::kInt8, {2, 8}, -128, 127, 6);
  TempDir dir;
  Exported e = ExportAndRun(g, {in}, dir, "gemm");
  ASSERT_TRUE(e.ort.ok);
  EXPECT_EQ(e.ort.outputs[0].dtype(), DataType::kInt8);
  EXPECT_EQ(e.ort.optimized_ops.count("Gemm"), 0u) << "ORT left a float Gemm";
  EXPECT_EQ(e.ort.optimized_ops.count("QGemm"), 1u);
  ASSERT_EQ(e.qforge.size(), 1u);
  EXPECT_GE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), 0);
  EXPECT_LE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), kMaxSteps);
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

// --- (3) Add, Concat with a Requantize ------------------------------------
// int8 activations: by default ORT on x86 turns internal int8 Q/DQ pairs
// into uint8 (QDQS8ToU8Transformer) but not the DQs of int8 graph inputs,
// and then leaves the int8-input Add unfused; with
// session.qdqisint8allowed=1 it fuses int8 directly. uint8 activations
// (--activations uint8) fuse with default options.

void CheckAddConcat(DataType dtype) {
  const int64_t shift = dtype == DataType::kUInt8 ? 128 : 0;
  const double lo = dtype == DataType::kUInt8 ? 0 : -128, hi = lo + 255;
  ir::Graph g;
  g.name = "qaddcat";
  const std::vector<int64_t> dims = {1, 4, 2, 2};
  const ir::ValueId a = g.AddValue("a", QType(dtype, dims, PerTensor(0.05f, shift)));
  const ir::ValueId b = g.AddValue("b", QType(dtype, dims, PerTensor(0.04f, shift - 28)));
  const QuantParams sq = PerTensor(0.08f, shift - 5);
  const ir::ValueId s = g.AddValue("s", QType(dtype, dims, sq));
  const ir::ValueId ar = g.AddValue("a_requantized", QType(dtype, dims, sq));
  const ir::ValueId c = g.AddValue("c", QType(dtype, {1, 8, 2, 2}, sq));
  AddOp(&g, OpKind::kAdd, "add", {a, b}, {s});
  AddOp(&g, OpKind::kRequantize, "a_requantize", {a}, {ar});
  ir::Attributes cat;
  cat.Set("axis", int64_t{1});
  AddOp(&g, OpKind::kConcat, "cat", {s, ar}, {c}, cat);
  g.inputs = {a, b};
  g.outputs = {c};
  const Tensor a_in = RandomInts(dtype, dims, static_cast<int>(lo), static_cast<int>(hi), 7);
  const Tensor b_in = RandomInts(dtype, dims, static_cast<int>(lo), static_cast<int>(hi), 8);
  TempDir dir;
  Exported e = ExportAndRun(g, {a_in, b_in}, dir, "addcat", /*qdq_int8=*/dtype == DataType::kInt8);
  ASSERT_TRUE(e.ort.ok);
  EXPECT_EQ(e.ort.outputs[0].dtype(), dtype);
  EXPECT_EQ(e.ort.optimized_ops.count("QLinearAdd"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("QLinearConcat"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("Add") + e.ort.optimized_ops.count("Concat"), 0u);
  ASSERT_EQ(e.qforge.size(), 1u);
  EXPECT_GE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), 0);
  EXPECT_LE(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), kMaxSteps);
  // Hand check of the requantized half: q = round(0.05 (a - Za) / 0.08) + Zs.
  const Tensor& out = e.ort.outputs[0];
  for (int64_t i = 0; i < 16; ++i) {
    const double real = 0.05 * static_cast<double>(IntElement(a_in, i) - shift);
    const double want = std::clamp(std::nearbyint(real / 0.08) + static_cast<double>(shift - 5), lo, hi);
    EXPECT_LE(std::abs(static_cast<double>(IntElement(out, 16 + i)) - want), double(kMaxSteps))
        << "element " << i;
  }
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

TEST(OnnxQdq, AddConcatRequantizeInt8) { CheckAddConcat(DataType::kInt8); }
TEST(OnnxQdq, AddConcatRequantizeUint8) { CheckAddConcat(DataType::kUInt8); }

// uint8 graph input: Requantize to int8 (same scale, zero point - 128),
// int8 MaxPool, and back to uint8.
TEST(OnnxQdq, Uint8InputMaxPool) {
  ir::Graph g;
  g.name = "qu8";
  const ir::ValueId au = g.AddValue("a", QType(DataType::kUInt8, {1, 2, 4, 4}, PerTensor(0.03f, 140)));
  const ir::ValueId a8 =
      g.AddValue("a_requantized", QType(DataType::kInt8, {1, 2, 4, 4}, PerTensor(0.03f, 12)));
  const ir::ValueId p = g.AddValue("p", QType(DataType::kInt8, {1, 2, 2, 2}, PerTensor(0.03f, 12)));
  const ir::ValueId pu = g.AddValue("p_u8", QType(DataType::kUInt8, {1, 2, 2, 2}, PerTensor(0.03f, 140)));
  AddOp(&g, OpKind::kRequantize, "a_requantize", {au}, {a8});
  ir::Attributes pool;
  pool.Set("kernel_shape", std::vector<int64_t>{2, 2});
  pool.Set("strides", std::vector<int64_t>{2, 2});
  AddOp(&g, OpKind::kMaxPool, "pool", {a8}, {p}, pool);
  AddOp(&g, OpKind::kRequantize, "p_requantize", {p}, {pu});
  g.inputs = {au};
  g.outputs = {pu};
  const Tensor in = RandomInts(DataType::kUInt8, {1, 2, 4, 4}, 0, 255, 16);
  TempDir dir;
  Exported e = ExportAndRun(g, {in}, dir, "u8pool");
  ASSERT_TRUE(e.ort.ok);
  ASSERT_EQ(e.qforge.size(), 1u);
  // Same scale all the way: max pooling of the uint8 input, exactly.
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t c = i / 4, py = (i % 4) / 2, px = i % 2;
    int64_t m = 0;
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) m = std::max(m, IntElement(in, (c * 4 + py * 2 + dy) * 4 + px * 2 + dx));
    EXPECT_EQ(IntElement(e.ort.outputs[0], i), m) << "element " << i;
  }
  EXPECT_EQ(MaxStepDiff(e.ort.outputs[0], e.qforge[0]), 0);
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

// --- (4) hybrid Conv and MatMul ---------------------------------------------

TEST(OnnxQdq, HybridConvAndMatMul) {
  ir::Graph g;
  g.name = "hybrid";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {1, 3, 5, 5}));
  const ir::ValueId w = AddQConst(&g, "w", RandomInts(DataType::kInt8, {4, 3, 3, 3}, -127, 127, 9),
                                  PerAxis({0.01f, 0.02f, 0.004f, 0.03f}, 0));
  const ir::ValueId b = g.AddConstant("b", RandomFloats({4}, -1.0f, 1.0f, 10));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kFloat32, {1, 4, 5, 5}));
  ir::Attributes conv;
  conv.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  conv.Set(quant::kActivationMin, 0.0f);
  conv.Set(quant::kActivationMax, 6.0f);
  AddOp(&g, OpKind::kConv, "conv", {x, w, b}, {y}, conv);
  const ir::ValueId x2 = g.AddValue("x2", QType(DataType::kFloat32, {2, 8}));
  const ir::ValueId w2 = AddQConst(&g, "w2", RandomInts(DataType::kInt8, {8, 3}, -127, 127, 11),
                                   PerAxis({0.02f, 0.01f, 0.05f}, 1));
  const ir::ValueId y2 = g.AddValue("y2", QType(DataType::kFloat32, {2, 3}));
  AddOp(&g, OpKind::kMatMul, "mm", {x2, w2}, {y2});
  g.inputs = {x, x2};
  g.outputs = {y, y2};
  const std::vector<Tensor> inputs = {RandomFloats({1, 3, 5, 5}, -1.0f, 2.0f, 12),
                                      RandomFloats({2, 8}, -3.0f, 1.0f, 13)};
  TempDir dir;
  Exported e = ExportAndRun(g, inputs, dir, "hybrid");
  ASSERT_TRUE(e.ort.ok);
  EXPECT_EQ(e.ort.optimized_ops.count("ConvInteger"), 1u);
  EXPECT_EQ(e.ort.optimized_ops.count("MatMulInteger") + e.ort.optimized_ops.count("DynamicQuantizeMatMul"),
            1u);
  ASSERT_EQ(e.qforge.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const double err = testing::MaxRelError(e.ort.outputs[i], e.qforge[i]);
    EXPECT_GE(err, 0) << "output " << i;
    EXPECT_LE(err, kHybridTolerance) << "output " << i;
  }
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(DiffGraphs(g, *e.back), "");
}

// --- (5) weight-only int8 and float16 need nothing special ------------------

TEST(OnnxQdq, WeightOnlyAndFloat16) {
  ir::Graph g;
  g.name = "weights";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {1, 2, 4, 4}));
  const ir::ValueId wq = AddQConst(&g, "w_q", RandomInts(DataType::kInt8, {3, 2, 1, 1}, -127, 127, 14),
                                   PerAxis({0.1f, 0.2f, 0.05f}, 0));
  const ir::ValueId ws = g.AddConstant("w_s", testing::MakeTensor(DataType::kFloat32, {3}, {0.1, 0.2, 0.05}));
  const ir::ValueId wz = g.AddConstant("w_z", testing::MakeTensor(DataType::kInt8, {3}, {0, 0, 0}));
  const ir::ValueId w = g.AddValue("w", QType(DataType::kFloat32, {3, 2, 1, 1}));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kFloat32, {1, 3, 4, 4}));
  ir::Attributes dq;
  dq.Set("axis", int64_t{0});
  AddOp(&g, OpKind::kDequantizeLinear, "w_dequantize", {wq, ws, wz}, {w}, dq);
  ir::Attributes conv;
  conv.Set(quant::kActivationMin, -1.0f);  // a float op's fused Clip(-1, 1)
  conv.Set(quant::kActivationMax, 1.0f);
  AddOp(&g, OpKind::kConv, "conv", {x, w}, {y}, conv);
  const ir::ValueId h =
      g.AddConstant("h", testing::MakeTensor(DataType::kFloat16, {4, 2}, {1, -2, 0.5, 3, 1, 1, -1, 0.25}));
  const ir::ValueId hf = g.AddValue("h_float", QType(DataType::kFloat32, {4, 2}));
  const ir::ValueId z = g.AddValue("z", QType(DataType::kFloat32, {1, 3, 4, 2}));
  ir::Attributes cast;
  cast.Set("to", static_cast<int64_t>(DataType::kFloat32));
  AddOp(&g, OpKind::kCast, "h_cast", {h}, {hf}, cast);
  AddOp(&g, OpKind::kMatMul, "mm", {y, hf}, {z});
  g.inputs = {x};
  g.outputs = {z};
  const std::vector<Tensor> inputs = {RandomFloats({1, 2, 4, 4}, -5.0f, 5.0f, 15)};
  TempDir dir;
  Exported e = ExportAndRun(g, inputs, dir, "weights");
  ASSERT_TRUE(e.ort.ok);
  ASSERT_EQ(e.qforge.size(), 1u);
  const double err = testing::MaxRelError(e.ort.outputs[0], e.qforge[0]);
  EXPECT_GE(err, 0);
  EXPECT_LE(err, 1e-6);
  // The file: int8 initializer -> DequantizeLinear(axis 0) -> Conv -> Clip,
  // float16 initializer -> Cast -> MatMul.
  std::ifstream f(e.path, std::ios::binary);
  std::stringstream bytes;
  bytes << f.rdbuf();
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(bytes.str()));
  std::vector<std::string> ops;
  for (const onnx::NodeProto& n : m.graph().node()) ops.push_back(n.op_type());
  EXPECT_EQ(ops, (std::vector<std::string>{"DequantizeLinear", "Conv", "Clip", "Cast", "MatMul"}));
  ASSERT_EQ(m.graph().node(0).attribute_size(), 1);
  EXPECT_EQ(m.graph().node(0).attribute(0).i(), 0);
  for (const onnx::TensorProto& t : m.graph().initializer()) {
    if (t.name() == "w_q") EXPECT_EQ(t.data_type(), onnx::TensorProto::INT8);
    if (t.name() == "h") EXPECT_EQ(t.data_type(), onnx::TensorProto::FLOAT16);
  }
  // Read back, the weight-only DequantizeLinear stays (nothing to fold).
  ASSERT_NE(e.back, nullptr);
  EXPECT_EQ(e.back->nodes[0].op, OpKind::kDequantizeLinear);
  EXPECT_EQ(e.back->nodes[1].op, OpKind::kConv);
}

}  // namespace
}  // namespace qforge

namespace qforge {
namespace {

// --- PyTorch QAT export (tools/export_torch_qdq.py): folds and runs --------

TEST(OnnxQdqImport, TorchQatExportFoldsAndRuns) {
  auto g = io::ReadOnnx(testing::SourcePath("tests/models/data/torch_qdq_small.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Graph& graph = *g.value();
  // Every Conv / Gemm became integer: int8/uint8 input, int8 constant weight.
  int linear = 0;
  for (const ir::Node& n : graph.nodes) {
    if (n.op != OpKind::kConv && n.op != OpKind::kGemm) continue;
    ++linear;
    const DataType x = graph.value(n.inputs[0]).type.dtype;
    EXPECT_TRUE(x == DataType::kInt8 || x == DataType::kUInt8) << graph.Describe(n);
    const ir::Value& w = graph.value(n.inputs[1]);
    ASSERT_TRUE(w.is_constant()) << graph.Describe(n);
    EXPECT_EQ(w.constant->dtype(), DataType::kInt8) << graph.Describe(n);
    EXPECT_TRUE(w.constant->quant().per_axis()) << graph.Describe(n);
    EXPECT_EQ(graph.value(n.inputs[2]).type.dtype, DataType::kInt32) << graph.Describe(n);
  }
  EXPECT_EQ(linear, 5) << ir::PrintGraph(graph);
  for (const ir::Node& n : graph.nodes) {
    EXPECT_NE(n.op, OpKind::kRelu) << "a Relu was not fused: " << graph.Describe(n);
  }
  // The output DequantizeLinear stays (it writes the float graph output).
  const ir::Node& last = graph.nodes.back();
  ASSERT_EQ(last.op, OpKind::kDequantizeLinear);
  const QuantParams& out_q = graph.value(last.inputs[0]).type.quant;
  ASSERT_FALSE(out_q.empty());
  auto in = io::ReadNpy(testing::SourcePath("tests/models/data/torch_qdq_small_input.npy"));
  auto want = io::ReadNpy(testing::SourcePath("tests/models/data/torch_qdq_small_ort_output.npy"));
  ASSERT_TRUE(in.ok() && want.ok());
  std::vector<Tensor> got = RunQforge(graph, {in.value()});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].dims(), want.value().dims());
  const float step = out_q.scale[0];
  for (int64_t i = 0; i < got[0].num_elements(); ++i) {
    EXPECT_LE(std::abs(got[0].data<float>()[i] - want.value().data<float>()[i]), kMaxSteps * step * 1.0001f)
        << "element " << i;
  }
}

}  // namespace
}  // namespace qforge

namespace qforge {
namespace {

// --- Folding leaves what it cannot fold, and the graph computes the same ---

// x int8 -> DQ(0.1, 0) -> Q(0.2, 3) -> DQ -> Abs -> out_a: a Requantize.
// x      -> DQ(0.1, 0) -> Q(0.1, 0) -> DQ -> Abs -> out_b: the pair cancels.
// Abs has no integer form: its DQ stays, it stays float.
TEST(OnnxQdqImport, DqQPairsAndFloatFallback) {
  ir::Graph g;
  g.name = "pairs";
  const std::vector<int64_t> dims = {2, 5};
  const ir::ValueId x = g.AddValue("x", QType(DataType::kInt8, dims, PerTensor(0.1f, 0)));
  auto scalar = [&](const std::string& name, DataType t, double v) {
    return g.AddConstant(name, testing::MakeTensor(t, {}, {v}));
  };
  const ir::ValueId s1 = scalar("s1", DataType::kFloat32, 0.1), z1 = scalar("z1", DataType::kInt8, 0);
  const ir::ValueId s2 = scalar("s2", DataType::kFloat32, 0.2), z2 = scalar("z2", DataType::kInt8, 3);
  int k = 0;
  auto v = [&](DataType t) { return g.AddValue("v" + std::to_string(k++), QType(t, dims)); };
  const ir::ValueId xa = v(DataType::kFloat32), qa = v(DataType::kInt8), da = v(DataType::kFloat32);
  const ir::ValueId xb = v(DataType::kFloat32), qb = v(DataType::kInt8), db = v(DataType::kFloat32);
  const ir::ValueId out_a = g.AddValue("out_a", QType(DataType::kFloat32, dims));
  const ir::ValueId out_b = g.AddValue("out_b", QType(DataType::kFloat32, dims));
  AddOp(&g, OpKind::kDequantizeLinear, "dq_a", {x, s1, z1}, {xa});
  AddOp(&g, OpKind::kQuantizeLinear, "q_a", {xa, s2, z2}, {qa});
  AddOp(&g, OpKind::kDequantizeLinear, "dq_a2", {qa, s2, z2}, {da});
  AddOp(&g, OpKind::kAbs, "abs_a", {da}, {out_a});
  AddOp(&g, OpKind::kDequantizeLinear, "dq_b", {x, s1, z1}, {xb});
  AddOp(&g, OpKind::kQuantizeLinear, "q_b", {xb, s1, z1}, {qb});
  AddOp(&g, OpKind::kDequantizeLinear, "dq_b2", {qb, s1, z1}, {db});
  AddOp(&g, OpKind::kAbs, "abs_b", {db}, {out_b});
  g.inputs = {x};
  g.outputs = {out_a, out_b};
  TempDir dir;
  const std::string path = dir.file("pairs.onnx");
  ASSERT_TRUE(io::WriteOnnx(g, path).ok());
  auto back = io::ReadOnnx(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const ir::Graph& b = *back.value();
  std::multiset<OpKind> ops;
  for (const ir::Node& n : b.nodes) ops.insert(n.op);
  EXPECT_EQ(ops.count(OpKind::kRequantize), 1u) << ir::PrintGraph(b);
  EXPECT_EQ(ops.count(OpKind::kQuantizeLinear), 0u) << ir::PrintGraph(b);
  EXPECT_EQ(ops.count(OpKind::kDequantizeLinear), 2u) << ir::PrintGraph(b);
  EXPECT_EQ(ops.count(OpKind::kAbs), 2u) << ir::PrintGraph(b);
  const Tensor in = RandomInts(DataType::kInt8, dims, -128, 127, 17);
  std::vector<Tensor> want = RunQforge(g, {in});
  std::vector<Tensor> got = RunQforge(b, {in});
  ASSERT_EQ(want.size(), 2u);
  ASSERT_EQ(got.size(), 2u);
  // Requantize is fixed point, DQ -> Q float: at most one step of 0.2 apart.
  for (int64_t i = 0; i < want[0].num_elements(); ++i)
    EXPECT_LE(std::abs(got[0].data<float>()[i] - want[0].data<float>()[i]), kMaxSteps * 0.2f * 1.0001f);
  EXPECT_EQ(testing::MaxRelError(got[1], want[1]), 0.0);
}

// ONNX backend cases of the quantization ops still load and run (the
// folding pass sees their Q/DQ nodes but must leave them alone).
class QdqBackendCase : public ::testing::TestWithParam<const char*> {};

TEST_P(QdqBackendCase, SameOutputs) {
  const std::string dir = std::string("/usr/share/libonnx-testdata/data/node/") + GetParam();
  auto g = io::ReadOnnx(dir + "/model.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < g.value()->inputs.size(); ++i) {
    auto t = io::ReadOnnxTensorFile(dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    inputs.push_back(std::move(t).value());
  }
  runtime::Interpreter interp(std::shared_ptr<const ir::Graph>(std::move(g).value()));
  auto out = interp.Run(inputs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (size_t i = 0; i < out.value().size(); ++i) {
    auto want = io::ReadOnnxTensorFile(dir + "/test_data_set_0/output_" + std::to_string(i) + ".pb");
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(testing::MaxRelError(out.value()[i], want.value()), 0.0) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Node, QdqBackendCase,
                         ::testing::Values("test_dequantizelinear", "test_dequantizelinear_axis",
                                           "test_quantizelinear", "test_quantizelinear_axis",
                                           "test_dynamicquantizelinear", "test_matmulinteger"));

}  // namespace
}  // namespace qforge

namespace qforge {
namespace {

// Hybrid Gemm with transB: MatMulInteger has no transB, so the writer
// transposes the int8 weight; read back it is a Gemm with transB 0 on the
// transposed weight (per channel along axis 1), computing the same.
TEST(OnnxQdq, HybridGemmTransB) {
  ir::Graph g;
  g.name = "hybrid_gemm";
  const ir::ValueId x = g.AddValue("x", QType(DataType::kFloat32, {3, 6}));
  const ir::ValueId w = AddQConst(&g, "w", RandomInts(DataType::kInt8, {4, 6}, -127, 127, 18),
                                  PerAxis({0.01f, 0.03f, 0.02f, 0.005f}, 0));
  const ir::ValueId b = g.AddConstant("b", RandomFloats({4}, -1.0f, 1.0f, 19));
  const ir::ValueId y = g.AddValue("y", QType(DataType::kFloat32, {3, 4}));
  ir::Attributes attrs;
  attrs.Set("transB", int64_t{1});
  AddOp(&g, OpKind::kGemm, "fc", {x, w, b}, {y}, attrs);
  g.inputs = {x};
  g.outputs = {y};
  const std::vector<Tensor> inputs = {RandomFloats({3, 6}, -2.0f, 2.0f, 20)};
  TempDir dir;
  Exported e = ExportAndRun(g, inputs, dir, "hybrid_gemm");
  ASSERT_TRUE(e.ort.ok);
  ASSERT_EQ(e.qforge.size(), 1u);
  EXPECT_GE(testing::MaxRelError(e.ort.outputs[0], e.qforge[0]), 0);
  EXPECT_LE(testing::MaxRelError(e.ort.outputs[0], e.qforge[0]), kHybridTolerance);
  ASSERT_NE(e.back, nullptr);
  ASSERT_EQ(e.back->nodes.size(), 1u) << ir::PrintGraph(*e.back);
  const ir::Node& n = e.back->nodes[0];
  EXPECT_EQ(n.op, OpKind::kGemm);
  EXPECT_EQ(n.attrs.GetInt("transB", 0), 0);
  const ir::Value& wt = e.back->value(n.inputs[1]);
  ASSERT_TRUE(wt.is_constant());
  EXPECT_EQ(wt.constant->dims(), (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(wt.constant->quant().axis, 1);
  std::vector<Tensor> back_out = RunQforge(*e.back, inputs);
  ASSERT_EQ(back_out.size(), 1u);
  EXPECT_LE(testing::MaxRelError(back_out[0], e.qforge[0]), kHybridTolerance);
}

}  // namespace
}  // namespace qforge

namespace qforge {
namespace {

// --- The quantizer's output: written, run by ORT, read back the same -------

struct QuantizerCase {
  const char* model;
  quant::QuantMode mode;
  DataType activations;
  bool per_channel = true;
};

class QuantizerRoundTrip : public ::testing::TestWithParam<QuantizerCase> {};

// The one expected difference: a hybrid Gemm with transB is written with
// its int8 weight transposed (MatMulInteger has no transB) and reads back
// as Gemm(transB 0) on "<w>_transposed", per channel along axis 1, with
// default alpha / beta (HybridGemmTransB checks it computes the same).
void NormalizeHybridGemm(ir::Graph* g) {
  for (ir::Node& n : g->nodes) {
    if (n.op != OpKind::kGemm || n.inputs.size() < 2) continue;
    const ir::Value& w = g->value(n.inputs[1]);
    if (g->value(n.inputs[0]).type.dtype != DataType::kFloat32 || !w.is_constant() ||
        w.constant->dtype() != DataType::kInt8)
      continue;
    if (n.attrs.GetInt("transB", 0) != 0) {
      const Tensor& src = *w.constant;
      Tensor t(DataType::kInt8, {src.dim(1), src.dim(0)});
      for (int64_t r = 0; r < src.dim(0); ++r)
        for (int64_t c = 0; c < src.dim(1); ++c)
          t.data<int8_t>()[c * src.dim(0) + r] = src.data<int8_t>()[r * src.dim(1) + c];
      QuantParams q = src.quant();
      if (q.per_axis()) q.axis = 1;
      t.set_quant(q);
      n.inputs[1] = g->AddConstant(w.name + "_transposed", std::move(t));
    }
    for (const char* attr : {"alpha", "beta", "transA", "transB"}) n.attrs.Erase(attr);
  }
}

TEST_P(QuantizerRoundTrip, RunsInOrtAndReadsBackTheSame) {
  const QuantizerCase& c = GetParam();
  auto loaded = io::ReadOnnx(testing::SourcePath(std::string("models/") + c.model + ".onnx"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto prepared = std::shared_ptr<ir::Graph>(std::move(loaded).value());
  ASSERT_TRUE(passes::PrepareForQuantization(prepared.get()).ok());
  quant::QuantizeOptions opt;
  opt.mode = c.mode;
  opt.activation_type = c.activations;
  opt.per_channel = c.per_channel;
  if (quant::NeedsCalibration(c.mode)) {
    io::DataSpec spec;
    spec.path = testing::SourcePath("models/calib/fashion_train100.npy");
    auto data = io::OpenDataset(spec, {-1, 1, 28, 28}, DataType::kFloat32);
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    quant::CalibrateOptions co;
    co.count = 16;  // the ranges' values do not matter here
    auto stats = quant::Calibrate(prepared, *data.value(), co);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    auto ranges = quant::ComputeRanges(stats.value(), {});
    ASSERT_TRUE(ranges.ok()) << ranges.status().ToString();
    for (const auto& [name, r] : ranges.value()) opt.ranges[name] = {r.min, r.max};
  }
  auto q = quant::QuantizeGraph(*prepared, opt, nullptr);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  TempDir dir;
  const std::string path = dir.file("q.onnx");
  ASSERT_TRUE(io::WriteOnnx(q.value(), path).ok());
  EXPECT_EQ(OnnxCheck(path), 0);
  auto back = io::ReadOnnx(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ir::Graph original = std::move(q).value();
  // ONNX Runtime runs the file: integer ops fused, outputs within
  // kNetworkSteps of qforge's (each layer may differ by one step, ORT
  // requantizing in float, and those differences propagate).
  const ir::TensorType& in_type = original.value(original.inputs[0]).type;
  Tensor input = in_type.dtype == DataType::kFloat32
                     ? RandomFloats({2, 1, 28, 28}, 0.0f, 1.0f, 21)
                     : RandomInts(in_type.dtype, {2, 1, 28, 28}, -128, 127, 21);
  OrtRun ort = RunOrt(path, {input}, 1, dir, /*qdq_int8=*/true);
  ASSERT_TRUE(ort.ok);
  std::vector<Tensor> ours = RunQforge(original, {input});
  ASSERT_EQ(ours.size(), 1u);
  for (const char* float_op : {"Conv", "Gemm", "MatMul", "FusedConv", "FusedGemm"})
    EXPECT_EQ(ort.optimized_ops.count(float_op), 0u) << float_op << " left in float by ORT";
  if (c.mode == quant::QuantMode::kDynamic) {
    EXPECT_GT(ort.optimized_ops.count("ConvInteger") + ort.optimized_ops.count("DynamicQuantizeMatMul"), 0u);
    EXPECT_GE(testing::MaxRelError(ort.outputs[0], ours[0]), 0);
    EXPECT_LE(testing::MaxRelError(ort.outputs[0], ours[0]), kHybridTolerance);
  } else if (ours[0].dtype() == DataType::kFloat32) {
    // int8 mode: float logits through the output DequantizeLinear.
    const ir::Node& last = original.nodes.back();
    ASSERT_EQ(last.op, OpKind::kDequantizeLinear);
    const float step = original.value(last.inputs[0]).type.quant.scale[0];
    EXPECT_GE(testing::MaxRelError(ort.outputs[0], ours[0]), 0);
    for (int64_t i = 0; i < ours[0].num_elements(); ++i) {
      EXPECT_LE(std::abs(ort.outputs[0].data<float>()[i] - ours[0].data<float>()[i]),
                kNetworkSteps * step * 1.0001f)
          << "element " << i;
    }
  } else {
    EXPECT_GE(MaxStepDiff(ort.outputs[0], ours[0]), 0);
    EXPECT_LE(MaxStepDiff(ort.outputs[0], ours[0]), kNetworkSteps);
  }
  NormalizeHybridGemm(&original);
  ASSERT_TRUE(original.TopologicalSort().ok());
  EXPECT_EQ(DiffGraphs(original, *back.value()), "");
}

INSTANTIATE_TEST_SUITE_P(
    Models, QuantizerRoundTrip,
    ::testing::Values(QuantizerCase{"cnn", quant::QuantMode::kInt8, DataType::kInt8},
                      QuantizerCase{"cnn", quant::QuantMode::kInt8Only, DataType::kInt8},
                      QuantizerCase{"cnn", quant::QuantMode::kDynamic, DataType::kInt8},
                      QuantizerCase{"mobilenet", quant::QuantMode::kInt8, DataType::kInt8},
                      QuantizerCase{"mobilenet", quant::QuantMode::kDynamic, DataType::kInt8},
                      QuantizerCase{"resnet", quant::QuantMode::kInt8, DataType::kUInt8},
                      QuantizerCase{"resnet", quant::QuantMode::kInt8Only, DataType::kInt8},
                      QuantizerCase{"resnet", quant::QuantMode::kInt8, DataType::kInt8, false},
                      QuantizerCase{"mobilenet", quant::QuantMode::kDynamic, DataType::kInt8, false}),
    [](const ::testing::TestParamInfo<QuantizerCase>& info) {
      std::string n = std::string(info.param.model) + "_" + quant::QuantModeName(info.param.mode) + "_" +
                      DataTypeName(info.param.activations) + (info.param.per_channel ? "" : "_per_tensor");
      for (char& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return n;
    });

}  // namespace
}  // namespace qforge
