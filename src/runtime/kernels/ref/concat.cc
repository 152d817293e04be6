// Concat copies, for each index of the dims before `axis`, one contiguous
// block from every input in turn.
#include <cstring>

#include "runtime/kernels/kernel.h"

namespace qforge::kernels::ref::concat {

Status Run(KernelContext& ctx) {
  Tensor& out = ctx.out(0);
  const int rank = out.rank();
  int64_t axis = ctx.attrs().GetInt("axis", 0);
  if (axis < 0) axis += rank;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out.dim(static_cast<int>(d));
  const size_t elem = DataTypeSize(out.dtype());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor& in = ctx.in(i);
      if (in.num_elements() == 0) continue;
      const size_t block = static_cast<size_t>(in.num_elements() / outer) * elem;
      std::memcpy(dst, static_cast<const char*>(in.raw_data()) + static_cast<size_t>(o) * block, block);
      dst += block;
    }
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::concat
