// SinkTransposes: the TFLite reader's Transpose -> op -> Transpose wrapping
// collapses into one NCHW island, elementwise chains with random perms keep
// computing the same outputs on the reference runtime (exactly: moving a
// transpose changes no arithmetic), value types stay what shape inference
// says, and graph inputs and outputs keep their names.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "passes/infer_types.h"
#include "passes/pass_util.h"
#include "passes/transpose_sinking.h"
#include "passes_test_util.h"

namespace qforge {
namespace {

using passes_test::CountOps;
using passes_test::ExpectSameOutputs;
using passes_test::OutputNames;
using passes_test::ProducerOf;
using passes_test::RandomInputs;

const std::vector<int64_t> kToNchw = {0, 3, 1, 2};
const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};

class GraphBuilder {
 public:
  explicit GraphBuilder(uint32_t seed) : rng_(seed) {}

  ir::ValueId Input(const std::string& name, std::vector<int64_t> dims) {
    ir::TensorType t;
    t.dtype = DataType::kFloat32;
    t.rank_known = true;
    t.dims = std::move(dims);
    const ir::ValueId id = g.AddValue(name, t);
    g.inputs.push_back(id);
    return id;
  }

  // Uniform [-1, 1] float32 constant.
  ir::ValueId Constant(const std::string& name, std::vector<int64_t> dims) {
    Tensor t(DataType::kFloat32, std::move(dims));
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& v : t.span<float>()) v = dist(rng_);
    return g.AddConstant(name, std::move(t));
  }

  ir::ValueId ScalarConstant(const std::string& name, float value) {
    Tensor t(DataType::kFloat32, {});
    t.data<float>()[0] = value;
    return g.AddConstant(name, std::move(t));
  }

  ir::ValueId Op(OpKind op, std::vector<ir::ValueId> inputs, ir::Attributes attrs = {}) {
    ir::Node n;
    // Names appended, not concatenated: GCC 12 warns on "literal" + string.
    n.name = "n";
    n.name += std::to_string(counter_);
    std::string out_name = "v";
    out_name += std::to_string(counter_++);
    n.op = op;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    n.outputs = {g.AddValue(out_name)};
    const ir::ValueId out = n.outputs[0];
    g.AddNode(std::move(n));
    return out;
  }

  ir::ValueId Transpose(ir::ValueId x, const std::vector<int64_t>& perm) {
    ir::Attributes a;
    a.Set("perm", perm);
    return Op(OpKind::kTranspose, {x}, std::move(a));
  }

  // The reader's form of an NCHW conv on an NHWC tensor with `c` channels.
  ir::ValueId WrappedConv(ir::ValueId x, int64_t c_in, int64_t c_out) {
    const int id = counter_;
    const ir::ValueId w = Constant("w" + std::to_string(id), {c_out, c_in, 3, 3});
    const ir::ValueId b = Constant("b" + std::to_string(id), {c_out});
    ir::Attributes a;
    a.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
    const ir::ValueId conv = Op(OpKind::kConv, {Transpose(x, kToNchw), w, b}, std::move(a));
    return Transpose(conv, kToNhwc);
  }

  // Fills value types by inference, as the reader leaves them.
  void Finish(std::vector<ir::ValueId> outputs) {
    g.outputs = std::move(outputs);
    ASSERT_TRUE(passes::InferTypes(&g).ok());
  }

  std::mt19937& rng() { return rng_; }
  ir::Graph g;

 private:
  std::mt19937 rng_;
  int counter_ = 0;
};

// Every value's type as the pass left it equals what inference derives
// from the graph inputs (so the layouts the pass wrote are right).
void ExpectTypesInferable(const ir::Graph& g) {
  ir::Graph fresh = g;
  for (ir::Value& v : fresh.values) {
    if (v.is_constant() || passes::IsGraphInput(fresh, static_cast<ir::ValueId>(&v - fresh.values.data()))) {
      continue;
    }
    v.type = {};
  }
  ASSERT_TRUE(passes::InferTypes(&fresh).ok());
  for (size_t i = 0; i < g.values.size(); ++i) {
    if (!g.values[i].type.rank_known) continue;
    EXPECT_EQ(g.values[i].type.dims, fresh.values[i].type.dims) << "value '" << g.values[i].name << "'";
    EXPECT_EQ(g.values[i].type.quant, fresh.values[i].type.quant) << "value '" << g.values[i].name << "'";
  }
}

