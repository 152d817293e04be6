// Shared by the model fuzz targets (ONNX, TFLite): takes a graph a reader
// accepted through the optimized runtime's preparation (runtime graph
// passes, kernel choice, memory plan) and one inference on deterministic
// inputs.
#pragma once

#include <memory>

#include "ir/graph.h"

namespace qforge::fuzz {

// Inputs with more elements than this are not run (the run itself would be
// slow, not wrong); preparation still is.
inline constexpr int64_t kMaxFuzzInputElements = int64_t{1} << 16;

// Prepares `graph` for the optimized runtime and, when every input has a
// static, small shape, runs it once. Errors are fine (a hostile model may be
// refused at any step); a kInternal error, a crash, a sanitizer report or a
// hang is the bug the fuzzer looks for (__builtin_trap).
void PrepareAndRun(std::unique_ptr<ir::Graph> graph);

}  // namespace qforge::fuzz
