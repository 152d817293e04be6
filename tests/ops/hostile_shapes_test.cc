// Shapes a model file chooses, run through the interpreter: ops whose output
// shape comes from data (ConstantOfShape, Expand, Tile, Pad, Resize) asked
// for tensors whose byte size wraps 64 bits or passes the memory limit, and
// many tensors each under the limit whose sum is over it. Each must be a
// ResourceExhausted naming the node, never an out-of-bounds write or an abort.
#include <gtest/gtest.h>

#include <memory>

#include "op_test_helpers.h"
#include "passes/constant_fold.h"
#include "qforge/limits.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::testing {
namespace {

constexpr int64_t k2p31 = int64_t{1} << 31;

// A graph input "x" of float32 `dims`.
ir::ValueId AddInput(ir::Graph& g, std::vector<int64_t> dims) {
  ir::ValueId x = g.AddValue("x", ops::MakeType(DataType::kFloat32, std::move(dims)));
  g.inputs.push_back(x);
  return x;
}

// Runs `g` on its inputs (zeros of the given dims); expects
// ResourceExhausted whose message names `needle`.
void ExpectOverLimit(std::shared_ptr<ir::Graph> g, const std::vector<std::vector<int64_t>>& input_dims,
                     const std::string& needle) {
  std::vector<Tensor> inputs;
  for (const auto& d : input_dims) inputs.emplace_back(DataType::kFloat32, d);
  runtime::Interpreter interp(std::move(g));
  auto r = interp.Run(inputs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("--memory-limit"), std::string::npos) << r.status().ToString();
}

// [2^31, 2^31] float32 is 2^64 bytes: a plain product wraps to 0 and a
// 64-byte buffer was filled with 2^62 values (at prepare time: all inputs are
// constants).
TEST(HostileShapes, ConstantOfShapeWhoseBytesWrap) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId shape = g->AddConstant("shape", I64({2}, {k2p31, k2p31}));
  g->outputs = {AddNode(*g, OpKind::kConstantOfShape, {shape}, "c1")};
  ExpectOverLimit(g, {}, "node 'c1' (ConstantOfShape)");
}

TEST(HostileShapes, ExpandWhoseBytesWrap) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId one = g->AddConstant("one", F32({1}, {1}));
  ir::ValueId shape = g->AddConstant("shape", I64({2}, {k2p31, k2p31}));
  g->outputs = {AddNode(*g, OpKind::kExpand, {one, shape}, "e1")};
  ExpectOverLimit(g, {}, "node 'e1' (Expand)");
}

// A graph output of 16 GB from a 4-byte input: allocated at run time.
TEST(HostileShapes, TileOfAnInputOverTheLimit) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId x = AddInput(*g, {1});
  ir::ValueId repeats = g->AddConstant("repeats", I64({1}, {int64_t{1} << 32}));
  g->outputs = {AddNode(*g, OpKind::kTile, {x, repeats}, "t1")};
  ExpectOverLimit(g, {{1}}, "node 't1' (Tile)");
}

TEST(HostileShapes, PadOfAnInputOverTheLimit) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId x = AddInput(*g, {1, 1});
  ir::ValueId pads = g->AddConstant("pads", I64({4}, {0, 0, 0, int64_t{1} << 32}));
  // An intermediate (arena) value, then the output.
  ir::ValueId p = AddNode(*g, OpKind::kPad, {x, pads}, "p1");
  g->outputs = {AddNode(*g, OpKind::kRelu, {p}, "r1")};
  ExpectOverLimit(g, {{1, 1}}, "node 'p1' (Pad)");
}

// [1, 1, 2^40, 2^40] has 2^80 elements: the element count overflows.
TEST(HostileShapes, ResizeWhoseElementCountOverflows) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId x = AddInput(*g, {1, 1, 2, 2});
  const double big = static_cast<double>(int64_t{1} << 40);
  ir::ValueId sizes = g->AddConstant("sizes", I64({4}, {1, 1, big, big}));
  g->outputs = {AddNode(*g, OpKind::kResize, {x, ir::kNoValue, ir::kNoValue, sizes}, "z1")};
  ExpectOverLimit(g, {{1, 1, 2, 2}}, "node 'z1' (Resize)");
}

// A declared input shape is a file's choice too.
TEST(HostileShapes, InputShapeOverTheLimit) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId x = AddInput(*g, {k2p31, k2p31});
  g->outputs = {AddNode(*g, OpKind::kRelu, {x}, "r1")};
  runtime::Interpreter interp(g);
  Status s = interp.Prepare({{k2p31, k2p31}});
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("input 'x'"), std::string::npos) << s.ToString();
}

