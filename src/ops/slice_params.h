// Slice's index arithmetic (ONNX opset 13 rules), shared by shape inference
// and the reference kernel so the two cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qforge::ops {

struct SliceAxis {
  int64_t start = 0;   // first input index read
  int64_t step = 1;    // may be negative
  int64_t length = 0;  // output dim; kDynamicDim if the input dim is dynamic
};

// One entry per input dim (axes not named in `axes` keep their full range).
// `axes` empty means 0..starts.size()-1; `steps` empty means all 1. Returns
// false with *error set when the inputs break the spec (length mismatch,
// axis out of range or repeated, zero step).
bool ComputeSlice(const std::vector<int64_t>& dims, const std::vector<int64_t>& starts,
                  const std::vector<int64_t>& ends, std::vector<int64_t> axes, std::vector<int64_t> steps,
                  std::vector<SliceAxis>* out, std::string* error);

}  // namespace qforge::ops
