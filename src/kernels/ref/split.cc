// Split: each output takes one contiguous block per index of the leading
// dims. Part sizes are recomputed from the inputs (not read off the outputs)
// because an output may be omitted.
#include <algorithm>
#include <cstring>

#include "kernels/kernel.h"
#include "ops/infer.h"

namespace qforge::kernels::ref::split {

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  const int rank = in.rank();
  int64_t axis = ctx.attrs().GetInt("axis", 0);
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < rank; ++d) {
    if (d < axis) outer *= in.dim(d);
    if (d > axis) inner *= in.dim(d);
  }
  const size_t elem = DataTypeSize(in.dtype());
  const size_t in_block = static_cast<size_t>(in.dim(static_cast<int>(axis)) * inner) * elem;
  const int64_t dim = in.dim(static_cast<int>(axis));
  const int64_t n = static_cast<int64_t>(ctx.outputs.size());
  std::vector<int64_t> parts;
  if (ctx.has_in(1)) {
    parts = ops::ReadInts(ctx.in(1));
  } else {
    // Equal parts; with opset 18's num_outputs the last one may be smaller.
    const int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0, left = dim; i < n; ++i, left -= parts.back()) parts.push_back(std::min(chunk, left));
  }
  if (static_cast<int64_t>(parts.size()) != n) return ctx.Error("split sizes do not match the outputs");
  size_t offset = 0;  // byte offset of the current part within an input block
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    const int64_t part = parts[i];
    const size_t block = static_cast<size_t>(part * inner) * elem;
    if (ctx.outputs[i] != nullptr && block != 0) {
      char* dst = static_cast<char*>(ctx.outputs[i]->raw_data());
      const char* src = static_cast<const char*>(in.raw_data()) + offset;
      for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + o * block, src + o * in_block, block);
    }
    offset += block;
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::split
