#include "fuzz_util.h"

#include <cstdio>
#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>

#include "qforge/limits.h"

namespace qforge::fuzz {
namespace {

// The scratch folder, removed by its destructor at exit. The path must live
// as long as the removal needs it: an atexit handler registered while the
// static path is being built runs after that path's destructor.
class ScratchFolder {
 public:
  ScratchFolder() : path_((std::filesystem::temp_directory_path() / "qforge-fuzz-XXXXXX").string()) {
    if (mkdtemp(path_.data()) == nullptr) __builtin_trap();
  }
  ~ScratchFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string& ScratchDir() {
  static const ScratchFolder folder;
  return folder.path();
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
