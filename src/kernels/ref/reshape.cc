// Reshape, Flatten, Squeeze and Unsqueeze keep the row-major element order:
// the output is a byte copy with the inferred dims.
#include <cstring>

#include "kernels/kernel.h"

namespace qforge::kernels::ref::reshape {

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  if (out.byte_size() != in.byte_size()) return ctx.Error("output size differs from input size");
  if (in.byte_size() != 0) std::memcpy(out.raw_data(), in.raw_data(), in.byte_size());
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::reshape
