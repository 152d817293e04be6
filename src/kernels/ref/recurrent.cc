// Reference RNN, GRU and LSTM: the ONNX equations written out per batch row
// and time step, accumulated in double. Gate order in W, R and B is the
// ONNX one (GRU z r h, LSTM i o f c; P is i o f). A batch row with
// sequence_lens = L runs L steps (the reverse direction from step L-1 down
// to 0); its Y rows past L are zero and Y_h/Y_c hold the state after the
// last step it ran.
#include <algorithm>
#include <vector>

#include "kernels/kernel.h"
#include "ops/recurrent_attrs.h"

namespace qforge::kernels::ref::recurrent {

namespace {

using ops::RecurrentAttrs;

// The node's tensors and sizes, shared by the per-row loops.
template <typename T>
struct Problem {
  RecurrentAttrs a;
  OpKind op = OpKind::kRNN;
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
  const T* x = nullptr;
  const T* w = nullptr;  // [dirs, G*hidden, input]
  const T* r = nullptr;  // [dirs, G*hidden, hidden]
  const T* b = nullptr;  // [dirs, 2*G*hidden] or nullptr
  const int32_t* seq_lens = nullptr;
  const T* initial_h = nullptr;
  const T* initial_c = nullptr;
  const T* p = nullptr;  // [dirs, 3*hidden] or nullptr
  T* y = nullptr;
  T* y_h = nullptr;
  T* y_c = nullptr;

