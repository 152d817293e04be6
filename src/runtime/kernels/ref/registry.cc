#include <array>

#include "runtime/kernels/kernel.h"

namespace qforge::kernels::ref {

namespace {
constexpr std::array<KernelFn, static_cast<size_t>(OpKind::kCount)> kKernels = {{
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) &family::Run,
#include "ops/ops.def"
#undef QF_OP
}};
}  // namespace

KernelFn GetKernel(OpKind op) { return kKernels[static_cast<size_t>(op)]; }

}  // namespace qforge::kernels::ref
