// Pad maps each output coordinate to an input coordinate per axis; points
// outside the input take constant_value (constant mode) or a mirrored,
// clamped or wrapped coordinate.
#include <cstring>
#include <string>

#include "core/int_element.h"
#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"
#include "kernels/ref/quantized/int_common.h"
#include "kernels/ref/type_visit.h"
#include "ops/infer.h"

namespace qforge::kernels::ref::pad {

namespace {

enum class Mode { kConstant, kReflect, kEdge, kWrap };

int64_t SourceIndex(int64_t c, int64_t dim, Mode mode) {
  if (c >= 0 && c < dim) return c;
  switch (mode) {
    case Mode::kConstant:
      return -1;
    case Mode::kEdge:
      return c < 0 ? 0 : dim - 1;
    case Mode::kWrap:
      return ((c % dim) + dim) % dim;
    case Mode::kReflect: {
      // Mirror without repeating the edge: period 2 * (dim - 1), which is
      // also what repeated reflection gives for pads wider than the dim.
      if (dim == 1) return 0;
      const int64_t period = 2 * (dim - 1);
      const int64_t m = ((c % period) + period) % period;
      return m < dim ? m : period - m;
    }
  }
  return -1;
}

// The constant of a quantized Pad as q in the data's (S, Z): absent means
// real 0.0, i.e. Z; a quantized constant_value with other parameters is
// requantized to the data's.
Status QuantizedFill(KernelContext& ctx, int32_t* fill) {
  TensorQuant qd;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, ctx.in(0), "the data", &qd));
  *fill = qd.zero_point;
  if (!ctx.has_in(2) || ctx.in(2).num_elements() == 0) return Status::Ok();
  const Tensor& cv = ctx.in(2);
  *fill = IntElement<int32_t>(cv, 0);
  if (cv.quant().empty() || cv.quant() == ctx.in(0).quant()) return Status::Ok();
  TensorQuant qc;
  QF_RETURN_IF_ERROR(ReadTensorQuant(ctx, cv, "constant_value", &qc));
  Requantizer r;
  QF_RETURN_IF_ERROR(MakeRequantizer(ctx, qc, qd, &r));
  *fill = r(*fill);
  return Status::Ok();
}

}  // namespace

Status Run(KernelContext& ctx) {
  const Tensor& in = ctx.in(0);
  Tensor& out = ctx.out(0);
  const std::string mode_name = ctx.attrs().GetString("mode", "constant");
  const Mode mode = mode_name == "reflect" ? Mode::kReflect
                    : mode_name == "edge"  ? Mode::kEdge
                    : mode_name == "wrap"  ? Mode::kWrap
                                           : Mode::kConstant;
  // An empty output may still have one huge dim: build no index maps for it.
  if (out.num_elements() == 0) return Status::Ok();
  const std::vector<int64_t> pads = ops::ReadInts(ctx.in(1));
  const size_t rank = in.dims().size();
  if (pads.size() != 2 * rank) return ctx.Error("pads length does not match the input rank");
  std::vector<std::vector<int64_t>> maps(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t dim = in.dims()[d];
    for (int64_t o = 0; o < out.dims()[d]; ++o) {
      if (dim == 0 && mode != Mode::kConstant) return ctx.Error("cannot pad an empty dim in this mode");
      maps[d].push_back(SourceIndex(o - pads[d], dim, mode));
    }
  }
  const bool quantized = IsQuantized(in) && in.dtype() != DataType::kInt32;
  int32_t quantized_fill = 0;
  if (quantized) QF_RETURN_IF_ERROR(QuantizedFill(ctx, &quantized_fill));
  const size_t elem = DataTypeSize(in.dtype());
  const bool ok = VisitElementSize(elem, [&](auto e) {
    using E = decltype(e);
    E fill{};  // zero bytes are 0 for every dtype
    if (quantized) {
      // Two's complement bytes of the int8/uint8/int16 value.
      fill = static_cast<E>(static_cast<uint32_t>(quantized_fill));
    } else if (ctx.has_in(2) && ctx.in(2).num_elements() > 0) {
      std::memcpy(&fill, ctx.in(2).raw_data(), sizeof(E));
    }
    const E* src = in.data<E>();
    E* dst = out.data<E>();
    ForEachAxisMapped(out.dims(), maps, DenseStrides(in.dims()),
                      [&](int64_t i, int64_t off) { dst[i] = off < 0 ? fill : src[off]; });
  });
  if (!ok) return ctx.Error("unexpected element size");
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::pad
