// The ONNX backend node tests (Debian libonnx-testdata) through the importer
// and the reference interpreter. Every case is passed, failed or
// unsupported; failures are bugs, unsupported cases are listed by reason in
// onnx_backend_report.txt. QF_BACKEND_FILTER (regex or substring on the case
// name) limits the run while developing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <vector>

#include "conformance/backend_case.h"
#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "runtime/interpreter.h"

namespace qforge::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDataRoot = "/usr/share/libonnx-testdata/data";
constexpr const char* kFolders[] = {"node", "pytorch-converted"};

bool MatchesFilter(const std::string& name) {
  const char* filter = std::getenv("QF_BACKEND_FILTER");
  if (filter == nullptr || *filter == '\0') return true;
  try {
    return std::regex_search(name, std::regex(filter));
  } catch (const std::regex_error&) {
    return name.find(filter) != std::string::npos;
  }
}

// Reasons name the model path and node; grouping wants the rule, so the
// path and node names are masked.
std::string ReasonKey(const std::string& reason) {
  static const std::regex kPath(R"(/usr/share/libonnx-testdata/data/[^:]*: )");
  static const std::regex kNode(R"(node '[^']*')");
  static const std::regex kValue(R"((input|value|tensor|initializer) '[^']*')");
  std::string key = std::regex_replace(reason, kPath, "");
  key = std::regex_replace(key, kNode, "node '*'");
  return std::regex_replace(key, kValue, "$1 '*'");
}

struct Tally {
  int cases = 0, passed = 0, failed = 0, unsupported = 0;
  std::string Line(const std::string& what) const {
    return "onnx backend" + what + ": " + std::to_string(cases) + " cases, " + std::to_string(passed) +
           " passed, " + std::to_string(failed) + " failed, " + std::to_string(unsupported) + " unsupported";
  }
};

TEST(OnnxBackend, AllCases) {
  ASSERT_TRUE(fs::is_directory(kDataRoot)) << kDataRoot << " missing: install Debian's libonnx-testdata";
  Tally total;
  std::vector<std::string> failures;
  std::map<std::string, std::vector<std::string>> unsupported;  // reason key -> cases
  for (const char* folder : kFolders) {
    const fs::path root = fs::path(kDataRoot) / folder;
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory() && fs::exists(entry.path() / "model.onnx")) cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    Tally tally;
    for (const fs::path& dir : cases) {
      const std::string name = std::string(folder) + "/" + dir.filename().string();
      if (!MatchesFilter(name)) continue;
      CaseResult r = RunBackendCase(dir.string());
      ++tally.cases;
      switch (r.outcome) {
        case CaseOutcome::kPassed:
          ++tally.passed;
          break;
        case CaseOutcome::kFailed:
          ++tally.failed;
          failures.push_back(name + ": " + r.reason);
          break;
        case CaseOutcome::kUnsupported:
          ++tally.unsupported;
          unsupported[ReasonKey(r.reason)].push_back(name);
          break;
      }
    }
    std::printf("%s\n", tally.Line(std::string(" [") + folder + "]").c_str());
    total.cases += tally.cases;
    total.passed += tally.passed;
    total.failed += tally.failed;
    total.unsupported += tally.unsupported;
  }
  std::printf("%s\n", total.Line("").c_str());
  for (const std::string& f : failures) std::printf("FAILED %s\n", f.c_str());

  std::ofstream report("onnx_backend_report.txt");
  report << total.Line("") << "\n\nUnsupported cases by reason:\n";
  for (const auto& [reason, names] : unsupported) {
    report << "\n" << reason << " (" << names.size() << ")\n";
    for (const std::string& n : names) report << "  " << n << "\n";
  }
  report << "\nFailed cases:\n";
  for (const std::string& f : failures) report << "  " << f << "\n";

  EXPECT_GT(total.cases, 0) << "no case matched QF_BACKEND_FILTER";
  EXPECT_EQ(total.failed, 0) << failures.size() << " backend cases failed; see the FAILED lines above";
}

