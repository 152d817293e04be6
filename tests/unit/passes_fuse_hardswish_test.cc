// FuseHardSwish: Mul(x, HardSigmoid(x; 1/6, 1/2)) becomes HardSwish(x), with
// the same values up to float rounding; other gates are left alone.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "passes/fuse_hardswish.h"
#include "runtime/interpreter.h"

namespace qforge {
namespace {

ir::Graph Gate(float alpha, bool gate_read_twice) {
  ir::Graph g;
  ir::TensorType t;
  t.dtype = DataType::kFloat32;
  t.rank_known = true;
  t.dims = {2, 5, 3, 3};
  const ir::ValueId x = g.AddValue("x", t);
  g.inputs = {x};
  const ir::ValueId gate = g.AddValue("gate");
  const ir::ValueId y = g.AddValue("y");
  ir::Node hs{"hs", OpKind::kHardSigmoid, {x}, {gate}, {}, false};
  hs.attrs.Set("alpha", alpha);
  hs.attrs.Set("beta", 0.5f);
  g.AddNode(hs);
  g.AddNode(ir::Node{"mul", OpKind::kMul, {gate, x}, {y}, {}, false});
  g.outputs = {y};
  if (gate_read_twice) g.outputs.push_back(gate);
  return g;
}

Tensor RunGraph(const ir::Graph& g, const Tensor& x) {
  runtime::Interpreter interp(std::make_shared<const ir::Graph>(g));
  auto out = interp.Run({&x, 1});
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? (*out)[0] : Tensor();
}

TEST(FuseHardSwishTest, PyTorchsExportBecomesOneHardSwish) {
  ir::Graph g = Gate(1.0f / 6.0f, false);
  Tensor x(DataType::kFloat32, {2, 5, 3, 3});
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-8.0f, 8.0f);
  for (float& v : x.span<float>()) v = u(rng);
  const Tensor want = RunGraph(g, x);
  int fused = 0;
  ASSERT_TRUE(passes::FuseHardSwish(&g, &fused).ok());
  EXPECT_EQ(fused, 1);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::kHardSwish);
  const Tensor got = RunGraph(g, x);
  ASSERT_EQ(got.num_elements(), want.num_elements());
  for (int64_t i = 0; i < got.num_elements(); ++i)
    EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i],
                1e-6f * (1.0f + std::fabs(want.data<float>()[i])));
}

TEST(FuseHardSwishTest, OtherGatesStay) {
  for (bool twice : {false, true}) {
    ir::Graph g = Gate(twice ? 1.0f / 6.0f : 0.2f, twice);
    int fused = -1;
    ASSERT_TRUE(passes::FuseHardSwish(&g, &fused).ok());
    EXPECT_EQ(fused, 0);
    EXPECT_EQ(g.nodes.size(), 2u);
  }
}

}  // namespace
}  // namespace qforge
