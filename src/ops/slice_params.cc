#include "ops/slice_params.h"

#include <algorithm>
#include <limits>

#include "qforge/tensor.h"

namespace qforge::ops {

bool ComputeSlice(const std::vector<int64_t>& dims, const std::vector<int64_t>& starts,
                  const std::vector<int64_t>& ends, std::vector<int64_t> axes, std::vector<int64_t> steps,
                  std::vector<SliceAxis>* out, std::string* error) {
  const int64_t rank = static_cast<int64_t>(dims.size());
  const size_t n = starts.size();
  if (axes.empty()) {
    for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(n, 1);
  if (ends.size() != n || axes.size() != n || steps.size() != n) {
    *error = "starts, ends, axes and steps must have the same length";
    return false;
  }
  out->assign(dims.size(), SliceAxis{});
  std::vector<bool> seen(dims.size(), false);
  for (size_t d = 0; d < dims.size(); ++d) (*out)[d].length = dims[d];
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes[i];
    if (axis < -rank || axis >= rank) {
      *error = "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank);
      return false;
    }
    if (axis < 0) axis += rank;
    const size_t a = static_cast<size_t>(axis);
    if (seen[a]) {
      *error = "axis " + std::to_string(axes[i]) + " is sliced twice";
      return false;
    }
    seen[a] = true;
    int64_t step = steps[i];
    if (step == 0) {
      *error = "step 0 on axis " + std::to_string(axes[i]);
      return false;
    }
    // |step| beyond the int64 range behaves like any step larger than the dim.
    step = std::max(step, -std::numeric_limits<int64_t>::max());
    const int64_t dim = dims[a];
    SliceAxis& s = (*out)[a];
    s.step = step;
    if (dim <= 0) {
      s.length = dim;  // dynamic stays dynamic; an empty axis stays empty
      continue;
    }
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      s.length = end > start ? 1 + (end - start - 1) / step : 0;  // ceil without overflow
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      s.length = start > end ? 1 + (start - end - 1) / -step : 0;
    }
    s.start = start;
  }
  return true;
}

}  // namespace qforge::ops