// Runs the pass on a copy and checks outputs, names and types.
ir::Graph SinkAndCheck(const ir::Graph& before, passes::TransposeSinkingReport* report = nullptr) {
  ir::Graph after = before;
  const Status s = passes::SinkTransposes(after, report);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << ir::PrintGraph(before);
  EXPECT_EQ(OutputNames(after), OutputNames(before));
  EXPECT_EQ(after.inputs.size(), before.inputs.size());
  for (size_t i = 0; i < std::min(after.inputs.size(), before.inputs.size()); ++i) {
    EXPECT_EQ(after.value(after.inputs[i]).name, before.value(before.inputs[i]).name);
  }
  for (uint32_t seed = 1; seed <= 3; ++seed)
    ExpectSameOutputs(before, after, RandomInputs(before, seed), 0.0);
  ExpectTypesInferable(after);
  return after;
}

TEST(SinkTransposesTest, ConvReluConvLeavesInputAndOutputTransposes) {
  GraphBuilder b(1);
  const ir::ValueId x = b.Input("image", {2, 6, 5, 3});
  const ir::ValueId c1 = b.WrappedConv(x, 3, 4);
  const ir::ValueId r = b.Op(OpKind::kRelu, {c1});
  const ir::ValueId c2 = b.WrappedConv(r, 4, 2);
  b.Finish({c2});
  ASSERT_EQ(CountOps(b.g, OpKind::kTranspose), 4);
  passes::TransposeSinkingReport report;
  const ir::Graph after = SinkAndCheck(b.g, &report);
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 2);
  EXPECT_EQ(report.removed, 2);
  EXPECT_EQ(report.moved, 1);
  // The output is still NHWC, written by the closing Transpose.
  const ir::Node* last = ProducerOf(after, b.g.value(c2).name);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->op, OpKind::kTranspose);
  EXPECT_EQ(after.value(after.outputs[0]).type.dims, (std::vector<int64_t>{2, 6, 5, 2}));
}

// The op table's elementwise ops (layout kElementwise) let a Transpose
// through; those with a float form and no other input (Sqrt and Log are
// left out: NaN on the random inputs would defeat the comparison).
TEST(SinkTransposesTest, TransposePassesEveryElementwiseUnaryOp) {
  for (OpKind op : {OpKind::kRelu, OpKind::kLeakyRelu, OpKind::kSigmoid, OpKind::kTanh, OpKind::kHardSigmoid,
                    OpKind::kHardSwish, OpKind::kExp, OpKind::kAbs, OpKind::kNeg, OpKind::kReciprocal,
                    OpKind::kErf, OpKind::kIdentity, OpKind::kDropout}) {
    SCOPED_TRACE(OpName(op));
    GraphBuilder b(2);
    const ir::ValueId x = b.Input("x", {1, 3, 4, 2});
    const ir::ValueId v = b.Op(op, {b.Transpose(x, kToNchw)});
    b.Finish({b.Transpose(v, kToNhwc)});
    EXPECT_TRUE(passes::KeepsLayout(op));
    EXPECT_EQ(CountOps(SinkAndCheck(b.g), OpKind::kTranspose), 0);
  }
}

