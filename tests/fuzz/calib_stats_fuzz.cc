// libFuzzer entry point for the calibration stats loader (quantize
// --calib-stats): any file must come back as a Status naming it, or as
// statistics from which every range estimator computes ranges (or refuses
// with a Status).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "quant/calibration/calibration.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  qforge::fuzz::InitFuzzLimits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using qforge::quant::RangeEstimator;
  const std::string path = qforge::fuzz::WriteScratchFile(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  auto stats = qforge::quant::CalibrationStats::Load(path);
  if (!stats.ok()) {
    qforge::fuzz::CheckFileError(stats.status(), path);
    return 0;
  }
  for (RangeEstimator e : {RangeEstimator::kMinMax, RangeEstimator::kMovingAverageMinMax,
                           RangeEstimator::kPercentile, RangeEstimator::kEntropy, RangeEstimator::kMse}) {
    qforge::quant::EstimatorOptions options;
    options.estimator = e;
    auto ranges = qforge::quant::ComputeRanges(*stats, options);
    if (!ranges.ok()) qforge::fuzz::RequireNotInternal(ranges.status(), "ComputeRanges");
  }
  return 0;
}
