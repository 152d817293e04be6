#include "passes/infer_types.h"

#include <utility>

#include "ops/infer.h"

namespace qforge::passes {

Status InferTypes(ir::Graph* graph, bool strict) {
  ir::Graph& g = *graph;
  for (const ir::Node& node : g.nodes) {
    if (node.removed) continue;
    ops::InferContext ctx;
    ctx.graph = &g;
    ctx.node = &node;
    for (ir::ValueId in : node.inputs) {
      ctx.inputs.push_back(in == ir::kNoValue ? nullptr : &g.value(in).type);
      ctx.values.push_back(in == ir::kNoValue ? nullptr : g.value(in).constant.get());
    }
    ctx.outputs.resize(node.outputs.size());
    QF_RETURN_IF_ERROR(ops::InferNode(ctx));
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i] == ir::kNoValue) continue;
      ir::TensorType& have = g.value(node.outputs[i]).type;
      ir::TensorType& got = ctx.outputs[i];
      if (strict && have.dtype != DataType::kUndefined && got.dtype != have.dtype) {
        return Internal(g.Describe(node) + ": output '" + g.value(node.outputs[i]).name + "' is declared " +
                        DataTypeName(have.dtype) + " but the op computes " + DataTypeName(got.dtype));
      }
      if (strict && !got.quant.empty()) have.quant = got.quant;
      if (have.dtype == DataType::kUndefined || !have.rank_known) {
        got.layout = have.layout;
        if (!have.rank_known && have.dtype != DataType::kUndefined && got.dtype == DataType::kUndefined) {
          got.dtype = have.dtype;
        }
        have = std::move(got);
      } else if (got.rank_known && got.rank() == have.rank()) {
        for (size_t d = 0; d < have.dims.size(); ++d) {
          if (have.dims[d] < 0 && got.dims[d] >= 0) have.dims[d] = got.dims[d];
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace qforge::passes