TEST(SinkTransposesTest, ResidualAddWithChannelBiasIsOneIsland) {
  GraphBuilder b(2);
  const ir::ValueId x = b.Input("x", {1, 5, 5, 3});
  const ir::ValueId r = b.Op(OpKind::kRelu, {b.WrappedConv(x, 3, 3)});
  const ir::ValueId c2 = b.WrappedConv(r, 3, 3);
  // A per-channel constant of lower rank (numpy broadcasting on NHWC's C).
  const ir::ValueId biased = b.Op(OpKind::kAdd, {c2, b.Constant("channel_bias", {3})});
  const ir::ValueId sum = b.Op(OpKind::kAdd, {biased, r});
  const ir::ValueId scaled = b.Op(OpKind::kMul, {b.Constant("hw_scale", {5, 1, 1}), sum});
  const ir::ValueId clipped =
      b.Op(OpKind::kClip, {scaled, b.ScalarConstant("lo", -0.5f), b.ScalarConstant("hi", 0.75f)});
  const ir::ValueId c3 = b.WrappedConv(clipped, 3, 2);
  b.Finish({c3});
  ASSERT_EQ(CountOps(b.g, OpKind::kTranspose), 6);
  const ir::Graph after = SinkAndCheck(b.g);
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 2);
}

TEST(SinkTransposesTest, ChannelConcatOfTwoConvsIsOneIsland) {
  GraphBuilder b(8);
  const ir::ValueId x = b.Input("x", {1, 5, 4, 2});
  const ir::ValueId left = b.WrappedConv(x, 2, 3);
  const ir::ValueId right = b.Op(OpKind::kTanh, {b.WrappedConv(x, 2, 2)});
  ir::Attributes channels;
  channels.Set("axis", int64_t{3});
  const ir::ValueId cat = b.Op(OpKind::kConcat, {left, right}, channels);
  const ir::ValueId out = b.WrappedConv(cat, 5, 2);
  b.Finish({out});
  ASSERT_EQ(CountOps(b.g, OpKind::kTranspose), 6);
  const ir::Graph after = SinkAndCheck(b.g);
  // One Transpose of the input shared by both convs, one before the output.
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 2);
  for (const ir::Node& n : after.nodes) {
    if (n.op == OpKind::kConcat) EXPECT_EQ(n.attrs.GetInt("axis", -1), 1);
  }
}

TEST(SinkTransposesTest, IntermediateGraphOutputKeepsItsLayoutAndName) {
  GraphBuilder b(3);
  const ir::ValueId x = b.Input("x", {1, 4, 4, 2});
  const ir::ValueId r = b.Op(OpKind::kSigmoid, {b.WrappedConv(x, 2, 3)});
  const ir::ValueId c2 = b.WrappedConv(r, 3, 3);
  b.Finish({r, c2});
  const ir::Graph after = SinkAndCheck(b.g);
  // r is NHWC for the user, so one Transpose writes it; the conv input reads
  // the NCHW sigmoid output directly: input, r and c2 transposes remain.
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 3);
  const ir::Node* writer = ProducerOf(after, b.g.value(r).name);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->op, OpKind::kTranspose);
}

TEST(SinkTransposesTest, InverseTransposesBeforeAGraphOutputVanish) {
  GraphBuilder b(4);
  const ir::ValueId x = b.Input("x", {2, 3, 4, 5});
  const ir::ValueId r = b.Op(OpKind::kTanh, {x});
  // (1,2,0,3) then (3,0,2,1) then (2,1,3,0) compose to the identity.
  const ir::ValueId t = b.Transpose(b.Transpose(b.Transpose(r, {1, 2, 0, 3}), {3, 0, 2, 1}), {2, 1, 3, 0});
  b.Finish({t});
  const ir::Graph after = SinkAndCheck(b.g);
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 0);
  const ir::Node* writer = ProducerOf(after, b.g.value(t).name);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->op, OpKind::kTanh);
}

TEST(SinkTransposesTest, TwoTransposesComposeIntoOne) {
  GraphBuilder b(5);
  const ir::ValueId x = b.Input("x", {2, 3, 4, 5});
  const ir::ValueId t = b.Op(OpKind::kAbs, {b.Transpose(b.Transpose(x, {1, 0, 2, 3}), {0, 1, 3, 2})});
  b.Finish({t});
  const ir::Graph after = SinkAndCheck(b.g);
  ASSERT_EQ(CountOps(after, OpKind::kTranspose), 1);
  for (const ir::Node& n : after.nodes) {
    if (n.op == OpKind::kTranspose) EXPECT_EQ(n.attrs.GetInts("perm"), (std::vector<int64_t>{1, 0, 3, 2}));
  }
}

