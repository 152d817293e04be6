// The optimized Session on whole quantized models: it agrees with the
// reference session, keeps agreeing when the batch size changes after its
// weights were packed and released (kernels re-planned without them), and
// works with several sessions run in parallel by the caller.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "qforge/runtime.h"
#include "runtime_passes_test_util.h"

namespace qforge {
namespace {

using runtime_passes_test::CalibratedRanges;
using runtime_passes_test::PreparedModel;
using runtime_passes_test::Quantized;

// Float requantization (XNNPACK) against fixed point moves a value by a step
// per layer at most; through a dozen layers the logits of these models move
// by a few output steps.
constexpr int kMaxOutputSteps = 4;

Tensor Batch(int n, uint32_t seed) {
  Tensor t(DataType::kFloat32, {n, 1, 28, 28});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& v : t.span<float>()) v = u(rng);
  return t;
}

int MaxSteps(const Tensor& a, const Tensor& b, float scale) {
  int worst = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i)
    worst = std::max(
        worst, static_cast<int>(std::lround(std::fabs(a.data<float>()[i] - b.data<float>()[i]) / scale)));
  return worst;
}

class SessionRuntimeTest : public ::testing::TestWithParam<DataType> {};

TEST_P(SessionRuntimeTest, MatchesReferenceAcrossBatchSizes) {
  auto prepared = PreparedModel("resnet");
  ASSERT_NE(prepared, nullptr);
  auto model = std::make_shared<ir::Graph>(Quantized(*prepared, CalibratedRanges(prepared), GetParam()));
  const Model m(model);
  // The output's scale (DequantizeLinear input) measures differences in steps.
  const float out_scale =
      m.graph().values[static_cast<size_t>(m.graph().nodes.back().inputs[0])].type.quant.scale[0];
  SessionOptions fast_opt;
  fast_opt.threads = 2;
  SessionOptions ref_opt;
  ref_opt.reference = true;
  auto fast = Session::Create(m, fast_opt);
  auto ref = Session::Create(m, ref_opt);
  ASSERT_TRUE(fast.ok() && ref.ok());
  for (int n : {1, 3, 1, 2}) {
    const Tensor x = Batch(n, static_cast<uint32_t>(n));
    auto a = fast->Run({&x, 1});
    auto b = ref->Run({&x, 1});
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(b.ok()) << b.status().message();
    EXPECT_EQ((*a)[0].dims(), (*b)[0].dims());
    EXPECT_LE(MaxSteps((*a)[0], (*b)[0], out_scale), kMaxOutputSteps) << "batch " << n;
  }
  // The optimized session ran the optimized kernels, not the reference.
  int optimized = 0;
  for (const std::string& line : fast->KernelReport())
    optimized += line.find("reference") == std::string::npos;
  EXPECT_GE(optimized, 10);
}

INSTANTIATE_TEST_SUITE_P(Activations, SessionRuntimeTest,
                         ::testing::Values(DataType::kInt8, DataType::kUInt8));

TEST(SessionRuntime, ParallelSessionsGiveTheSameResults) {
  auto model = Model::Load(testing::SourcePath("models/mobilenet.onnx"));
  ASSERT_TRUE(model.ok());
  const Tensor x = Batch(2, 7);
  auto single = Session::Create(*model);
  ASSERT_TRUE(single.ok());
  auto want = single->Run({&x, 1});
  ASSERT_TRUE(want.ok());
  // Two caller threads, each with a 2-thread session: only one Run at a time
  // uses its pool (no oversubscription); results must not change.
  std::vector<std::vector<float>> got(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      auto s = Session::Create(*model);
      if (!s.ok()) return;
      for (int r = 0; r < 5; ++r) {
        auto out = s->Run({&x, 1});
        if (!out.ok()) return;
        auto span = (*out)[0].span<float>();
        got[static_cast<size_t>(t)].assign(span.begin(), span.end());
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto span = (*want)[0].span<float>();
  for (const auto& g : got) EXPECT_EQ(g, std::vector<float>(span.begin(), span.end()));
}

}  // namespace
}  // namespace qforge
