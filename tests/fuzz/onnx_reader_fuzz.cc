// libFuzzer entry point for the ONNX reader through the runtime: any byte
// string must come back as a Status naming the file, or as a graph that the
// optimized runtime prepares (or refuses with a Status) and runs once,
// without a crash, a sanitizer report, a hang or a huge allocation
// (scripts/fuzz.sh runs it with -rss_limit_mb and -timeout).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "fuzz_model_run.h"
#include "fuzz_util.h"
#include "io/onnx/onnx_reader.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  qforge::fuzz::InitFuzzLimits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto graph = qforge::io::ReadOnnxFromBytes(bytes, "fuzz.onnx", "/nonexistent-fuzz-dir");
  if (!graph.ok()) {
    qforge::fuzz::CheckFileError(graph.status(), "fuzz.onnx");
    return 0;
  }
  qforge::fuzz::PrepareAndRun(std::move(*graph));
  return 0;
}
