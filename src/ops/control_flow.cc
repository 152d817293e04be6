// Shape inference for If. Its outputs take the types both branches agree
// on: the branch outputs' dtypes must match (checked by the verifier too);
// dims equal in both branches are kept, others become dynamic, and
// branches of different ranks give an unknown rank (the runtime allocates
// what the branch it ran produced).
#include <string>

#include "ops/infer.h"
#include "ops/shape_inputs.h"

namespace qforge::ops::control_flow {

namespace {

ir::TensorType Merge(const ir::TensorType& a, const ir::TensorType& b) {
  if (!a.rank_known || !b.rank_known || a.rank() != b.rank()) return UnknownRankType(a.dtype);
  std::vector<int64_t> dims = a.dims;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] != b.dims[d]) dims[d] = ir::kDynamicDim;
  }
  return MakeType(a.dtype, std::move(dims));
}

}  // namespace

Status Infer(InferContext& ctx) {
  if (!ctx.has_input(0)) return ctx.Invalid("input 0 (cond) is required");
  if (ctx.input(0).dtype != DataType::kBool) {
    return ctx.Invalid(std::string("cond has dtype ") + DataTypeName(ctx.input(0).dtype) + ", expected bool");
  }
  const ir::Graph* then_branch = ctx.attrs().GetGraph("then_branch");
  const ir::Graph* else_branch = ctx.attrs().GetGraph("else_branch");
  if (then_branch == nullptr || else_branch == nullptr)
    return ctx.Invalid("needs subgraph attributes then_branch and else_branch");
  for (const ir::Graph* b : {then_branch, else_branch}) {
    if (b->outputs.size() != ctx.outputs.size() || b->inputs.size() + 1 != ctx.num_inputs()) {
      return ctx.Invalid("a branch has " + std::to_string(b->outputs.size()) + " outputs and " +
                         std::to_string(b->inputs.size()) + " captured inputs; the If has " +
                         std::to_string(ctx.outputs.size()) + " and " + std::to_string(ctx.num_inputs() - 1));
    }
  }
  for (size_t i = 0; i < ctx.outputs.size(); ++i) {
    const ir::TensorType& t = then_branch->value(then_branch->outputs[i]).type;
    const ir::TensorType& e = else_branch->value(else_branch->outputs[i]).type;
    if (t.dtype != e.dtype && t.dtype != DataType::kUndefined && e.dtype != DataType::kUndefined) {
      return ctx.Invalid("output " + std::to_string(i) + " is " + DataTypeName(t.dtype) +
                         " in then_branch and " + DataTypeName(e.dtype) + " in else_branch");
    }
    ctx.outputs[i] = Merge(t.dtype == DataType::kUndefined ? e : t, t.dtype == DataType::kUndefined ? t : e);
  }
  return Status::Ok();
}

}  // namespace qforge::ops::control_flow
