// qforge_layer_bench: one backend's operator for one layer. Each backend
// (XNNPACK, oneDNN, qforge's own kernels) builds it once (weights packed or
// reordered outside the timing) and then runs it on the same NHWC input.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layer_bench_layers.h"
#include "qforge/status.h"

namespace qforge::bench {

class LayerImpl {
 public:
  virtual ~LayerImpl() = default;
  // One batch-1 run on the input given at creation (the timed part).
  virtual void Run() = 0;
  // The last run's NHWC output as floats: the values of a kF32 layer, the
  // codes in the layer's type (int8 or uint8) of a quantized one. Not timed.
  virtual std::vector<float> OutputValues() const = 0;
  // What the library chose (oneDNN's impl_info_str, the kernel name), or "".
  virtual std::string info() const { return ""; }
};

// A backend builds an operator for a layer, or says why it cannot
// (Unsupported: the table shows "n/a" and the reason is printed below it).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // `input` is NHWC (layer.InputElements() floats or codes) and outlives the result.
  virtual Result<std::unique_ptr<LayerImpl>> Create(const Layer& layer, const void* input) = 0;
};

// threads: XNNPACK's pthreadpool size (1 = run on the calling thread).
Result<std::unique_ptr<Backend>> MakeXnnpackBackend(int threads);
// threads: OpenMP thread count oneDNN uses.
Result<std::unique_ptr<Backend>> MakeOnednnBackend(int threads);
// qforge's own int8 kernels (src/kernels/x86/qconv.h), when built;
// Unsupported when this build has none.
Result<std::unique_ptr<Backend>> MakeQforgeBackend(int threads);

// Library versions, for the report.
std::string XnnpackVersion();
std::string OnednnVersion();

}  // namespace qforge::bench