// Each tensor is under the limit, their sum is not: the node whose
// allocation crossed the total is named.
TEST(HostileShapes, ManyTensorsUnderTheLimitSumOverIt) {
  MemoryLimitGuard limit(uint64_t{10} << 20);
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId shape = g->AddConstant("shape", I64({1}, {1 << 20}));  // 4 MiB of float32 each
  for (int i = 0; i < 3; ++i)
    g->outputs.push_back(AddNode(*g, OpKind::kConstantOfShape, {shape}, "c" + std::to_string(i)));
  ExpectOverLimit(g, {}, "node 'c2' (ConstantOfShape)");
  // Two of them fit.
  g->outputs.pop_back();
  g->nodes.pop_back();
  runtime::Interpreter interp(g);
  auto r = interp.Run({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 2u);
}

// Tensors allocated at run time (here the Tile outputs, whose repeats are
// only known when the graph runs) count towards the same total.
TEST(HostileShapes, RunTimeTensorsCountTowardsTheTotal) {
  MemoryLimitGuard limit(uint64_t{10} << 20);
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId x = AddInput(*g, {1});
  ir::ValueId n = g->AddValue("n", ops::MakeType(DataType::kInt64, {1}));
  g->inputs.push_back(n);
  for (int i = 0; i < 3; ++i)
    g->outputs.push_back(AddNode(*g, OpKind::kTile, {x, n}, "t" + std::to_string(i)));
  runtime::Interpreter interp(g);
  std::vector<Tensor> inputs = {F32({1}, {1}), I64({1}, {1 << 20})};
  auto r = interp.Run(inputs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("node 't2' (Tile)"), std::string::npos) << r.status().ToString();
  // A smaller repeat count fits, with the same interpreter.
  inputs[1] = I64({1}, {1 << 10});
  auto ok = interp.Run(inputs);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[2].num_elements(), 1 << 10);
}

// A Conv of two constants over the folding work limit (FoldWork: 2^18
// outputs x 576 multiply-adds > 2^26) is not evaluated by Prepare but runs
// in Run; a small one still is. The observer sees only nodes that run.
TEST(HostileShapes, PrepareLeavesWorkOverTheFoldLimitToRun) {
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId xs = g->AddConstant("xs", I64({4}, {1, 64, 64, 64}));
  ir::Attributes ones;
  ones.Set("value", F32({1}, {1}));
  ir::ValueId x = AddNode(*g, OpKind::kConstantOfShape, {xs}, "cx", ones);
  ir::ValueId w =
      g->AddConstant("w", MakeTensor(DataType::kFloat32, {64, 64, 3, 3}, std::vector<double>(36864, 1.0)));
  ir::Attributes pads;
  pads.Set("pads", std::vector<int64_t>{1, 1, 1, 1});
  ir::ValueId big = AddNode(*g, OpKind::kConv, {x, w}, "big", pads);
  ir::ValueId s = g->AddConstant("s", I64({4}, {1, 1, 4, 4}));
  ir::ValueId sx = AddNode(*g, OpKind::kConstantOfShape, {s}, "sx");
  ir::ValueId sw = g->AddConstant("sw", F32({1, 1, 1, 1}, {2}));
  ir::ValueId small = AddNode(*g, OpKind::kConv, {sx, sw}, "small");
  g->outputs = {big, small};
  runtime::Interpreter interp(g);
  std::vector<std::string> ran;
  interp.set_observer([&](const ir::Graph&, const ir::Node& node, std::span<const Tensor* const>) {
    ran.push_back(node.name);
  });
  auto r = interp.Run({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ran, std::vector<std::string>{"big"});
  // Ones convolved with a 3x3 of ones over 64 channels: 576 inside, 256 at a corner.
  const auto y = (*r)[0].span<float>();
  EXPECT_EQ(y[32 * 64 + 32], 576.0f);
  EXPECT_EQ(y[0], 256.0f);
  EXPECT_EQ((*r)[1].span<float>()[0], 0.0f);
}

// Graph outputs are allocated by Run and kept to its end: outputs whose sum
// passes the budget fail at Prepare, before any node runs.
TEST(HostileShapes, GraphOutputsOverTheTotalFailAtPrepare) {
  MemoryLimitGuard limit(uint64_t{14} << 20);  // the input and two outputs fit, not three
  auto g = std::make_shared<ir::Graph>();
  ir::ValueId x = AddInput(*g, {1 << 20});  // 4 MiB
  for (int i = 0; i < 2; ++i) g->outputs.push_back(AddNode(*g, OpKind::kRelu, {x}, "r" + std::to_string(i)));
  runtime::Interpreter interp(g);
  EXPECT_TRUE(interp.Prepare({{1 << 20}}).ok());
  g->outputs.push_back(AddNode(*g, OpKind::kRelu, {x}, "r2"));
  runtime::Interpreter three(g);
  Status s = three.Prepare({{1 << 20}});
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("the graph outputs"), std::string::npos) << s.ToString();
}

// Load-time folding counts what it creates against the budget: each
// ConstantOfShape output (4 MiB) is under the per-tensor fold cap, the
// constants together may not pass the limit; the rest stay nodes.
TEST(HostileShapes, LoadTimeFoldingStopsAtTheMemoryLimit) {
  MemoryLimitGuard limit(uint64_t{10} << 20);
  ir::Graph g;
  ir::ValueId shape = g.AddConstant("shape", I64({1}, {1 << 20}));
  for (int i = 0; i < 4; ++i)
    g.outputs.push_back(AddNode(g, OpKind::kConstantOfShape, {shape}, "c" + std::to_string(i)));
  ASSERT_TRUE(passes::FoldConstants(g).ok());
  int folded = 0;
  for (ir::ValueId out : g.outputs) folded += g.value(out).is_constant() ? 1 : 0;
  EXPECT_EQ(folded, 2);
}

}  // namespace
}  // namespace qforge::testing
