#include "ops/infer.h"

#include <array>

namespace qforge::ops {

namespace {
constexpr std::array<InferFn, static_cast<size_t>(OpKind::kCount)> kInferFns = {{
#define QF_OP(kind, onnx, tfl, family, min_in, max_in, min_out, max_out) &family::Infer,
#include "ir/ops.def"
#undef QF_OP
}};
}  // namespace

Status InferContext::Invalid(const std::string& msg) const {
  return InvalidModel(graph->Describe(*node) + ": " + msg);
}

Status InferContext::Unsupported(const std::string& msg) const {
  return qforge::Unsupported(graph->Describe(*node) + ": " + msg);
}

Status InferNode(InferContext& ctx) {
  ctx.outputs.assign(ctx.node->outputs.size(), ir::TensorType{});
  QF_RETURN_IF_ERROR(kInferFns[static_cast<size_t>(ctx.node->op)](ctx));
  // An integer op's output (S, Z) is a decision of the quantizer (or of the
  // QDQ file read), not a function of its inputs: where the family leaves
  // it open, the value's declared parameters stand.
  for (size_t o = 0; o < ctx.outputs.size(); ++o) {
    const ir::ValueId id = ctx.node->outputs[o];
    if (id == ir::kNoValue || ctx.graph == nullptr) continue;
    const ir::TensorType& declared = ctx.graph->value(id).type;
    ir::TensorType& out = ctx.outputs[o];
    if (out.quant.empty() && !declared.quant.empty() && out.dtype == declared.dtype)
      out.quant = declared.quant;
  }
  return Status::Ok();
}

Status NormalizeAxis(const InferContext& ctx, int64_t axis, int rank, int* out) {
  if (axis < -rank || axis >= rank) {
    return ctx.Invalid("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  }
  *out = static_cast<int>(axis < 0 ? axis + rank : axis);
  return Status::Ok();
}

Status BroadcastShapes(const InferContext& ctx, const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                       std::vector<int64_t>* out) {
  const size_t rank = std::max(a.size(), b.size());
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1) {
      (*out)[i] = db;
    } else if (db == 1) {
      (*out)[i] = da;
    } else if (da == db) {
      (*out)[i] = da;
    } else if (da < 0 || db < 0) {
      (*out)[i] = da < 0 ? db : da;  // a dynamic dim must equal the other one
    } else {
      return ctx.Invalid("shapes " + DimsToString(a) + " and " + DimsToString(b) + " cannot be broadcast");
    }
  }
  return Status::Ok();
}

std::vector<int64_t> ReadInts(const Tensor& t) {
  std::vector<int64_t> v;
  const int64_t n = t.num_elements();
  v.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    v.push_back(t.dtype() == DataType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i]);
  }
  return v;
}

ir::TensorType MakeType(DataType dtype, std::vector<int64_t> dims) {
  ir::TensorType t;
  t.dtype = dtype;
  t.rank_known = true;
  t.dims = std::move(dims);
  return t;
}

Status RequireDtype(const InferContext& ctx, size_t input, std::initializer_list<DataType> allowed) {
  DataType d = ctx.input(input).dtype;
  for (DataType a : allowed) {
    if (d == a) return Status::Ok();
  }
  return ctx.Unsupported(std::string("input ") + std::to_string(input) + " has dtype " + DataTypeName(d) +
                         ", which this op does not support");
}

bool IsQuantized8(const ir::TensorType& t) {
  return !t.quant.empty() && (t.dtype == DataType::kInt8 || t.dtype == DataType::kUInt8);
}

Status KeepInputQuant(InferContext& ctx) {
  const ir::TensorType& x = ctx.input(0);
  const std::string op(OpName(ctx.node->op));
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    if (ctx.has_input(i) && ctx.input(i).quant != x.quant) {
      return ctx.Invalid("input " + std::to_string(i) + " has other quantization parameters than input 0; " +
                         op + " compares codes of one scale and zero point");
    }
  }
  if (!IsQuantized8(x)) return Status::Ok();
  ctx.outputs[0].quant = x.quant;
  if (ctx.graph == nullptr || ctx.node->outputs[0] == ir::kNoValue) return Status::Ok();
  const ir::TensorType& declared = ctx.graph->value(ctx.node->outputs[0]).type;
  if (!declared.quant.empty() && declared.dtype == x.dtype && declared.quant != x.quant) {
    const bool several = ctx.num_inputs() > 1;
    return ctx.Invalid(std::string("declared output quantization parameters differ from the ") +
                       (several ? "inputs'" : "input's") + "; " + op + " keeps its " +
                       (several ? "inputs'" : "input's") + " scale and zero point");
  }
  return Status::Ok();
}

}  // namespace qforge::ops
