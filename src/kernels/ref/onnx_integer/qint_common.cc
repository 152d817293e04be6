#include "kernels/ref/onnx_integer/qint_common.h"

#include "core/check.h"
#include "core/int_element.h"

namespace qforge::kernels::ref {

std::vector<float> ReadScales(const Tensor& t) {
  std::span<const float> s = t.span<float>();
  return {s.begin(), s.end()};
}

std::vector<int32_t> ReadZeroPoints(const Tensor* t) {
  if (t == nullptr) return {0};
  std::vector<int32_t> zp(static_cast<size_t>(t->num_elements()));
  for (size_t i = 0; i < zp.size(); ++i) zp[i] = IntElement<int32_t>(*t, static_cast<int64_t>(i));
  return zp;
}

void SplitAtAxis(const std::vector<int64_t>& dims, int axis, int64_t* outer, int64_t* channels,
                 int64_t* inner) {
  *outer = 1;
  *channels = 1;
  *inner = 1;
  for (int i = 0; i < static_cast<int>(dims.size()); ++i) {
    const int64_t d = dims[static_cast<size_t>(i)];
    if (i < axis) {
      *outer *= d;
    } else if (i == axis) {
      *channels = d;
    } else {
      *inner *= d;
    }
  }
}

std::vector<int32_t> CenteredValues(const Tensor& t, std::span<const int32_t> zero_points, int axis) {
  std::vector<int32_t> out(static_cast<size_t>(t.num_elements()));
  int64_t outer = 1, channels = 1, inner = out.size();
  if (zero_points.size() != 1) SplitAtAxis(t.dims(), axis, &outer, &channels, &inner);
  QF_CHECK(zero_points.size() == 1 || static_cast<int64_t>(zero_points.size()) == channels);
  int64_t i = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t zp = zero_points[zero_points.size() == 1 ? 0 : static_cast<size_t>(c)];
      for (int64_t j = 0; j < inner; ++j, ++i) {
        out[static_cast<size_t>(i)] =
            static_cast<int32_t>(static_cast<uint32_t>(IntElement<int32_t>(t, i) - zp));
      }
    }
  }
  return out;
}

void StoreInts(std::span<const int32_t> values, Tensor* out) {
  QF_CHECK(static_cast<int64_t>(values.size()) == out->num_elements());
  for (size_t i = 0; i < values.size(); ++i) SetIntElement(out, static_cast<int64_t>(i), values[i]);
}

}  // namespace qforge::kernels::ref