TEST(SinkTransposesTest, PerAxisQuantizeFollowsTheChannelDim) {
  GraphBuilder b(6);
  const ir::ValueId x = b.Input("x", {1, 4, 4, 2});
  const ir::ValueId c = b.WrappedConv(x, 2, 3);
  Tensor scale(DataType::kFloat32, {3});
  scale.span<float>()[0] = 0.01f;
  scale.span<float>()[1] = 0.02f;
  scale.span<float>()[2] = 0.05f;
  const ir::ValueId s = b.g.AddConstant("scale", std::move(scale));
  const ir::ValueId zp = b.g.AddConstant("zp", Tensor(DataType::kInt8, {3}));
  ir::Attributes axis3;
  axis3.Set("axis", int64_t{3});
  const ir::ValueId q = b.Op(OpKind::kQuantizeLinear, {c, s, zp}, axis3);
  const ir::ValueId dq = b.Op(OpKind::kDequantizeLinear, {q, s, zp}, axis3);
  const ir::ValueId c2 = b.WrappedConv(dq, 3, 2);
  b.Finish({c2});
  ASSERT_EQ(b.g.value(q).type.quant.axis, 3);
  const ir::Graph after = SinkAndCheck(b.g);
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 2);
  for (const ir::Node& n : after.nodes) {
    if (n.op == OpKind::kQuantizeLinear || n.op == OpKind::kDequantizeLinear) {
      EXPECT_EQ(n.attrs.GetInt("axis", -1), 1) << after.Describe(n);
    }
    if (n.op == OpKind::kQuantizeLinear) EXPECT_EQ(after.value(n.outputs[0]).type.quant.axis, 1);
  }
}

TEST(SinkTransposesTest, MixedPermsAndHigherRankConstantsStay) {
  GraphBuilder b(7);
  const ir::ValueId x = b.Input("x", {2, 3, 4, 5});
  const ir::ValueId y = b.Input("y", {3, 2, 5, 4});
  // Different perms: the Add cannot move either Transpose.
  const ir::ValueId a = b.Op(OpKind::kAdd, {b.Transpose(x, {0, 1, 3, 2}), b.Transpose(y, {1, 0, 2, 3})});
  // A rank-5 constant broadcasts the output up: left alone.
  const ir::ValueId m =
      b.Op(OpKind::kMul, {b.Transpose(x, {3, 2, 1, 0}), b.Constant("big", {2, 1, 1, 1, 1})});
  b.Finish({a, m});
  const ir::Graph after = SinkAndCheck(b.g);
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 3);
}

Tensor Axis(int64_t axis) {
  Tensor axes(DataType::kInt64, {1});
  axes.data<int64_t>()[0] = axis;
  return axes;
}

