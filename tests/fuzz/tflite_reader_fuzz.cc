// libFuzzer entry point for the TFLite reader: any byte string must come back
// as a graph or a Status, without a crash, a sanitizer report, a hang or a
// huge allocation (scripts/fuzz.sh runs it with -rss_limit_mb and -timeout).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/tflite/read/tflite_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto graph = qforge::io::ReadTfliteFromBytes(bytes, "fuzz.tflite");
  // An error must say which file it is about; anything else is a reader bug
  // the fuzzer should report as a crash.
  if (!graph.ok() && graph.status().message().find("fuzz.tflite") == std::string_view::npos) __builtin_trap();
  return 0;
}
