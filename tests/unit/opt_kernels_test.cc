// Every optimized kernel (kernels/opt KernelList) against the
// reference kernel on randomized single-node graphs: shapes, strides, pads,
// dilations, channel counts that are not multiples of any vector width,
// batch sizes, extreme zero points, fused clamps, 1 and 2 threads, both
// requantization rules. The node runs once through an optimized interpreter
// and once through the reference interpreter on the same inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>

#include "cross_run.h"
#include "ir/graph.h"
#include "ir/op_kind.h"
#include "kernels/opt_kernel.h"
#include "ops/infer.h"
#include "recurrent_case.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge {
namespace {

// Integer kernels that requantize in float (XNNPACK's fp32 scheme) against
// the fixed-point reference differ by at most one step.
constexpr int kInt8Steps = 1;
// Float kernels sum in another order and with FMA: the error is bounded
// relative to the largest output magnitude of the case, not per element
// (an element near zero is a difference of large terms).
constexpr double kFloatRelative = 1e-5;

struct Case {
  ir::Graph graph;
  std::vector<Tensor> inputs;
  std::string what;
};

QuantParams PerTensor(float s, int64_t z) { return QuantParams{{s}, {z}, -1}; }

Tensor RandomInt8(std::vector<int64_t> dims, std::mt19937& rng, int lo = -128, int hi = 127) {
  Tensor t(DataType::kInt8, std::move(dims));
  std::uniform_int_distribution<int> d(lo, hi);
  for (int8_t& v : t.span<int8_t>()) v = static_cast<int8_t>(d(rng));
  return t;
}

Tensor RandomFloat(std::vector<int64_t> dims, std::mt19937& rng) {
  Tensor t(DataType::kFloat32, std::move(dims));
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (float& v : t.span<float>()) v = d(rng);
  return t;
}

int Pick(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
float PickF(std::mt19937& rng, float lo, float hi) {
  return std::uniform_real_distribution<float>(lo, hi)(rng);
}

int64_t ExtremeZeroPoint(std::mt19937& rng) {
  const int k = Pick(rng, 0, 3);
  return k == 0 ? -128 : k == 1 ? 127 : Pick(rng, -20, 20);
}

void SetActivation(std::mt19937& rng, ir::Node* node) {
  const int k = Pick(rng, 0, 2);
  if (k == 1) node->attrs.Set("activation_min", 0.0f);
  if (k == 2) {
    node->attrs.Set("activation_min", 0.0f);
    node->attrs.Set("activation_max", 6.0f);
  }
}

ir::ValueId AddInput(Case* c, const std::string& name, Tensor t) {
  ir::TensorType type;
  type.dtype = t.dtype();
  type.rank_known = true;
  type.dims = t.dims();
  type.quant = t.quant();
  ir::ValueId id = c->graph.AddValue(name, type);
  c->graph.inputs.push_back(id);
  c->inputs.push_back(std::move(t));
  return id;
}

ir::ValueId AddOutput(Case* c, DataType dtype, QuantParams q) {
  ir::TensorType type;
  type.dtype = dtype;
  type.quant = std::move(q);
  ir::ValueId id = c->graph.AddValue("y", type);
  c->graph.outputs.push_back(id);
  return id;
}

// Conv, NHWC (the layout the runtime gives the optimized kernels), dense,
// depthwise or grouped, float or int8.
Case ConvCase(std::mt19937& rng, bool int8, bool dense_only = false) {
  Case c;
  const int kind = dense_only ? 0 : Pick(rng, 0, 2);  // dense, depthwise, depthwise x2
  const int n = Pick(rng, 1, 2), h = Pick(rng, 1, 13), w = Pick(rng, 1, 13);
  int cin = Pick(rng, 1, 37), m = Pick(rng, 1, 41), group = 1;
  if (kind == 1) group = cin, m = cin;
  if (kind == 2) group = cin, m = 2 * cin;
  const int kh = Pick(rng, 1, 5), kw = std::max(1, kh + Pick(rng, -1, 1));
  const int sh = Pick(rng, 1, 2), sw = Pick(rng, 1, 2), dh = Pick(rng, 1, 2), dw = Pick(rng, 1, 2);
  std::vector<int64_t> pads = {Pick(rng, 0, 2), Pick(rng, 0, 2), Pick(rng, 0, 2), Pick(rng, 0, 2)};
  // Keep the output non-empty.
  const int eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
  if (h + pads[0] + pads[2] < eh) pads[2] = eh - h - pads[0];
  if (w + pads[1] + pads[3] < ew) pads[3] = ew - w - pads[1];
  const int gin = cin / group;
  ir::Node node;
  node.name = "conv";
  node.op = OpKind::kConv;
  node.attrs.Set("qf_layout", std::string("NHWC"));
  node.attrs.Set("strides", std::vector<int64_t>{sh, sw});
  node.attrs.Set("dilations", std::vector<int64_t>{dh, dw});
  node.attrs.Set("pads", pads);
  node.attrs.Set("group", int64_t{group});
  SetActivation(rng, &node);
  const bool bias = Pick(rng, 0, 3) != 0;
  if (int8) {
    const float sx = PickF(rng, 0.01f, 0.1f);
    Tensor x = RandomInt8({n, h, w, cin}, rng);
    x.set_quant(PerTensor(sx, ExtremeZeroPoint(rng)));
    Tensor wt = RandomInt8({m, gin, kh, kw}, rng, -127, 127);
    std::vector<float> sw_scales(static_cast<size_t>(m));
    for (float& s : sw_scales) s = PickF(rng, 0.002f, 0.02f);
    const bool per_channel = Pick(rng, 0, 3) != 0;
    wt.set_quant(per_channel ? QuantParams{sw_scales, std::vector<int64_t>(static_cast<size_t>(m), 0), 0}
                             : PerTensor(sw_scales[0], 0));
    node.inputs.push_back(AddInput(&c, "x", std::move(x)));
    node.inputs.push_back(c.graph.AddConstant("w", std::move(wt)));
    if (bias) {
      Tensor b(DataType::kInt32, {m});
      for (int32_t& v : b.span<int32_t>()) v = Pick(rng, -20000, 20000);
      std::vector<float> bs;
      for (int i = 0; i < m; ++i) bs.push_back(sx * sw_scales[per_channel ? static_cast<size_t>(i) : 0]);
      b.set_quant(per_channel ? QuantParams{bs, std::vector<int64_t>(static_cast<size_t>(m), 0), 0}
                              : PerTensor(bs[0], 0));
      node.inputs.push_back(c.graph.AddConstant("b", std::move(b)));
    }
    const float k_terms = std::sqrt(static_cast<float>(gin * kh * kw));
    const float sy = sx * 0.01f * 74.0f * k_terms / PickF(rng, 30.0f, 120.0f);
    node.outputs.push_back(AddOutput(&c, DataType::kInt8, PerTensor(sy, ExtremeZeroPoint(rng))));
  } else {
    node.inputs.push_back(AddInput(&c, "x", RandomFloat({n, h, w, cin}, rng)));
    node.inputs.push_back(c.graph.AddConstant("w", RandomFloat({m, gin, kh, kw}, rng)));
    if (bias) node.inputs.push_back(c.graph.AddConstant("b", RandomFloat({m}, rng)));
    node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  }
  c.what = "conv n" + std::to_string(n) + " " + std::to_string(h) + "x" + std::to_string(w) + " c" +
           std::to_string(cin) + " m" + std::to_string(m) + " g" + std::to_string(group) + " k" +
           std::to_string(kh) + "x" + std::to_string(kw) + " s" + std::to_string(sh) + std::to_string(sw) +
           " d" + std::to_string(dh) + std::to_string(dw);
  c.graph.AddNode(std::move(node));
  return c;
}

Case GemmCase(std::mt19937& rng, bool int8) {
  Case c;
  const int n = Pick(rng, 1, 5), k = Pick(rng, 1, 300), m = Pick(rng, 1, 70);
  // A float MatMul with a constant 2-D B and a 2- to 4-D A, in a third of the float cases.
  const bool matmul = !int8 && Pick(rng, 0, 2) == 0;
  const bool trans_b = !matmul && Pick(rng, 0, 1) == 1;
  ir::Node node;
  node.name = "fc";
  node.op = matmul ? OpKind::kMatMul : OpKind::kGemm;
  if (!matmul) {
    node.attrs.Set("transB", int64_t{trans_b ? 1 : 0});
    SetActivation(rng, &node);
  }
  const std::vector<int64_t> wdims = trans_b ? std::vector<int64_t>{m, k} : std::vector<int64_t>{k, m};
  if (int8) {
    const float sx = PickF(rng, 0.01f, 0.1f);
    Tensor x = RandomInt8({n, k}, rng);
    x.set_quant(PerTensor(sx, ExtremeZeroPoint(rng)));
    Tensor wt = RandomInt8(wdims, rng, -127, 127);
    std::vector<float> scales(static_cast<size_t>(m));
    for (float& s : scales) s = PickF(rng, 0.002f, 0.02f);
    wt.set_quant(QuantParams{scales, std::vector<int64_t>(static_cast<size_t>(m), 0), trans_b ? 0 : 1});
    node.inputs.push_back(AddInput(&c, "x", std::move(x)));
    node.inputs.push_back(c.graph.AddConstant("w", std::move(wt)));
    Tensor b(DataType::kInt32, {m});
    for (int32_t& v : b.span<int32_t>()) v = Pick(rng, -20000, 20000);
    std::vector<float> bs;
    for (float s : scales) bs.push_back(sx * s);
    b.set_quant(QuantParams{bs, std::vector<int64_t>(static_cast<size_t>(m), 0), 0});
    node.inputs.push_back(c.graph.AddConstant("b", std::move(b)));
    const float sy = sx * 0.01f * 74.0f * std::sqrt(static_cast<float>(k)) / PickF(rng, 30.0f, 120.0f);
    node.outputs.push_back(AddOutput(&c, DataType::kInt8, PerTensor(sy, ExtremeZeroPoint(rng))));
  } else {
    std::vector<int64_t> xdims = {n, k};
    if (matmul)
      for (int lead = Pick(rng, 0, 2); lead > 0; --lead) xdims.insert(xdims.begin(), Pick(rng, 1, 3));
    node.inputs.push_back(AddInput(&c, "x", RandomFloat(xdims, rng)));
    node.inputs.push_back(c.graph.AddConstant("w", RandomFloat(wdims, rng)));
    if (!matmul) node.inputs.push_back(c.graph.AddConstant("b", RandomFloat({m}, rng)));
    node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  }
  c.what = std::string(matmul ? "matmul " : "gemm ") + std::to_string(n) + "x" + std::to_string(k) + " -> " +
           std::to_string(m) + (trans_b ? " transB" : "");
  c.graph.AddNode(std::move(node));
  return c;
}

Case AddCase(std::mt19937& rng, bool int8) {
  Case c;
  const OpKind ops[] = {OpKind::kAdd, OpKind::kSub, OpKind::kMul};
  const OpKind op = ops[Pick(rng, 0, 2)];
  std::vector<int64_t> a = {Pick(rng, 1, 2), Pick(rng, 1, 9), Pick(rng, 1, 9), Pick(rng, 1, 33)};
  std::vector<int64_t> b = a;
  if (Pick(rng, 0, 2) == 0) b = {1, 1, 1, a[3]};  // per-channel broadcast
  ir::Node node;
  node.name = "binary";
  node.op = op;
  SetActivation(rng, &node);
  if (int8) {
    Tensor x = RandomInt8(a, rng), y = RandomInt8(b, rng);
    x.set_quant(PerTensor(PickF(rng, 0.01f, 0.1f), ExtremeZeroPoint(rng)));
    y.set_quant(PerTensor(PickF(rng, 0.01f, 0.1f), ExtremeZeroPoint(rng)));
    node.inputs = {AddInput(&c, "a", std::move(x)), AddInput(&c, "b", std::move(y))};
    node.outputs.push_back(
        AddOutput(&c, DataType::kInt8, PerTensor(PickF(rng, 0.02f, 0.2f), ExtremeZeroPoint(rng))));
  } else {
    node.inputs = {AddInput(&c, "a", RandomFloat(a, rng)), AddInput(&c, "b", RandomFloat(b, rng))};
    node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  }
  c.what = std::string(OpName(op)) + " " + DimsToString(a) + ", " + DimsToString(b);
  c.graph.AddNode(std::move(node));
  return c;
}

Case PoolCase(std::mt19937& rng, bool int8, bool global) {
  Case c;
  const std::vector<int64_t> dims = {Pick(rng, 1, 2), Pick(rng, 3, 12), Pick(rng, 3, 12), Pick(rng, 1, 37)};
  ir::Node node;
  node.name = "pool";
  node.op = global ? OpKind::kGlobalAveragePool : OpKind::kMaxPool;
  node.attrs.Set("qf_layout", std::string("NHWC"));
  if (!global) {
    const int k = Pick(rng, 2, 3);  // XNNPACK has no 1x1 pooling (a strided copy)
    node.attrs.Set("kernel_shape", std::vector<int64_t>{k, k});
    node.attrs.Set("strides", std::vector<int64_t>{Pick(rng, 1, 2), Pick(rng, 1, 2)});
    const int p = std::min(k - 1, Pick(rng, 0, 1));
    node.attrs.Set("pads", std::vector<int64_t>{p, p, p, p});
  }
  if (int8) {
    Tensor x = RandomInt8(dims, rng);
    const QuantParams q = PerTensor(PickF(rng, 0.01f, 0.1f), ExtremeZeroPoint(rng));
    x.set_quant(q);
    node.inputs.push_back(AddInput(&c, "x", std::move(x)));
    node.outputs.push_back(AddOutput(
        &c, DataType::kInt8, global ? PerTensor(PickF(rng, 0.005f, 0.05f), ExtremeZeroPoint(rng)) : q));
  } else {
    node.inputs.push_back(AddInput(&c, "x", RandomFloat(dims, rng)));
    node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  }
  c.what = std::string(global ? "global average pool " : "max pool ") + DimsToString(dims);
  c.graph.AddNode(std::move(node));
  return c;
}

// Hybrid (dynamic-range) Conv (NHWC, dense) / Gemm / MatMul: float x, int8
// per-channel weight, float bias.
Case HybridCase(std::mt19937& rng, OpKind op, bool depthwise = false) {
  Case c;
  ir::Node node;
  node.name = "hybrid";
  node.op = op;
  SetActivation(rng, &node);
  int n = Pick(rng, 1, 3), k = Pick(rng, 1, 90), m = Pick(rng, 1, 70);
  std::vector<int64_t> xdims = {n, k}, wdims = {k, m};
  int axis = 1;
  if (op == OpKind::kConv) {
    const int kh = Pick(rng, 1, 3), kw = Pick(rng, 1, 3), h = Pick(rng, kh, 9), w = Pick(rng, kw, 9);
    k = Pick(rng, 1, 20);
    xdims = {n, h, w, k};
    wdims = {m, k, kh, kw};
    if (depthwise) {
      m = k;
      wdims = {k, 1, kh, kw};
      node.attrs.Set("group", int64_t{k});
    }
    axis = 0;
    node.attrs.Set("qf_layout", std::string("NHWC"));
    node.attrs.Set("strides", std::vector<int64_t>{Pick(rng, 1, 2), Pick(rng, 1, 2)});
    node.attrs.Set("pads",
                   std::vector<int64_t>{Pick(rng, 0, 1), Pick(rng, 0, 1), Pick(rng, 0, 1), Pick(rng, 0, 1)});
  } else if (op == OpKind::kGemm && Pick(rng, 0, 1) == 1) {
    node.attrs.Set("transB", int64_t{1});
    wdims = {m, k};
    axis = 0;
  }
  Tensor x = RandomFloat(xdims, rng);
  for (float& v : x.span<float>()) v = v * 3.0f + 0.5f;  // an asymmetric range: zero point not 128
  Tensor wt = RandomInt8(wdims, rng, -127, 127);
  std::vector<float> scales(static_cast<size_t>(m));
  for (float& s : scales) s = PickF(rng, 0.002f, 0.02f);
  wt.set_quant(QuantParams{scales, std::vector<int64_t>(static_cast<size_t>(m), 0), axis});
  node.inputs.push_back(AddInput(&c, "x", std::move(x)));
  node.inputs.push_back(c.graph.AddConstant("w", std::move(wt)));
  if (op != OpKind::kMatMul && Pick(rng, 0, 3) != 0)
    node.inputs.push_back(c.graph.AddConstant("b", RandomFloat({m}, rng)));
  node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  c.what = "hybrid " + std::string(OpName(op)) + " x " + DimsToString(xdims) + " w " + DimsToString(wdims);
  c.graph.AddNode(std::move(node));
  return c;
}

// QuantizeLinear float -> int8 (including NaN, infinities and values far out
// of range) or DequantizeLinear int8 -> float, per tensor.
Case ConvertCase(std::mt19937& rng, bool quantize) {
  Case c;
  const std::vector<int64_t> dims = {Pick(rng, 1, 3), Pick(rng, 1, 70)};
  const float scale = PickF(rng, 0.001f, 0.1f);
  ir::Node node;
  node.name = quantize ? "q" : "dq";
  node.op = quantize ? OpKind::kQuantizeLinear : OpKind::kDequantizeLinear;
  Tensor zp(DataType::kInt8, {});
  zp.data<int8_t>()[0] = static_cast<int8_t>(ExtremeZeroPoint(rng));
  Tensor x = quantize ? RandomFloat(dims, rng) : RandomInt8(dims, rng);
  if (quantize) {
    float* v = x.data<float>();
    for (int64_t i = 0; i < x.num_elements(); ++i) v[i] *= 20.0f * scale * 128.0f;
    v[0] = std::nanf("");
    if (x.num_elements() > 2) {
      v[1] = INFINITY;
      v[2] = -INFINITY;
    }
    if (x.num_elements() > 3) v[3] = 2.5f * scale;  // a tie: half to even
  }
  node.inputs = {AddInput(&c, "x", std::move(x)),
                 c.graph.AddConstant("s", testing::MakeTensor(DataType::kFloat32, {}, {scale})),
                 c.graph.AddConstant("z", std::move(zp))};
  node.outputs.push_back(AddOutput(&c, quantize ? DataType::kInt8 : DataType::kFloat32, {}));
  c.what = std::string(quantize ? "quantize " : "dequantize ") + DimsToString(dims);
  c.graph.AddNode(std::move(node));
  return c;
}

Case TransposeCase(std::mt19937& rng, bool int8) {
  Case c;
  const std::vector<int64_t> dims = {Pick(rng, 1, 2), Pick(rng, 1, 40), Pick(rng, 1, 40), Pick(rng, 1, 40)};
  ir::Node node;
  node.name = "t";
  node.op = OpKind::kTranspose;
  const bool to_nhwc = Pick(rng, 0, 1) == 1;
  node.attrs.Set("perm", to_nhwc ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 3, 1, 2});
  node.inputs.push_back(AddInput(&c, "x", int8 ? RandomInt8(dims, rng) : RandomFloat(dims, rng)));
  node.outputs.push_back(AddOutput(&c, int8 ? DataType::kInt8 : DataType::kFloat32, {}));
  c.what = "transpose " + DimsToString(dims);
  c.graph.AddNode(std::move(node));
  return c;
}

// Float Sigmoid / HardSwish / Relu / Clip / LeakyRelu / Sqrt / Pow(x, 2) on
// random shapes, with the odd values the reference defines (NaN, infinities,
// -0, negatives under Sqrt) in place of some elements.
Case UnaryF32Case(std::mt19937& rng, bool) {
  Case c;
  const OpKind ops[] = {OpKind::kSigmoid,   OpKind::kHardSwish, OpKind::kRelu, OpKind::kClip,
                        OpKind::kLeakyRelu, OpKind::kSqrt,      OpKind::kPow};
  const OpKind op = ops[Pick(rng, 0, 6)];
  const std::vector<int64_t> dims = {Pick(rng, 1, 3), Pick(rng, 1, 50), Pick(rng, 1, 7)};
  ir::Node node;
  node.name = "unary";
  node.op = op;
  Tensor x = RandomFloat(dims, rng);
  for (float& v : x.span<float>()) v *= 8.0f;
  // Not NaN under Relu / Clip: XNNPACK's clamp (also the one fused into
  // conv and FC) gives the lower bound for NaN where the reference keeps NaN.
  const bool clamp = op == OpKind::kRelu || op == OpKind::kClip;
  const float odd[] = {INFINITY, -INFINITY, -0.0f, 0.0f, 3e38f, clamp ? 1.0f : std::nanf("")};
  for (float v : odd) x.data<float>()[Pick(rng, 0, static_cast<int>(x.num_elements()) - 1)] = v;
  node.inputs.push_back(AddInput(&c, "x", std::move(x)));
  if (op == OpKind::kClip) {
    node.inputs.push_back(c.graph.AddConstant("lo", testing::MakeTensor(DataType::kFloat32, {}, {-1.5})));
    node.inputs.push_back(c.graph.AddConstant("hi", testing::MakeTensor(DataType::kFloat32, {}, {4.0})));
  }
  if (op == OpKind::kPow)
    node.inputs.push_back(c.graph.AddConstant("e", testing::MakeTensor(DataType::kFloat32, {}, {2.0})));
  if (op == OpKind::kLeakyRelu) node.attrs.Set("alpha", PickF(rng, 0.01f, 0.5f));
  node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  c.what = std::string(OpName(op)) + " " + DimsToString(dims);
  c.graph.AddNode(std::move(node));
  return c;
}

// Float Max / Min of two inputs broadcast against each other per dim (both
// full, one of size 1, or missing from the lower-rank one), with NaN, -0 /
// +0 and infinities among the values.
Case MinMaxCase(std::mt19937& rng, bool) {
  Case c;
  const OpKind op = Pick(rng, 0, 1) == 0 ? OpKind::kMax : OpKind::kMin;
  const int rank = Pick(rng, 0, 4);
  std::vector<int64_t> a, b;
  for (int d = 0; d < rank; ++d) {
    const int64_t n = Pick(rng, 1, 9), k = Pick(rng, 0, 2);
    a.push_back(k == 1 ? 1 : n);
    b.push_back(k == 2 ? 1 : n);
  }
  if (rank > 0 && Pick(rng, 0, 2) == 0) b.erase(b.begin(), b.begin() + Pick(rng, 1, rank));
  if (Pick(rng, 0, 1) == 0) std::swap(a, b);
  Tensor x = RandomFloat(a, rng), y = RandomFloat(b, rng);
  const float odd[] = {std::nanf(""), INFINITY, -INFINITY, -0.0f, 0.0f};
  for (Tensor* t : {&x, &y})
    for (float v : odd)
      if (Pick(rng, 0, 2) == 0) t->data<float>()[Pick(rng, 0, static_cast<int>(t->num_elements()) - 1)] = v;
  ir::Node node;
  node.name = "minmax";
  node.op = op;
  node.inputs = {AddInput(&c, "a", std::move(x)), AddInput(&c, "b", std::move(y))};
  node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  c.what = std::string(OpName(op)) + " " + DimsToString(a) + ", " + DimsToString(b);
  c.graph.AddNode(std::move(node));
  return c;
}

// Float 1-D Conv, NCW (the IR layout: the layout pass converts only 2-D
// convs): dense or depthwise, strides, dilations, pads, fused clamps.
Case Conv1dCase(std::mt19937& rng, bool) {
  Case c;
  const bool depthwise = Pick(rng, 0, 2) == 0;
  const int n = Pick(rng, 1, 2), w = Pick(rng, 1, 60), k = Pick(rng, 1, 9);
  int cin = Pick(rng, 1, 20), m = Pick(rng, 1, 40), group = 1;
  if (depthwise) group = cin, m = cin;
  const int s = Pick(rng, 1, 4), d = Pick(rng, 1, 2);
  std::vector<int64_t> pads = {Pick(rng, 0, 3), Pick(rng, 0, 3)};
  const int e = (k - 1) * d + 1;
  if (w + pads[0] + pads[1] < e) pads[1] = e - w - pads[0];  // keep the output non-empty
  ir::Node node;
  node.name = "conv1d";
  node.op = OpKind::kConv;
  node.attrs.Set("strides", std::vector<int64_t>{s});
  node.attrs.Set("dilations", std::vector<int64_t>{d});
  node.attrs.Set("pads", pads);
  node.attrs.Set("group", int64_t{group});
  SetActivation(rng, &node);
  node.inputs.push_back(AddInput(&c, "x", RandomFloat({n, cin, w}, rng)));
  node.inputs.push_back(c.graph.AddConstant("w", RandomFloat({m, cin / group, k}, rng)));
  if (Pick(rng, 0, 3) != 0) node.inputs.push_back(c.graph.AddConstant("b", RandomFloat({m}, rng)));
  node.outputs.push_back(AddOutput(&c, DataType::kFloat32, {}));
  c.what = "conv1d n" + std::to_string(n) + " w" + std::to_string(w) + " c" + std::to_string(cin) + " m" +
           std::to_string(m) + " g" + std::to_string(group) + " k" + std::to_string(k) + " s" +
           std::to_string(s) + " d" + std::to_string(d);
  c.graph.AddNode(std::move(node));
  return c;
}

// 8-bit element-wise ops the table kernel takes: Requantize (int8 or uint8
// in, int8 out), Relu, Sigmoid (fixed output parameters), HardSwish.
Case LutCase(std::mt19937& rng, bool) {
  Case c;
  const OpKind ops[] = {OpKind::kRequantize, OpKind::kRelu, OpKind::kSigmoid, OpKind::kHardSwish};
  const OpKind op = ops[Pick(rng, 0, 3)];
  const bool u8_in = op == OpKind::kRequantize && Pick(rng, 0, 1) == 1;
  const std::vector<int64_t> dims = {Pick(rng, 1, 2), Pick(rng, 1, 9), Pick(rng, 1, 9), Pick(rng, 1, 33)};
  Tensor x = RandomInt8(dims, rng);
  if (u8_in) {
    Tensor u(DataType::kUInt8, dims);
    std::memcpy(u.raw_data(), x.raw_data(), static_cast<size_t>(x.num_elements()));
    x = std::move(u);
  }
  x.set_quant(PerTensor(PickF(rng, 0.01f, 0.1f), u8_in ? Pick(rng, 0, 255) : ExtremeZeroPoint(rng)));
  ir::Node node;
  node.name = "lut";
  node.op = op;
  node.inputs.push_back(AddInput(&c, "x", std::move(x)));
  const QuantParams out = op == OpKind::kSigmoid ? PerTensor(1.0f / 256.0f, -128)
                                                 : PerTensor(PickF(rng, 0.01f, 0.1f), ExtremeZeroPoint(rng));
  node.outputs.push_back(AddOutput(&c, DataType::kInt8, out));
  c.what = std::string(OpName(op)) + " " + DimsToString(dims) + (u8_in ? " uint8" : "");
  c.graph.AddNode(std::move(node));
  return c;
}

// Runs the case both ways; returns the optimized kernel's name ("" if the
// node ran its reference kernel) and checks the outputs.
std::string Check(Case c, int threads, ir::Requantization rule, const std::string& family) {
  c.graph.requantization = rule;
  const testing::CrossRun run = testing::RunBothWays(std::move(c.graph), c.inputs, threads, family, c.what);
  if (!run.ok) return "";
  const Tensor& a = run.reference[0];
  const Tensor& b = run.optimized[0];
  EXPECT_EQ(a.dims(), b.dims()) << c.what;
  EXPECT_EQ(a.dtype(), b.dtype()) << c.what;
  if (a.dims() != b.dims() || a.dtype() != b.dtype()) return "";
  const std::string& name = run.kernel;
  if (a.dtype() == DataType::kInt8) {
    int worst = 0;
    for (int64_t i = 0; i < a.num_elements(); ++i)
      worst = std::max(worst, std::abs(int{a.data<int8_t>()[i]} - int{b.data<int8_t>()[i]}));
    // qforge's own conversion kernels are exact; float-requantizing ones within kInt8Steps.
    // qforge's own conv requantizes as the reference does.
    const bool exact = name.rfind("quantize", 0) == 0 || name.rfind("transpose", 0) == 0 ||
                       name.find("xnnpack") == std::string::npos;
    EXPECT_LE(worst, exact ? 0 : kInt8Steps) << c.what << " (" << name << ")";
  } else {
    // Non-finite reference values (and only those) are matched exactly, NaN
    // by NaN; the finite ones set the tolerance's scale.
    double scale = 0, worst = 0;
    int64_t non_finite_mismatches = 0;
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      const double x = a.data<float>()[i], y = b.data<float>()[i];
      if (std::isfinite(x) && std::isfinite(y)) {
        scale = std::max(scale, std::fabs(x));
        worst = std::max(worst, std::fabs(x - y));
      } else if (!(x == y || (std::isnan(x) && std::isnan(y)))) {
        ++non_finite_mismatches;
      }
    }
    EXPECT_EQ(non_finite_mismatches, 0) << c.what << " (" << name << ")";
    // Kernels that round each element once, as the reference does.
    const bool exact = name.rfind("dequantize", 0) == 0 || name.rfind("transpose", 0) == 0 ||
                       name.rfind("maximum", 0) == 0 || name.rfind("minimum", 0) == 0 ||
                       name.rfind("leaky_relu", 0) == 0 || name.rfind("square", 0) == 0 ||
                       name.rfind("sqrt", 0) == 0 || name.rfind("clamp", 0) == 0;
    EXPECT_LE(worst, exact ? 0.0 : kFloatRelative * std::max(1.0, scale)) << c.what << " (" << name << ")";
  }
  return name;
}