// Random elementwise graphs: Transposes with random perms between unary
// ops, binary ops with constants of every broadcastable rank, and binary
// ops joining two branches.
ir::Graph RandomGraph(uint32_t seed) {
  GraphBuilder b(seed);
  std::mt19937& rng = b.rng();
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  std::vector<int64_t> dims = {2, 3, 4, 5};
  ir::ValueId v = b.Input("x", dims);
  std::vector<ir::ValueId> outputs;
  const OpKind unary[] = {OpKind::kRelu, OpKind::kSigmoid,   OpKind::kTanh,     OpKind::kAbs,
                          OpKind::kNeg,  OpKind::kHardSwish, OpKind::kLeakyRelu};
  const OpKind binary[] = {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kMax, OpKind::kMin};
  const int steps = 6 + pick(10);
  for (int step = 0; step < steps; ++step) {
    const int choice = pick(10);
    if (choice < 4) {
      std::vector<int64_t> perm(4);
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng);
      std::vector<int64_t> next(4);
      for (size_t i = 0; i < 4; ++i) next[i] = dims[static_cast<size_t>(perm[i])];
      dims = next;
      v = b.Transpose(v, perm);
    } else if (choice < 7) {
      v = b.Op(unary[pick(7)], {v});
    } else if (choice < 9) {
      // A constant broadcastable to dims: some dims 1, some leading dims dropped.
      std::vector<int64_t> cdims;
      for (int64_t d : dims) cdims.push_back(pick(2) == 0 ? 1 : d);
      cdims.erase(cdims.begin(), cdims.begin() + pick(5));
      const ir::ValueId c = b.Constant("c" + std::to_string(step), cdims);
      v = pick(2) == 0 ? b.Op(binary[pick(5)], {v, c}) : b.Op(binary[pick(5)], {c, v});
    } else if (pick(3) != 0) {
      // Two branches meeting again, each wrapped in inverse Transposes.
      const std::vector<int64_t> p = {0, 2, 3, 1};
      const ir::ValueId left = b.Transpose(b.Op(OpKind::kRelu, {b.Transpose(v, kToNchw)}), p);
      v = b.Op(binary[pick(5)], {left, v});
    } else {
      // A Concat of two Transposes by the same random perm along axis k,
      // transposed back and averaged over the doubled dim.
      std::vector<int64_t> q(4);
      std::iota(q.begin(), q.end(), 0);
      std::shuffle(q.begin(), q.end(), rng);
      std::vector<int64_t> back(4);
      for (size_t i = 0; i < 4; ++i) back[static_cast<size_t>(q[i])] = static_cast<int64_t>(i);
      const int64_t k = pick(4);
      ir::Attributes axis;
      axis.Set("axis", k);
      const ir::ValueId cat =
          b.Op(OpKind::kConcat, {b.Transpose(b.Op(OpKind::kTanh, {v}), q), b.Transpose(v, q)}, axis);
      const int64_t doubled = q[static_cast<size_t>(k)];
      v = b.Op(OpKind::kReduceMean,
               {b.Transpose(cat, back), b.g.AddConstant("axes" + std::to_string(step), Axis(doubled))});
      dims[static_cast<size_t>(doubled)] = 1;
    }
    if (pick(8) == 0) outputs.push_back(v);
  }
  if (std::find(outputs.begin(), outputs.end(), v) == outputs.end()) outputs.push_back(v);
  b.Finish(outputs);
  return b.g;
}

TEST(SinkTransposesTest, RandomElementwiseGraphsKeepTheirOutputs) {
  int total_before = 0;
  int total_after = 0;
  for (uint32_t seed = 100; seed < 160; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const ir::Graph before = RandomGraph(seed);
    const ir::Graph after = SinkAndCheck(before);
    const int n_before = CountOps(before, OpKind::kTranspose);
    const int n_after = CountOps(after, OpKind::kTranspose);
    EXPECT_LE(n_after, n_before);
    total_before += n_before;
    total_after += n_after;
    if (HasFailure()) break;
  }
  // Most random transposes meet and cancel or compose.
  EXPECT_LT(total_after * 2, total_before);
}

// A deep reader-style CNN: the pass must stay fast (the sweep index is
// rebuilt per rewrite, not per query) and still leave two Transposes.
TEST(SinkTransposesTest, DeepConvChainCollapses) {
  GraphBuilder b(9);
  ir::ValueId v = b.Input("x", {1, 3, 3, 2});
  for (int i = 0; i < 400; ++i) v = b.Op(OpKind::kRelu, {b.WrappedConv(v, 2, 2)});
  b.Finish({v});
  ASSERT_EQ(CountOps(b.g, OpKind::kTranspose), 800);
  ir::Graph after = b.g;
  ASSERT_TRUE(passes::SinkTransposes(after).ok());
  EXPECT_EQ(CountOps(after, OpKind::kTranspose), 2);
  ExpectSameOutputs(b.g, after, RandomInputs(b.g, 1), 0.0);
}

}  // namespace
}  // namespace qforge
