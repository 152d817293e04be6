// The committed fuzz seed corpus (tests/fuzz/corpus/tflite) through the
// reader: every file is read without a crash or an ASan report (the
// sanitizer CI build runs this, so the seeds are checked even where no
// fuzzer runs), valid_* seeds are accepted, and every rejection is a
// kInvalidModel / kUnsupported naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "io/tflite/read/tflite_reader.h"
#include "test_util.h"

namespace qforge {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  const fs::path dir = testing::SourcePath("tests/fuzz/corpus/tflite");
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

TEST(TfliteCorpusTest, EverySeedIsReadWithoutCrashing) {
  const std::vector<fs::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 10u) << "the seed corpus is missing";
  int valid = 0;
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.filename().string());
    const std::string bytes = Slurp(p);
    auto g = io::ReadTfliteFromBytes(bytes, p.filename().string());
    const bool expect_valid = p.filename().string().rfind("valid_", 0) == 0;
    if (expect_valid) {
      ++valid;
      EXPECT_TRUE(g.ok()) << g.status().ToString();
      continue;
    }
    if (g.ok()) continue;  // a mutated seed may still be a valid model
    EXPECT_TRUE(g.status().code() == StatusCode::kInvalidModel ||
                g.status().code() == StatusCode::kUnsupported)
        << g.status().ToString();
    EXPECT_NE(g.status().message().find(p.filename().string()), std::string::npos) << g.status().ToString();
  }
  EXPECT_GE(valid, 2) << "the corpus needs valid models to mutate from";
}

TEST(TfliteCorpusTest, CorpusStaysSmall) {
  uintmax_t total = 0;
  for (const fs::path& p : CorpusFiles()) total += fs::file_size(p);
  EXPECT_LT(total, uintmax_t{2} << 20) << "keep the committed seed corpus under 2 MB";
}

}  // namespace
}  // namespace qforge
