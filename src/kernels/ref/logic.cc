// Reference kernels of And, Or, Xor (numpy broadcasting) and Not over bool
// tensors (one byte each; any nonzero byte reads as true).
#include "kernels/kernel.h"
#include "kernels/ref/broadcast.h"

namespace qforge::kernels::ref::logic {

namespace {

bool Apply(OpKind op, bool a, bool b) {
  switch (op) {
    case OpKind::kAnd:
      return a && b;
    case OpKind::kOr:
      return a || b;
    default:
      return a != b;  // Xor
  }
}

}  // namespace

Status Run(KernelContext& ctx) {
  const OpKind op = ctx.node->op;
  Tensor& out = ctx.out(0);
  uint8_t* o = out.data<uint8_t>();
  const uint8_t* a = ctx.in(0).data<uint8_t>();
  if (op == OpKind::kNot) {
    for (int64_t i = 0; i < out.num_elements(); ++i) o[i] = a[i] != 0 ? 0 : 1;
    return Status::Ok();
  }
  const uint8_t* b = ctx.in(1).data<uint8_t>();
  const std::vector<int64_t>& od = out.dims();
  ForEachStrided<2>(od, {BroadcastStrides(ctx.in(0).dims(), od), BroadcastStrides(ctx.in(1).dims(), od)},
                    [&](int64_t i, const std::array<int64_t, 2>& off) {
                      o[i] = Apply(op, a[off[0]] != 0, b[off[1]] != 0) ? 1 : 0;
                    });
  return Status::Ok();
}

}  // namespace qforge::kernels::ref::logic
