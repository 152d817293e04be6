// Runs one ONNX backend test case folder (model.onnx + test_data_set_*/)
// through the importer and the reference interpreter and classifies it.
#pragma once

#include <string>

#include "qforge/tensor.h"

namespace qforge::testing {

// ONNX's backend test defaults (onnx/backend/test/runner): values match when
// |actual - expected| <= kAtol + kRtol * |expected|; NaN matches NaN.
inline constexpr double kBackendRtol = 1e-3;
inline constexpr double kBackendAtol = 1e-7;

enum class CaseOutcome { kPassed, kFailed, kUnsupported };

struct CaseResult {
  CaseOutcome outcome = CaseOutcome::kPassed;
  std::string reason;  // why it failed or is unsupported
};

// With `via_export`, the imported graph is first written back to ONNX
// (SerializeOnnx) and re-imported, so the case also tests the exporter.
CaseResult RunBackendCase(const std::string& dir, bool via_export = false);

// Compares with the backend tolerances (exact for integer and bool);
// returns "" when equal, else a one-line description of the first mismatch.
std::string CompareBackendTensors(const Tensor& actual, const Tensor& expected);

}  // namespace qforge::testing
