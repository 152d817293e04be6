#include "fuzz_model_run.h"

#include <cstring>
#include <vector>

#include "fuzz_util.h"
#include "qforge/model.h"
#include "qforge/runtime.h"

namespace qforge::fuzz {
namespace {

// Small deterministic values, so integer inputs (indices, shapes) stay
// mostly in range and reach the kernels instead of the first range check.
void Fill(Tensor& t) {
  const int64_t n = t.num_elements();
  switch (t.dtype()) {
    case DataType::kFloat32:
      for (int64_t i = 0; i < n; ++i) t.data<float>()[i] = 0.25f * static_cast<float>(i % 9 - 4);
      break;
    case DataType::kInt8:
      for (int64_t i = 0; i < n; ++i) t.data<int8_t>()[i] = static_cast<int8_t>(i % 7 - 3);
      break;
    case DataType::kUInt8:
      for (int64_t i = 0; i < n; ++i) t.data<uint8_t>()[i] = static_cast<uint8_t>(i % 5);
      break;
    case DataType::kInt32:
      for (int64_t i = 0; i < n; ++i) t.data<int32_t>()[i] = static_cast<int32_t>(i % 3);
      break;
    case DataType::kInt64:
      for (int64_t i = 0; i < n; ++i) t.data<int64_t>()[i] = i % 3;
      break;
    default:  // float16, float64, int16, bool: zeros are valid values
      std::memset(t.raw_data(), 0, t.byte_size());
  }
}

// The inputs to run with, or fewer than the model has when some input is
// dynamic, too big or of no runnable dtype (the run is skipped, not failed).
std::vector<Tensor> MakeInputs(const Model& model) {
  std::vector<Tensor> inputs;
  for (const IoInfo& info : model.inputs()) {
    int64_t elements = 1;
    for (int64_t d : info.dims) {
      if (d < 0 || d > kMaxFuzzInputElements) return {};
      elements *= d;
      if (elements > kMaxFuzzInputElements) return {};
    }
    if (info.dtype == DataType::kUndefined) return {};
    auto t = Tensor::Create(info.dtype, info.dims, "fuzz input '" + info.name + "'");
    if (!t.ok()) return {};
    Fill(*t);
    inputs.push_back(std::move(*t));
  }
  return inputs;
}

}  // namespace

void PrepareAndRun(std::unique_ptr<ir::Graph> graph) {
  Model model{std::shared_ptr<ir::Graph>(std::move(graph))};
  SessionOptions options;
  options.threads = 1;  // deterministic replays; scripts/tsan.sh covers the threaded runs
  auto session = Session::Create(model, options);
  if (!session.ok()) {
    RequireNotInternal(session.status(), "Session::Create");
    return;
  }
  std::vector<Tensor> inputs = MakeInputs(model);
  if (inputs.size() != model.inputs().size()) return;
  auto outputs = session->Run(inputs);
  if (!outputs.ok()) RequireNotInternal(outputs.status(), "Session::Run");
}

}  // namespace qforge::fuzz
