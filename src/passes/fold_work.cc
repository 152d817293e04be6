// FoldWork (constant_fold.h): the cost estimate that bounds constant
// folding. Over-estimates are harmless (a node stays for the runtime);
// under-estimates are what a hostile file would exploit, so every op with
// more than linear work in its tensors has its own term.
#include <algorithm>
#include <climits>

#include "core/size_math.h"
#include "ops/shape_inputs.h"
#include "passes/constant_fold.h"

namespace qforge::passes {

namespace {

uint64_t SatMul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return CheckedMul(a, b, &r) ? r : UINT64_MAX;
}

uint64_t SatAdd(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return CheckedAdd(a, b, &r) ? r : UINT64_MAX;
}

uint64_t Elements(const ir::TensorType* t) {
  if (t == nullptr || !t->IsStatic()) return 0;
  const int64_t n = CheckedElementCount(t->dims);
  return n < 0 ? UINT64_MAX : static_cast<uint64_t>(n);
}

// Multiply-adds per output (Conv) or per input (ConvTranspose) element: a
// weight [M, C/group, k...] contributes C/group * prod(k) per element.
uint64_t PerChannelWeight(const ir::TensorType* w) {
  if (w == nullptr || !w->IsStatic() || w->rank() < 1 || w->dims[0] <= 0) return Elements(w);
  return Elements(w) / static_cast<uint64_t>(w->dims[0]);
}

// The reduced dim K of a matrix product whose first input is `a`.
uint64_t ReducedDim(const ir::Node& node, const ir::TensorType* a) {
  if (a == nullptr || !a->IsStatic() || a->rank() < 1) return 1;
  if (node.op == OpKind::kGemm && a->rank() == 2 && node.attrs.GetInt("transA", 0) != 0) {
    return static_cast<uint64_t>(std::max<int64_t>(1, a->dims[0]));
  }
  return static_cast<uint64_t>(std::max<int64_t>(1, a->dims.back()));
}

uint64_t KernelWindow(const ir::Node& node) {
  uint64_t k = 1;
  for (int64_t d : node.attrs.GetInts("kernel_shape"))
    k = SatMul(k, static_cast<uint64_t>(std::max<int64_t>(1, d)));
  return k;
}

}  // namespace

uint64_t FoldWork(const ir::Node& node, const std::vector<const ir::TensorType*>& inputs,
                  const std::vector<ir::TensorType>& outputs) {
  uint64_t out = 0;
  for (const ir::TensorType& t : outputs) out = SatAdd(out, Elements(&t));
  if (ops::ReadsOnlyInputDims(node.op)) return SatAdd(out, 1);  // reads dims, not data
  uint64_t work = 0;
  for (const ir::TensorType* t : inputs) work = SatAdd(work, Elements(t));
  work = SatAdd(work, out);
  auto input = [&](size_t i) { return i < inputs.size() ? inputs[i] : nullptr; };
  switch (node.op) {
    case OpKind::kConv:
    case OpKind::kConvInteger:
      return SatAdd(work, SatMul(out, PerChannelWeight(input(1))));
    case OpKind::kQLinearConv:
      return SatAdd(work, SatMul(out, PerChannelWeight(input(3))));
    case OpKind::kConvTranspose:
      return SatAdd(work, SatMul(Elements(input(0)), PerChannelWeight(input(1))));
    case OpKind::kMatMul:
    case OpKind::kGemm:
    case OpKind::kMatMulInteger:
    case OpKind::kQLinearMatMul:
      return SatAdd(work, SatMul(out, ReducedDim(node, input(0))));
    case OpKind::kResize: {
      // Up to 4 taps per dim (cubic) for each output element.
      const ir::TensorType* x = input(0);
      const int rank = x != nullptr && x->rank_known ? std::min(x->rank(), 16) : 16;
      return SatAdd(work, SatMul(out, uint64_t{1} << (2 * rank)));
    }
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
      return SatAdd(work, SatMul(out, KernelWindow(node)));
    default:
      return work;
  }
}

}  // namespace qforge::passes