// Every case the importer and runtime pass must pass again after a trip
// through the exporter (opset 17) and back: the writer's rewrites (coerced
// Softmax, Reduce axes attributes, Cast enums, empty optional inputs) keep
// the semantics. Unsupported-on-export counts as a failure here because the
// exporter supports everything the importer produces.
// QF_BACKEND_EXPORT_DIR=<dir> keeps each exported model (<folder>_<case>.onnx)
// for checking with external tools (onnx.checker, ONNX Runtime).
void DumpExport(const fs::path& dir, const std::string& name) {
  const char* out_dir = std::getenv("QF_BACKEND_EXPORT_DIR");
  if (out_dir == nullptr || *out_dir == '\0') return;
  auto g = io::ReadOnnx((dir / "model.onnx").string());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::string file = name;
  std::replace(file.begin(), file.end(), '/', '_');
  Status s = io::WriteOnnx(*g.value(), (fs::path(out_dir) / (file + ".onnx")).string());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(OnnxBackend, ExportRoundTrip) {
  int cases = 0;
  std::vector<std::string> failures;
  for (const char* folder : kFolders) {
    const fs::path root = fs::path(kDataRoot) / folder;
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory() && fs::exists(entry.path() / "model.onnx")) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      const std::string name = std::string(folder) + "/" + dir.filename().string();
      if (!MatchesFilter(name) || RunBackendCase(dir.string()).outcome != CaseOutcome::kPassed) continue;
      ++cases;
      CaseResult r = RunBackendCase(dir.string(), /*via_export=*/true);
      if (r.outcome != CaseOutcome::kPassed) failures.push_back(name + ": " + r.reason);
      DumpExport(dir, name);
    }
  }
  std::printf("onnx backend export round trip: %d cases, %zu failed\n", cases, failures.size());
  for (const std::string& f : failures) std::printf("FAILED %s\n", f.c_str());
  EXPECT_TRUE(failures.empty()) << failures.size() << " cases fail after export; see the FAILED lines above";
}

// The shape check at the API boundary: a wrong shape or dtype is the
// caller's error (InvalidArgument), never a crash or a kernel reading out of
// bounds.
TEST(OnnxBackend, WrongInputShapeIsInvalidArgument) {
  const std::string dir = std::string(kDataRoot) + "/node/test_add";
  auto g = io::ReadOnnx(dir + "/model.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto graph = std::shared_ptr<const ir::Graph>(std::move(g).value());
  ASSERT_EQ(graph->inputs.size(), 2u);
  ASSERT_EQ(graph->value(graph->inputs[0]).type.dims, (std::vector<int64_t>{3, 4, 5}));
  runtime::Interpreter interp(graph);

  std::vector<Tensor> wrong_dims = {Tensor(DataType::kFloat32, {3, 4, 6}),
                                    Tensor(DataType::kFloat32, {3, 4, 5})};
  auto r1 = interp.Run(wrong_dims);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.status().code(), StatusCode::kInvalidArgument) << r1.status().ToString();

  std::vector<Tensor> wrong_rank = {Tensor(DataType::kFloat32, {3, 4}),
                                    Tensor(DataType::kFloat32, {3, 4, 5})};
  auto r2 = interp.Run(wrong_rank);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kInvalidArgument) << r2.status().ToString();

  std::vector<Tensor> wrong_dtype = {Tensor(DataType::kInt32, {3, 4, 5}),
                                     Tensor(DataType::kFloat32, {3, 4, 5})};
  auto r3 = interp.Run(wrong_dtype);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.status().code(), StatusCode::kInvalidArgument) << r3.status().ToString();

  std::vector<Tensor> too_few = {Tensor(DataType::kFloat32, {3, 4, 5})};
  auto r4 = interp.Run(too_few);
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.status().code(), StatusCode::kInvalidArgument) << r4.status().ToString();

  // The right shape still runs after the rejected attempts.
  std::vector<Tensor> right = {Tensor(DataType::kFloat32, {3, 4, 5}), Tensor(DataType::kFloat32, {3, 4, 5})};
  auto r5 = interp.Run(right);
  EXPECT_TRUE(r5.ok()) << r5.status().ToString();
}

}  // namespace
}  // namespace qforge::testing
