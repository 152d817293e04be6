#include "conformance/backend_case.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "runtime/interpreter.h"
#include "test_util.h"

namespace qforge::testing {

namespace fs = std::filesystem;

namespace {

CaseResult Classify(const Status& s, const std::string& stage) {
  CaseResult r;
  r.outcome = s.code() == StatusCode::kUnsupported ? CaseOutcome::kUnsupported : CaseOutcome::kFailed;
  r.reason = stage + ": " + s.ToString();
  return r;
}

// input_0.pb, input_1.pb, ... in index order (not lexicographic: input_10
// must follow input_9).
std::vector<fs::path> NumberedFiles(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (int i = 0;; ++i) {
    fs::path p = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    files.push_back(p);
  }
  return files;
}

}  // namespace

std::string CompareBackendTensors(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype()) {
    return std::string("dtype ") + DataTypeName(actual.dtype()) + ", expected " +
           DataTypeName(expected.dtype());
  }
  if (actual.dims() != expected.dims())
    return "dims " + actual.ShapeString() + ", expected " + expected.ShapeString();
  const bool is_float = IsFloat(actual.dtype());
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    if (is_float) {
      const double a = At(actual, i), e = At(expected, i);
      if (std::isnan(a) && std::isnan(e)) continue;
      if (a == e) continue;  // includes equal infinities
      if (std::fabs(a - e) <= kBackendAtol + kBackendRtol * std::fabs(e)) continue;
      return "element " + std::to_string(i) + " is " + std::to_string(a) + ", expected " + std::to_string(e);
    }
    const int64_t a = IntElement(actual, i), e = IntElement(expected, i);
    if (a != e)
      return "element " + std::to_string(i) + " is " + std::to_string(a) + ", expected " + std::to_string(e);
  }
  return "";
}

CaseResult RunBackendCase(const std::string& dir, bool via_export) {
  Result<std::unique_ptr<ir::Graph>> graph = io::ReadOnnx((fs::path(dir) / "model.onnx").string());
  if (!graph.ok()) return Classify(graph.status(), "load");
  if (via_export) {
    Result<std::string> bytes = io::SerializeOnnx(*graph.value());
    if (!bytes.ok()) return Classify(bytes.status(), "export");
    graph = io::ReadOnnxFromBytes(bytes.value(), "exported model", dir);
    if (!graph.ok()) return Classify(graph.status(), "re-import");
  }
  auto shared = std::shared_ptr<const ir::Graph>(std::move(graph).value());
  runtime::Interpreter interp(shared);

  std::vector<fs::path> sets;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0) {
      sets.push_back(entry.path());
    }
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {CaseOutcome::kFailed, "no test_data_set_* folder"};

  for (const fs::path& set : sets) {
    const std::string set_name = set.filename().string();
    std::vector<Tensor> inputs;
    for (const fs::path& p : NumberedFiles(set, "input_")) {
      Result<Tensor> t = io::ReadOnnxTensorFile(p.string());
      if (!t.ok()) return Classify(t.status(), set_name + " input");
      inputs.push_back(std::move(t).value());
    }
    if (inputs.size() != shared->inputs.size()) {
      return {CaseOutcome::kFailed, set_name + ": " + std::to_string(inputs.size()) + " input files for " +
                                        std::to_string(shared->inputs.size()) + " graph inputs"};
    }
    Result<std::vector<Tensor>> outputs = interp.Run(inputs);
    if (!outputs.ok()) return Classify(outputs.status(), set_name + " run");
    std::vector<fs::path> expected_files = NumberedFiles(set, "output_");
    if (expected_files.size() != outputs->size()) {
      return {CaseOutcome::kFailed, set_name + ": " + std::to_string(outputs->size()) +
                                        " outputs, expected " + std::to_string(expected_files.size())};
    }
    for (size_t i = 0; i < expected_files.size(); ++i) {
      Result<Tensor> expected = io::ReadOnnxTensorFile(expected_files[i].string());
      if (!expected.ok()) return Classify(expected.status(), set_name + " output");
      std::string diff = CompareBackendTensors((*outputs)[i], expected.value());
      if (!diff.empty()) {
        return {CaseOutcome::kFailed, set_name + " output " + std::to_string(i) + " ('" +
                                          shared->value(shared->outputs[i]).name + "'): " + diff};
      }
    }
  }
  return {CaseOutcome::kPassed, ""};
}

}  // namespace qforge::testing
