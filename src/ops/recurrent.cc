// RNN, GRU and LSTM: attribute checks (ops/recurrent_attrs.h) and shape
// inference. The sequence length and batch come from X and may be dynamic;
// hidden_size comes from the attribute, else from R.
#include "ops/conv_attrs.h"
#include "ops/infer.h"
#include "ops/recurrent_attrs.h"

namespace qforge::ops::recurrent {

namespace {

constexpr size_t kX = 0, kW = 1, kR = 2, kB = 3, kSeqLens = 4, kInitialH = 5, kInitialC = 6, kP = 7;

// Dims of input `i`, or `rank` dynamic dims when its rank is unknown; an
// error when its known rank is not `rank`.
Status DimsOf(const InferContext& ctx, size_t i, const char* name, int rank, std::vector<int64_t>* dims) {
  const ir::TensorType& t = ctx.input(i);
  if (!t.rank_known) {
    dims->assign(static_cast<size_t>(rank), ir::kDynamicDim);
    return Status::Ok();
  }
  if (t.rank() != rank) {
    return ctx.Invalid(std::string(name) + " " + DimsToString(t.dims) + " must have rank " +
                       std::to_string(rank));
  }
  *dims = t.dims;
  return Status::Ok();
}

// Both known and different: the model is invalid.
bool Conflict(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

// The known one of two dims, else dynamic.
int64_t Merge(int64_t a, int64_t b) { return a >= 0 ? a : b; }

Status CheckDims(const InferContext& ctx, const char* name, const std::vector<int64_t>& got,
                 const std::vector<int64_t>& want) {
  for (size_t i = 0; i < got.size(); ++i) {
    if (Conflict(got[i], want[i])) {
      return ctx.Invalid(std::string(name) + " " + DimsToString(got) + " must be " + DimsToString(want));
    }
  }
  return Status::Ok();
}

}  // namespace

Status Infer(InferContext& ctx) {
  RecurrentAttrs a;
  QF_RETURN_IF_ERROR(WithNode(ctx, ParseRecurrentAttrs(ctx.node->op, ctx.attrs(), &a)));
  QF_RETURN_IF_ERROR(RequireDtype(ctx, kX, {DataType::kFloat32, DataType::kFloat64}));
  const DataType dtype = ctx.input(kX).dtype;
  for (size_t i : {kW, kR, kB, kInitialH, kInitialC, kP}) {
    if (ctx.has_input(i)) QF_RETURN_IF_ERROR(RequireDtype(ctx, i, {dtype}));
  }
  if (ctx.has_input(kSeqLens)) QF_RETURN_IF_ERROR(RequireDtype(ctx, kSeqLens, {DataType::kInt32}));
  if (!ctx.has_input(kW) || !ctx.has_input(kR)) return ctx.Invalid("inputs W and R are required");

  std::vector<int64_t> x, w, r;
  QF_RETURN_IF_ERROR(DimsOf(ctx, kX, "X", 3, &x));
  QF_RETURN_IF_ERROR(DimsOf(ctx, kW, "W", 3, &w));
  QF_RETURN_IF_ERROR(DimsOf(ctx, kR, "R", 3, &r));
  const int64_t seq = x[a.layout == 0 ? 0 : 1];
  const int64_t batch = x[a.layout == 0 ? 1 : 0];
  const int64_t dirs = a.num_directions;
  const int64_t hidden = a.hidden_size >= 0 ? a.hidden_size : r[2];
  const int64_t gated = hidden >= 0 ? a.gates * hidden : ir::kDynamicDim;
  QF_RETURN_IF_ERROR(CheckDims(ctx, "W", w, {dirs, gated, x[2]}));
  QF_RETURN_IF_ERROR(CheckDims(ctx, "R", r, {dirs, gated, hidden}));
  if (ctx.has_input(kB)) {
    std::vector<int64_t> b;
    QF_RETURN_IF_ERROR(DimsOf(ctx, kB, "B", 2, &b));
    QF_RETURN_IF_ERROR(CheckDims(ctx, "B", b, {dirs, gated >= 0 ? 2 * gated : ir::kDynamicDim}));
  }
  if (ctx.has_input(kSeqLens)) {
    std::vector<int64_t> s;
    QF_RETURN_IF_ERROR(DimsOf(ctx, kSeqLens, "sequence_lens", 1, &s));
    QF_RETURN_IF_ERROR(CheckDims(ctx, "sequence_lens", s, {batch}));
  }
  const std::vector<int64_t> state =
      a.layout == 0 ? std::vector<int64_t>{dirs, batch, hidden} : std::vector<int64_t>{batch, dirs, hidden};
  for (size_t i : {kInitialH, kInitialC}) {
    if (!ctx.has_input(i)) continue;
    std::vector<int64_t> s;
    const char* name = i == kInitialH ? "initial_h" : "initial_c";
    QF_RETURN_IF_ERROR(DimsOf(ctx, i, name, 3, &s));
    QF_RETURN_IF_ERROR(CheckDims(ctx, name, s, state));
  }
  if (ctx.has_input(kP)) {
    std::vector<int64_t> p;
    QF_RETURN_IF_ERROR(DimsOf(ctx, kP, "P", 2, &p));
    QF_RETURN_IF_ERROR(CheckDims(ctx, "P", p, {dirs, hidden >= 0 ? 3 * hidden : ir::kDynamicDim}));
  }
  // A dynamic hidden size may still be known from W.
  const int64_t h = Merge(hidden, w[1] >= 0 ? w[1] / a.gates : ir::kDynamicDim);
  ctx.outputs[0] = MakeType(dtype, a.layout == 0 ? std::vector<int64_t>{seq, dirs, batch, h}
                                                 : std::vector<int64_t>{batch, seq, dirs, h});
  for (size_t o = 1; o < ctx.outputs.size(); ++o) {
    ctx.outputs[o] = MakeType(
        dtype, a.layout == 0 ? std::vector<int64_t>{dirs, batch, h} : std::vector<int64_t>{batch, dirs, h});
  }
  return Status::Ok();
}

}  // namespace qforge::ops::recurrent
