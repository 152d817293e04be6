#include "fuzz_util.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "qforge/limits.h"

namespace qforge::fuzz {
namespace {

void RemoveScratch();

const std::string& ScratchDir() {
  static const std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "qforge-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) __builtin_trap();
    std::atexit(RemoveScratch);
    return pattern;
  }();
  return dir;
}

void RemoveScratch() {
  std::error_code ec;
  std::filesystem::remove_all(ScratchDir(), ec);
}

}  // namespace

void InitFuzzLimits() { SetMemoryLimit(kFuzzMemoryLimitBytes); }

void RequireNotInternal(const Status& s, const char* step) {
  if (s.code() != StatusCode::kInternal) return;
  std::fprintf(stderr, "fuzz: %s returned kInternal: %s\n", step, s.message().c_str());
  __builtin_trap();
}

void CheckFileError(const Status& s, std::string_view source) {
  RequireNotInternal(s, "reader");
  if (s.message().find(source) != std::string::npos) return;
  std::fprintf(stderr, "fuzz: error does not name '%.*s': %s\n", static_cast<int>(source.size()),
               source.data(), s.message().c_str());
  __builtin_trap();
}

std::string WriteScratchFile(std::string_view bytes, const std::string& name) {
  const std::string path = ScratchDir() + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) __builtin_trap();  // the scratch folder is the fuzzer's own: a failure is the machine's
  return path;
}

}  // namespace qforge::fuzz
