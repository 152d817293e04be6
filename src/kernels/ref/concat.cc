// Concat copies, for each index of the dims before `axis`, one contiguous
// block from every input in turn. A quantized input whose (S, Z) differs
// from the output's is requantized (Requantize arithmetic) while copying.
#include <cstring>
#include <string>

#include "core/int_element.h"
#include "kernels/kernel.h"
#include "kernels/ref/quantized/int_common.h"

namespace qforge::kernels::ref::concat {

Status Run(KernelContext& ctx) {
  Tensor& out = ctx.out(0);
  const int rank = out.rank();
  int64_t axis = ctx.attrs().GetInt("axis", 0);
  if (axis < 0) axis += rank;
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out.dim(static_cast<int>(d));
  // requantize[i]: input i is quantized with other parameters than the
  // output and needs its values moved to the output's (S, Z).
  std::vector<bool> requantize(ctx.inputs.size(), false);
  std::vector<Requantizer> requantizers(ctx.inputs.size());
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const Tensor& in = ctx.in(i);
    if ((!IsQuantized(in) && !IsQuantized(out)) || in.quant() == out.quant()) continue;
    TensorQuant qi, qo;
    QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, in, "input " + std::to_string(i), &qi));
    QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, out, "the output", &qo));
    QF_RETURN_IF_ERROR(MakeRequantizer(ctx, qi, qo, &requantizers[i]));
    requantize[i] = true;
  }
  const size_t elem = DataTypeSize(out.dtype());
  char* dst = static_cast<char*>(out.raw_data());
  int64_t out_index = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < ctx.inputs.size(); ++i) {
      const Tensor& in = ctx.in(i);
      if (in.num_elements() == 0) continue;
      const int64_t count = in.num_elements() / outer;
      if (requantize[i]) {
        for (int64_t j = 0; j < count; ++j)
          SetIntElement(&out, out_index + j, requantizers[i](IntElement<int32_t>(in, o * count + j)));
      } else {
        const size_t block = static_cast<size_t>(count) * elem;
        std::memcpy(dst + static_cast<size_t>(out_index) * elem,
                    static_cast<const char*>(in.raw_data()) + static_cast<size_t>(o) * block, block);
      }
      out_index += count;
    }
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::concat