// A float LSTM, GRU or RNN (Y compared here; opt_recurrent_test.cc compares
// every output).
Case RecurrentCase(std::mt19937& rng, bool) {
  const OpKind ops[] = {OpKind::kLSTM, OpKind::kGRU, OpKind::kRNN};
  testing::RecurrentCase r = testing::MakeRecurrentCase(rng, ops[Pick(rng, 0, 2)]);
  return Case{std::move(r.graph), std::move(r.inputs), std::move(r.what)};
}

// One generator per family of the kernel list.
std::map<std::string, std::function<Case(std::mt19937&, bool)>> Generators() {
  return {
      {"xnnpack.conv2d", [](std::mt19937& r, bool i8) { return ConvCase(r, i8); }},
      {"qforge.qconv2d", [](std::mt19937& r, bool) { return ConvCase(r, true, true); }},
      {"qforge.qfully_connected", [](std::mt19937& r, bool) { return GemmCase(r, true); }},
      {"qforge.hybrid_conv2d", [](std::mt19937& r, bool) { return HybridCase(r, OpKind::kConv); }},
      {"qforge.hybrid_dwconv2d", [](std::mt19937& r, bool) { return HybridCase(r, OpKind::kConv, true); }},
      {"qforge.hybrid_fully_connected", [](std::mt19937& r, bool) { return HybridCase(r, OpKind::kGemm); }},
      {"qforge.hybrid_matmul", [](std::mt19937& r, bool) { return HybridCase(r, OpKind::kMatMul); }},
      {"xnnpack.conv1d", Conv1dCase},
      {"xnnpack.fully_connected", GemmCase},
      {"xnnpack.binary", AddCase},
      {"xnnpack.unary_f32", UnaryF32Case},
      {"qforge.lut8", LutCase},
      {"qforge.minmax", MinMaxCase},
      {"xnnpack.max_pool2d", [](std::mt19937& r, bool i8) { return PoolCase(r, i8, false); }},
      {"xnnpack.global_average_pool", [](std::mt19937& r, bool i8) { return PoolCase(r, i8, true); }},
      {"xnnpack.recurrent_f32", RecurrentCase},
      {"qforge.quantize", [](std::mt19937& r, bool) { return ConvertCase(r, true); }},
      {"qforge.dequantize", [](std::mt19937& r, bool) { return ConvertCase(r, false); }},
      {"qforge.transpose", TransposeCase},
  };
}

