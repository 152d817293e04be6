#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/kernel.h"
#include "qscheme/fused_activation.h"

namespace qforge::kernels::ref {

namespace {
constexpr std::array<KernelFn, static_cast<size_t>(OpKind::kCount)> kKernels = {{
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) &family::Run,
#include "ir/ops.def"
#undef QF_OP
}};

// The node's kernel, then its fused activation on a float output.
Status RunNchw(KernelContext& ctx) {
  QF_RETURN_IF_ERROR(GetKernel(ctx.node->op)(ctx));
  // A fused activation on a float result is applied here, once for every
  // family; integer kernels clamp in their requantization instead.
  const quant::ActivationRange act = quant::FusedActivation(*ctx.node);
  if (!act.unbounded() && !ctx.outputs.empty() && ctx.outputs[0] != nullptr &&
      ctx.outputs[0]->dtype() == DataType::kFloat32) {
    quant::ApplyActivation(act, ctx.outputs[0]);
  }
  return Status::Ok();
}

// Writes the 4-D `src` permuted by `perm` (output dim i is src dim perm[i])
// to `dst`, element bytes copied, so every dtype works.
void Permute4(const Tensor& src, const std::array<int, 4>& perm, void* dst) {
  std::array<int64_t, 4> in_strides{};
  in_strides[3] = 1;
  for (int i = 2; i >= 0; --i)
    in_strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(i) + 1] * src.dim(i + 1);
  std::array<int64_t, 4> od{}, os{};
  for (size_t i = 0; i < 4; ++i) {
    od[i] = src.dim(perm[i]);
    os[i] = in_strides[static_cast<size_t>(perm[i])];
  }
  const size_t elem = DataTypeSize(src.dtype());
  const auto* s = static_cast<const char*>(src.raw_data());
  auto* d = static_cast<char*>(dst);
  for (int64_t a = 0; a < od[0]; ++a) {
    for (int64_t b = 0; b < od[1]; ++b) {
      for (int64_t c = 0; c < od[2]; ++c) {
        const int64_t base = a * os[0] + b * os[1] + c * os[2];
        for (int64_t e = 0; e < od[3]; ++e) {
          std::memcpy(d, s + static_cast<size_t>(base + e * os[3]) * elem, elem);
          d += elem;
        }
      }
    }
  }
}

// qf_layout = "NHWC" (passes::ConvertToNhwc): X and Y are (N, H, W, C). The
// reference runs the NCHW kernel between two copies: slow, but it is the
// oracle the optimized NHWC kernels are compared with, and the fallback.
Status RunNhwc(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.rank() != 4 || ctx.outputs.empty() || ctx.outputs[0] == nullptr || ctx.out(0).rank() != 4) {
    return ctx.Error("qf_layout NHWC needs a 4-D input and output");
  }
  Tensor& y = ctx.out(0);
  Tensor x_nchw(x.dtype(), {x.dim(0), x.dim(3), x.dim(1), x.dim(2)});
  Permute4(x, {0, 3, 1, 2}, x_nchw.raw_data());
  x_nchw.set_quant(x.quant());
  Tensor y_nchw(y.dtype(), {y.dim(0), y.dim(3), y.dim(1), y.dim(2)});
  y_nchw.set_quant(y.quant());
  KernelContext inner = ctx;
  inner.inputs[0] = &x_nchw;
  inner.outputs[0] = &y_nchw;
  QF_RETURN_IF_ERROR(RunNchw(inner));
  Permute4(y_nchw, {0, 2, 3, 1}, y.raw_data());
  return Status::Ok();
}

}  // namespace

KernelFn GetKernel(OpKind op) { return kKernels[static_cast<size_t>(op)]; }

Status RunKernel(KernelContext& ctx) {
  const std::string layout = ctx.attrs().GetString("qf_layout", "");
  if (layout.empty()) return RunNchw(ctx);
  if (layout != "NHWC") return ctx.Error("qf_layout '" + layout + "' is not NHWC");
  return RunNhwc(ctx);
}

}  // namespace qforge::kernels::ref
