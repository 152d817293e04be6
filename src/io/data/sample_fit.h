// Fitting stored data to a model input: which dims make one sample, which
// dtype the samples become, and the element conversion (with the NaN/Inf and
// range checks) every data set applies when it reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

struct SampleLayout {
  int64_t count = 0;                 // number of samples
  std::vector<int64_t> sample_dims;  // output dims of one sample
  int64_t sample_elements = 0;
};

// Splits stored dims `data_dims` into samples fitting `model_dims` (batch
// first, -1 dynamic; empty = no model). Tried in order: the first dim counts
// samples; else the whole array is one sample. A sample fits when its dims
// match, when they match after dropping size-1 dims, or when one side is
// 1-D with the same element count (a row-major flatten). Anything else is an
// InvalidArgument naming `file` and both shapes. Empty data is an error.
Result<SampleLayout> FitLayout(const std::vector<int64_t>& data_dims, const std::vector<int64_t>& model_dims,
                               const std::string& file);

// How stored elements become output elements.
struct ElementConversion {
  DataType stored = DataType::kUndefined;
  DataType out = DataType::kUndefined;
  float int_scale = 0.0f;  // nonzero: uint8 stored -> float out, multiplied (IDX images)
};

// Chooses the output dtype for `stored` data feeding a `model` input
// (kUndefined = keep). Float converts among float types; integers convert
// to int16/int32/int64 (range-checked), never into another 8-bit type;
// uint8 becomes float only when `uint8_to_float_scale` is
// nonzero. Other pairs are an InvalidArgument naming `file`.
Result<ElementConversion> ChooseConversion(DataType stored, DataType model, const std::string& file,
                                           float uint8_to_float_scale = 0.0f);

// Converts `num_samples` samples of `sample_elements` each from `src` to
// `dst`. Rejects NaN/Inf (in stored or converted float data) and integers out
// of the output range, naming `file` and the sample index (first_sample + i).
Status ConvertSamples(const ElementConversion& c, const void* src, void* dst, int64_t num_samples,
                      int64_t sample_elements, int64_t first_sample, const std::string& file);

// Checks a Read(first, count) range against a data set of `size` samples.
Status CheckReadRange(int64_t first, int64_t count, int64_t size, const std::string& file);

}  // namespace qforge::io