TEST(OptKernelsTest, EveryKernelOfTheListHasAGenerator) {
  const auto gens = Generators();
  for (const auto& e : kernels::opt::KernelList()) EXPECT_EQ(gens.count(e.family), 1u) << e.family;
}

TEST(OptKernelsTest, MatchReferenceOnRandomShapes) {
  const auto gens = Generators();
  for (const auto& e : kernels::opt::KernelList()) {
    const auto& gen = gens.at(e.family);
    std::set<std::string> names;
    int ran_optimized = 0, cases = 0;
    for (int seed = 0; seed < 48; ++seed) {
      std::mt19937 rng(static_cast<uint32_t>(seed * 7919 + 17));
      const bool int8 = seed % 2 == 1;
      const int threads = seed % 4 < 2 ? 1 : 2;
      const ir::Requantization rule =
          seed % 8 < 4 ? ir::Requantization::kFixedPoint : ir::Requantization::kFloat;
      const std::string name = Check(gen(rng, int8), threads, rule, e.family);
      ++cases;
      if (!name.empty()) {
        ++ran_optimized;
        names.insert(name);
      }
    }
    // The generators stay inside what the kernels support: nearly every case
    // must have run the optimized kernel, or the comparison proves nothing.
    EXPECT_GE(ran_optimized, cases * 9 / 10) << e.family;
    std::string all;
    for (const auto& n : names) all += n + " ";
    RecordProperty(e.family, all);
  }
}