  int64_t XIndex(int64_t t, int64_t row) const {
    return (a.layout == 0 ? t * batch + row : row * seq + t) * input;
  }
  int64_t YIndex(int64_t t, int64_t d, int64_t row) const {
    return (a.layout == 0 ? (t * dirs + d) * batch + row : (row * seq + t) * dirs + d) * hidden;
  }
  int64_t StateIndex(int64_t d, int64_t row) const {
    return (a.layout == 0 ? d * batch + row : row * dirs + d) * hidden;
  }
  double Clip(double v) const { return a.has_clip ? std::clamp(v, -double{a.clip}, double{a.clip}) : v; }
};

// h . R[row] + Rb[row] for row gate*hidden + j of direction d: the
// recurrent product of one gate unit, on the state (or GRU's r (.) h) `v`.
template <typename T>
double RecurrentRow(const Problem<T>& pb, int64_t d, int gate, int64_t j, const std::vector<double>& v) {
  const int64_t gh = pb.a.gates * pb.hidden;
  const int64_t row = gate * pb.hidden + j;
  double acc = pb.b ? static_cast<double>(pb.b[d * 2 * gh + gh + row]) : 0.0;
  const T* rr = pb.r + (d * gh + row) * pb.hidden;
  for (int64_t k = 0; k < pb.hidden; ++k) acc += v[static_cast<size_t>(k)] * rr[k];
  return acc;
}

// out[j] = Wb[row] + x . W[row] (+ RecurrentRow when `with_r`) for the
// `hidden` units of gate `gate` of direction d. GRU's h gate leaves the
// recurrent part out and adds it itself (after or before the reset gate).
template <typename T>
void GatePreactivation(const Problem<T>& pb, int64_t d, int gate, const T* xt, const std::vector<double>& h,
                       bool with_r, std::vector<double>* out) {
  const int64_t gh = pb.a.gates * pb.hidden;
  for (int64_t j = 0; j < pb.hidden; ++j) {
    const int64_t row = gate * pb.hidden + j;
    double acc = pb.b ? static_cast<double>(pb.b[d * 2 * gh + row]) : 0.0;
    const T* wr = pb.w + (d * gh + row) * pb.input;
    for (int64_t k = 0; k < pb.input; ++k) acc += static_cast<double>(xt[k]) * wr[k];
    if (with_r) acc += RecurrentRow(pb, d, gate, j, h);
    (*out)[static_cast<size_t>(j)] = acc;
  }
}

// One time step of direction d for one batch row: updates h (and c).
template <typename T>
void Step(const Problem<T>& pb, int64_t d, const T* xt, std::vector<double>& h, std::vector<double>& c) {
  const size_t n = static_cast<size_t>(pb.hidden);
  const auto& f = pb.a.act(static_cast<int>(d), 0);
  std::vector<double> g0(n), g1(n), g2(n), g3(n);
  if (pb.op == OpKind::kRNN) {
    GatePreactivation(pb, d, 0, xt, h, true, &g0);
    for (size_t j = 0; j < n; ++j) h[j] = ops::ApplyRnnActivation(f, pb.Clip(g0[j]));
    return;
  }
  const auto& g = pb.a.act(static_cast<int>(d), 1);
  if (pb.op == OpKind::kGRU) {
    GatePreactivation(pb, d, 0, xt, h, true, &g0);   // z
    GatePreactivation(pb, d, 1, xt, h, true, &g1);   // r
    GatePreactivation(pb, d, 2, xt, h, false, &g2);  // h: input part only
    std::vector<double> z(n), rh(n);
    for (size_t j = 0; j < n; ++j) {
      z[j] = ops::ApplyRnnActivation(f, pb.Clip(g0[j]));
      const double r = ops::ApplyRnnActivation(f, pb.Clip(g1[j]));
      g1[j] = r;
      rh[j] = r * h[j];
    }
    for (size_t j = 0; j < n; ++j) {
      const int64_t jj = static_cast<int64_t>(j);
      const double rec =
          pb.a.linear_before_reset ? g1[j] * RecurrentRow(pb, d, 2, jj, h) : RecurrentRow(pb, d, 2, jj, rh);
      g2[j] = ops::ApplyRnnActivation(g, pb.Clip(g2[j] + rec));
    }
    for (size_t j = 0; j < n; ++j) h[j] = (1.0 - z[j]) * g2[j] + z[j] * h[j];
    return;
  }
  // LSTM: gates i o f c; peepholes P = [Pi, Po, Pf].
  const auto& act_h = pb.a.act(static_cast<int>(d), 2);
  for (int gate = 0; gate < 4; ++gate) {
    GatePreactivation(pb, d, gate, xt, h, true, gate == 0 ? &g0 : gate == 1 ? &g1 : gate == 2 ? &g2 : &g3);
  }
  const T* p = pb.p ? pb.p + d * 3 * pb.hidden : nullptr;
  for (size_t j = 0; j < n; ++j) {
    const double i = ops::ApplyRnnActivation(f, pb.Clip(g0[j] + (p ? p[j] * c[j] : 0.0)));
    const double fg = pb.a.input_forget
                          ? 1.0 - i
                          : ops::ApplyRnnActivation(f, pb.Clip(g2[j] + (p ? p[2 * n + j] * c[j] : 0.0)));
    const double cand = ops::ApplyRnnActivation(g, pb.Clip(g3[j]));
    c[j] = fg * c[j] + i * cand;
    const double o = ops::ApplyRnnActivation(f, pb.Clip(g1[j] + (p ? p[n + j] * c[j] : 0.0)));
    h[j] = o * ops::ApplyRnnActivation(act_h, c[j]);
  }
}

template <typename T>
Status RunRows(KernelContext& ctx, Problem<T>& pb) {
  const size_t n = static_cast<size_t>(pb.hidden);
  for (int64_t row = 0; row < pb.batch; ++row) {
    const int64_t len = pb.seq_lens ? pb.seq_lens[row] : pb.seq;
    if (len < 0 || len > pb.seq) {
      return ctx.Error("sequence_lens[" + std::to_string(row) + "] = " + std::to_string(len) +
                       " is outside [0, " + std::to_string(pb.seq) + "]");
    }
    for (int64_t d = 0; d < pb.dirs; ++d) {
      const bool reverse = pb.a.direction == ops::RnnDirection::kReverse || d == 1;
      std::vector<double> h(n, 0.0), c(n, 0.0);
      const int64_t s0 = pb.StateIndex(d, row);
      for (size_t j = 0; j < n; ++j) {
        if (pb.initial_h) h[j] = pb.initial_h[s0 + static_cast<int64_t>(j)];
        if (pb.initial_c) c[j] = pb.initial_c[s0 + static_cast<int64_t>(j)];
      }
      for (int64_t s = 0; s < pb.seq; ++s) {
        const int64_t t = reverse ? len - 1 - s : s;
        if (s < len) Step(pb, d, pb.x + pb.XIndex(t, row), h, c);
        if (pb.y == nullptr) continue;
        T* yt = pb.y + pb.YIndex(s < len ? t : s, d, row);
        for (size_t j = 0; j < n; ++j) yt[j] = s < len ? static_cast<T>(h[j]) : T{0};
      }
      for (size_t j = 0; j < n; ++j) {
        if (pb.y_h) pb.y_h[s0 + static_cast<int64_t>(j)] = static_cast<T>(h[j]);
        if (pb.y_c) pb.y_c[s0 + static_cast<int64_t>(j)] = static_cast<T>(c[j]);
      }
    }
  }
  return Status::Ok();
}

template <typename T>
Status RunTyped(KernelContext& ctx) {
  Problem<T> pb;
  pb.op = ctx.node->op;
  QF_RETURN_IF_ERROR(ops::ParseRecurrentAttrs(pb.op, ctx.attrs(), &pb.a));
  const Tensor& x = ctx.in(0);
  pb.seq = x.dim(pb.a.layout == 0 ? 0 : 1);
  pb.batch = x.dim(pb.a.layout == 0 ? 1 : 0);
  pb.input = x.dim(2);
  pb.dirs = pb.a.num_directions;
  pb.hidden = ctx.in(2).dim(2);
  pb.x = x.data<T>();
  pb.w = ctx.in(1).data<T>();
  pb.r = ctx.in(2).data<T>();
  auto optional = [&](size_t i) { return ctx.has_in(i) ? ctx.in(i).data<T>() : nullptr; };
  pb.b = optional(3);
  pb.seq_lens = ctx.has_in(4) ? ctx.in(4).data<int32_t>() : nullptr;
  pb.initial_h = optional(5);
  pb.initial_c = optional(6);
  pb.p = optional(7);
  auto output = [&](size_t o) {
    return o < ctx.outputs.size() && ctx.outputs[o] ? ctx.outputs[o]->data<T>() : nullptr;
  };
  pb.y = output(0);
  pb.y_h = output(1);
  pb.y_c = output(2);
  return RunRows(ctx, pb);
}

}  // namespace

Status Run(KernelContext& ctx) {
  if (ctx.in(0).dtype() == DataType::kFloat64) return RunTyped<double>(ctx);
  return RunTyped<float>(ctx);
}

}  // namespace qforge::kernels::ref::recurrent
