#include "kernels/ref/type_visit.h"

namespace qforge::kernels::ref {

Tensor HalfToFloatTensor(const Tensor& t) {
  Tensor out(DataType::kFloat32, t.dims());
  const uint16_t* src = t.data<uint16_t>();
  float* dst = out.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) dst[i] = HalfToFloat(src[i]);
  return out;
}

void FloatToHalfTensor(const Tensor& src, Tensor* dst) {
  const float* s = src.data<float>();
  uint16_t* d = dst->data<uint16_t>();
  for (int64_t i = 0; i < src.num_elements(); ++i) d[i] = FloatToHalf(s[i]);
}

}  // namespace qforge::kernels::ref