// The openWakeWord pattern end to end: the mel front end's STFT as a 1-D
// conv (257 x 512 taps, stride 160, one input channel), its square, the mel
// MatMul with a constant 2-D matrix, then the embedding model's LeakyRelu
// and Max with a broadcast constant. Each node but the 3-D transpose takes an
// optimized kernel, and the output is the reference's.
TEST(OptKernelsTest, AudioModelPatternRunsOptimized) {
  std::mt19937 rng(13);
  Case c;
  ir::ValueId v = AddInput(&c, "x", RandomFloat({1, 1, 1280}, rng));
  const auto add = [&](OpKind op, std::vector<ir::ValueId> inputs, bool last = false) {
    ir::Node node;
    node.name = std::string(OpName(op)) + std::to_string(c.graph.nodes.size());
    node.op = op;
    node.inputs = std::move(inputs);
    ir::TensorType t;
    t.dtype = DataType::kFloat32;
    node.outputs = {last ? AddOutput(&c, DataType::kFloat32, {}) : c.graph.AddValue(node.name + "_y", t)};
    const ir::ValueId out = node.outputs[0];
    c.graph.AddNode(std::move(node));
    return out;
  };
  v = add(OpKind::kConv, {v, c.graph.AddConstant("stft", RandomFloat({257, 1, 512}, rng))});
  c.graph.nodes.back().attrs.Set("strides", std::vector<int64_t>{160});
  v = add(OpKind::kPow, {v, c.graph.AddConstant("two", testing::MakeTensor(DataType::kFloat32, {}, {2.0}))});
  v = add(OpKind::kTranspose, {v});
  c.graph.nodes.back().attrs.Set("perm", std::vector<int64_t>{0, 2, 1});
  v = add(OpKind::kMatMul, {v, c.graph.AddConstant("mel", RandomFloat({257, 32}, rng))});
  v = add(OpKind::kLeakyRelu, {v});
  c.graph.nodes.back().attrs.Set("alpha", 0.2f);
  add(OpKind::kMax,
      {v, c.graph.AddConstant("floor", testing::MakeTensor(DataType::kFloat32, {1, 1, 1}, {-0.4}))}, true);
  auto g = std::make_shared<const ir::Graph>(std::move(c.graph));
  runtime::Interpreter ref(g);
  runtime::InterpreterOptions o;
  o.optimized = true;
  runtime::Interpreter opt(g, o);
  auto want = ref.Run(c.inputs);
  auto got = opt.Run(c.inputs);
  ASSERT_TRUE(want.ok()) << want.status().message();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(opt.KernelNames(), (std::vector<std::string>{"conv1d_f32_xnnpack", "square_f32_xnnpack", "",
                                                         "fully_connected_f32_xnnpack",
                                                         "leaky_relu_f32_xnnpack", "maximum_f32_portable"}));
  const Tensor& a = (*want)[0];
  const Tensor& b = (*got)[0];
  ASSERT_EQ(a.dims(), (std::vector<int64_t>{1, 5, 32}));
  ASSERT_EQ(b.dims(), a.dims());
  double scale = 0, worst = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    scale = std::max(scale, std::fabs(double{a.data<float>()[i]}));
    worst = std::max(worst, std::fabs(double{a.data<float>()[i]} - double{b.data<float>()[i]}));
  }
  EXPECT_LE(worst, kFloatRelative * std::max(1.0, scale));
}

