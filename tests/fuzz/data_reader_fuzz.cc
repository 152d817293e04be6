// libFuzzer entry point for the data readers behind `--data` and `--labels`:
// .npy, .npz, IDX and gzip'd IDX. The first byte chooses the reader (bits
// 0-1: format, bit 2: labels instead of a data set, bit 3: convert to
// float32); the rest is the file. The file must come back as a Status naming
// it, or as a data set whose first samples read (or fail) cleanly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "io/data/dataset.h"

namespace {
constexpr const char* kNames[] = {"fuzz.npy", "fuzz.npz", "fuzz.idx", "fuzz-idx.gz"};
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  qforge::fuzz::InitFuzzLimits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string path = qforge::fuzz::WriteScratchFile(
      std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), kNames[selector & 3]);
  if (selector & 4) {
    auto labels = qforge::io::LoadLabels(path);
    if (!labels.ok()) qforge::fuzz::CheckFileError(labels.status(), path);
    return 0;
  }
  qforge::io::DataSpec spec;
  spec.path = path;
  const auto dtype = (selector & 8) ? qforge::DataType::kFloat32 : qforge::DataType::kUndefined;
  auto dataset = qforge::io::OpenDataset(spec, {}, dtype);
  if (!dataset.ok()) {
    qforge::fuzz::CheckFileError(dataset.status(), path);
    return 0;
  }
  auto batch = (*dataset)->Read(0, std::min<int64_t>((*dataset)->size(), 4));
  if (!batch.ok()) qforge::fuzz::CheckFileError(batch.status(), path);
  return 0;
}
