// Latency of the float reference runtime on the bundled example model, at
// batch 1 and 32. The reference runtime is the oracle, not the fast path;
// these numbers are the baseline the optimized kernels are measured against.
#include <benchmark/benchmark.h>

#include <random>

#include "qforge/model.h"
#include "qforge/runtime.h"

namespace {

void BM_ReferenceCnn(benchmark::State& state) {
  auto model = qforge::Model::Load(std::string(QFORGE_SOURCE_DIR) + "/models/cnn.onnx");
  if (!model.ok()) {
    state.SkipWithError(model.status().message().c_str());
    return;
  }
  auto session = qforge::Session::Create(*model);
  const int64_t batch = state.range(0);
  qforge::Tensor x(qforge::DataType::kFloat32, {batch, 1, 28, 28});
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  for (float& v : x.span<float>()) v = dist(rng);
  std::vector<qforge::Tensor> inputs = {x};
  for (auto _ : state) {
    auto out = session->Run(inputs);
    if (!out.ok()) {
      state.SkipWithError(out.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(out->front().raw_data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_ReferenceCnn)->Arg(1)->Arg(32)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