// A Conv1d after an If has dims known only at run time (Silero VAD's
// branches): it still runs the optimized kernel, planned at its first run
// and re-planned when the input length changes, equal to the reference.
TEST(OptKernelsTest, RunTimeShapedNodeRunsOptimized) {
  std::mt19937 rng(29);
  ir::Graph g;
  ir::TensorType f32;
  f32.dtype = DataType::kFloat32;
  ir::TensorType cond_type = ops::MakeType(DataType::kBool, {});
  const ir::ValueId cond = g.AddValue("cond", cond_type);
  const ir::ValueId x = g.AddValue("x", f32);
  g.inputs = {cond, x};
  std::shared_ptr<const ir::Graph> branch[2];
  for (int b = 0; b < 2; ++b) {
    ir::Graph br;
    const ir::ValueId in = br.AddValue("in", f32), out = br.AddValue("out", f32);
    br.inputs = {in};
    br.outputs = {out};
    ir::Node n;
    n.name = b == 0 ? "relu" : "neg";
    n.op = b == 0 ? OpKind::kRelu : OpKind::kNeg;
    n.inputs = {in};
    n.outputs = {out};
    br.AddNode(std::move(n));
    branch[b] = std::make_shared<const ir::Graph>(std::move(br));
  }
  ir::Node if_node;
  if_node.name = "if";
  if_node.op = OpKind::kIf;
  if_node.attrs.Set("then_branch", branch[0]);
  if_node.attrs.Set("else_branch", branch[1]);
  if_node.inputs = {cond, x};
  if_node.outputs = {g.AddValue("h", f32)};
  const ir::ValueId h = if_node.outputs[0];
  g.AddNode(std::move(if_node));
  ir::Node conv;
  conv.name = "conv1d";
  conv.op = OpKind::kConv;
  conv.attrs.Set("strides", std::vector<int64_t>{2});
  conv.attrs.Set("pads", std::vector<int64_t>{1, 1});
  conv.inputs = {h, g.AddConstant("w", RandomFloat({6, 3, 5}, rng)),
                 g.AddConstant("b", RandomFloat({6}, rng))};
  conv.outputs = {g.AddValue("y", f32)};
  g.outputs = {conv.outputs[0]};
  g.AddNode(std::move(conv));
  auto graph = std::make_shared<const ir::Graph>(std::move(g));
  runtime::Interpreter ref(graph);
  runtime::InterpreterOptions o;
  o.optimized = true;
  runtime::Interpreter opt(graph, o);
  for (int64_t w : {40, 40, 57}) {
    const std::vector<Tensor> inputs = {testing::MakeTensor(DataType::kBool, {}, {1}),
                                        RandomFloat({2, 3, w}, rng)};
    auto want = ref.Run(inputs);
    auto got = opt.Run(inputs);
    ASSERT_TRUE(want.ok()) << want.status().message();
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(opt.KernelNames()[1], "conv1d_f32_xnnpack");
    const Tensor& a = (*want)[0];
    const Tensor& b = (*got)[0];
    ASSERT_EQ(a.dims(), (std::vector<int64_t>{2, 6, (w + 2 - 5) / 2 + 1}));
    ASSERT_EQ(b.dims(), a.dims());
    double scale = 0, worst = 0;
    for (int64_t i = 0; i < a.num_elements(); ++i) {
      scale = std::max(scale, std::fabs(double{a.data<float>()[i]}));
      worst = std::max(worst, std::fabs(double{a.data<float>()[i]} - double{b.data<float>()[i]}));
    }
    EXPECT_LE(worst, kFloatRelative * std::max(1.0, scale)) << "width " << w;
  }
}

}  // namespace
}  // namespace qforge
