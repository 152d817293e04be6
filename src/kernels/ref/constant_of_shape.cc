#include <cstring>

#include "kernels/kernel.h"

namespace qforge::kernels::ref::constant_of_shape {

Status Run(KernelContext& ctx) {
  Tensor& out = ctx.out(0);
  const Tensor* value = ctx.attrs().GetTensor("value");
  if (value == nullptr) {
    // Default float32 0. Outputs may live in a reused arena: write them.
    if (out.byte_size() != 0) std::memset(out.raw_data(), 0, out.byte_size());
    return Status::Ok();
  }
  const size_t elem = DataTypeSize(out.dtype());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t i = 0; i < out.num_elements(); ++i)
    std::memcpy(dst + static_cast<size_t>(i) * elem, value->raw_data(), elem);
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::constant_of_shape
