// LSTM, GRU and RNN in float through XNNPACK's fully connected operator.
//
// Per direction, the input projection of every time step is one GEMM
// (X [seq*batch, input] x W^T + bias), then each step runs the recurrent
// GEMM h x R^T on the batch's states and applies the gates in float. The
// biases that are plain addends of a gate's pre-activation (all of Wb, and
// Rb but for GRU's h gate with linear_before_reset, where r multiplies it)
// fold into the input GEMM's bias. Sums are in float (the reference sums in
// double): the outputs, of magnitude <= 1 (they are tanh/sigmoid products),
// agree to about 1e-6.
//
// Taken: the attributes real exports use (any direction and layout,
// initial_h / initial_c, default activations, RNN Tanh or Relu, GRU either
// linear_before_reset, sequence_lens absent or constant and all equal to
// seq). Peepholes, clip, input_forget, other activations, ragged or
// run-time sequence_lens leave the node to the reference kernel.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/xnnpack/xnn_common.h"
#include "kernels/xnnpack/xnn_kernels.h"
#include "ops/recurrent_attrs.h"

namespace qforge::kernels::xnn {

namespace {

using ops::RnnActivationKind;

using KernelPtr = std::unique_ptr<opt::PreparedKernel>;

// Floats rounded up to 64 bytes, so each workspace buffer stays aligned.
size_t Aligned(int64_t floats) { return (static_cast<size_t>(floats) + 15) / 16 * 16; }

// y[rows, n] = x[rows, k] w^T + b for w [n, k] (ONNX's W and R row layout).
Operator MakeFullyConnected(int64_t k, int64_t n, const float* w, const float* b) {
  xnn_operator_t op = nullptr;
  const xnn_status s = xnn_create_fully_connected_nc_f32(static_cast<size_t>(k), static_cast<size_t>(n),
                                                         static_cast<size_t>(k), static_cast<size_t>(n), w, b,
                                                         -INFINITY, INFINITY, 0, &op);
  return Operator(s == xnn_status_success ? op : nullptr);
}

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// One direction's packed weights. `recurrent` covers the rows of R applied
// to h: all of them, but for GRU without linear_before_reset only z and r,
// its h gate then applying `candidate` (R's h rows) to r (.) h.
struct Direction {
  Operator input;
  Operator recurrent;
  Operator candidate;
  bool relu = false;  // RNN: Relu instead of Tanh
};

class RecurrentKernel final : public opt::PreparedKernel {
 public:
  RecurrentKernel(OpKind op, const ops::RecurrentAttrs& a, int64_t hidden, int64_t input, bool owns)
      : op_(op), a_(a), hidden_(hidden), input_(input), owns_(owns) {}

  std::vector<Direction>& dirs() { return dirs_; }
  // seq and batch of input dims `x`; false when the input size changed.
  bool SetDims(const std::vector<int64_t>& x) {
    if (x.size() != 3 || x[2] != input_) return false;
    seq_ = x[a_.layout == 0 ? 0 : 1];
    batch_ = x[a_.layout == 0 ? 1 : 0];
    return true;
  }

  std::string name() const override {
    return std::string(op_ == OpKind::kLSTM ? "lstm" : op_ == OpKind::kGRU ? "gru" : "rnn") + "_f32_xnnpack";
  }
  bool owns_weights() const override { return owns_; }
  bool Reshape(const opt::NodeInfo& info) override { return SetDims(info.in(0).dims); }
  size_t workspace_bytes() const override {
    return (Aligned(seq_ * batch_ * GateRows()) + Aligned(batch_ * GateRows()) +
            4 * Aligned(batch_ * hidden_)) *
           sizeof(float);
  }

  Status Run(KernelContext& ctx, const opt::RunResources& res) override {
    float* ws = static_cast<float*>(res.workspace);
    Buffers buf;
    buf.xw = ws;
    buf.hr = buf.xw + Aligned(seq_ * batch_ * GateRows());
    buf.h = buf.hr + Aligned(batch_ * GateRows());
    buf.c = buf.h + Aligned(batch_ * hidden_);
    buf.rh = buf.c + Aligned(batch_ * hidden_);
    buf.rh_r = buf.rh + Aligned(batch_ * hidden_);
    for (int64_t d = 0; d < a_.num_directions; ++d) QF_RETURN_IF_ERROR(RunDirection(ctx, res.pool, d, buf));
    return Status::Ok();
  }

 private:
  struct Buffers {
    float *xw, *hr, *h, *c, *rh, *rh_r;  // rh_r: GRU's (r (.) h) R_h^T
  };

  int64_t GateRows() const { return a_.gates * hidden_; }
  // Rows of R in the per-step GEMM on h (GRU without linear_before_reset
  // leaves out the h gate).
  int64_t RecurrentRows() const {
    return op_ == OpKind::kGRU && !a_.linear_before_reset ? 2 * hidden_ : GateRows();
  }
  int64_t StateIndex(int64_t d, int64_t b) const {
    return (a_.layout == 0 ? d * batch_ + b : b * a_.num_directions + d) * hidden_;
  }

  static Status Gemm(KernelContext& ctx, pthreadpool_t pool, const Operator& op, int64_t rows, const float* x,
                     float* y) {
    xnn_status s = xnn_setup_fully_connected_nc_f32(op.get(), static_cast<size_t>(rows), x, y, pool);
    if (s == xnn_status_success) s = xnn_run_operator(op.get(), pool);
    return s == xnn_status_success ? Status::Ok() : Failed(ctx, "xnn_fully_connected_nc_f32", s);
  }

  Status RunDirection(KernelContext& ctx, pthreadpool_t pool, int64_t d, const Buffers& buf) {
    const Direction& dir = dirs_[static_cast<size_t>(d)];
    const int64_t h_n = hidden_, n = batch_ * hidden_;
    // X rows are (t, b) in layout 0 and (b, t) in layout 1: so are those of xw.
    if (seq_ * batch_ > 0)
      QF_RETURN_IF_ERROR(Gemm(ctx, pool, dir.input, seq_ * batch_, ctx.in(0).data<float>(), buf.xw));
    const float* init_h = ctx.has_in(5) ? ctx.in(5).data<float>() : nullptr;
    const float* init_c = ctx.has_in(6) ? ctx.in(6).data<float>() : nullptr;
    for (int64_t b = 0; b < batch_; ++b) {
      const int64_t s0 = StateIndex(d, b);
      for (int64_t j = 0; j < h_n; ++j) {
        buf.h[b * h_n + j] = init_h ? init_h[s0 + j] : 0.0f;
        buf.c[b * h_n + j] = init_c ? init_c[s0 + j] : 0.0f;
      }
    }
    auto output = [&](size_t o) {
      return o < ctx.outputs.size() && ctx.outputs[o] ? ctx.outputs[o]->data<float>() : nullptr;
    };
    float* y = output(0);
    const bool reverse = a_.direction == ops::RnnDirection::kReverse || d == 1;
    const int64_t rr = RecurrentRows();
    for (int64_t s = 0; s < seq_ && batch_ > 0; ++s) {
      const int64_t t = reverse ? seq_ - 1 - s : s;
      QF_RETURN_IF_ERROR(Gemm(ctx, pool, dir.recurrent, batch_, buf.h, buf.hr));
      if (dir.candidate) {
        // GRU, linear_before_reset = 0: h gate on (r (.) h) R_h^T.
        for (int64_t i = 0; i < n; ++i)
          buf.rh[i] =
              Sigmoid(XW(buf, t, i / h_n)[h_n + i % h_n] + buf.hr[i / h_n * rr + h_n + i % h_n]) * buf.h[i];
        QF_RETURN_IF_ERROR(Gemm(ctx, pool, dir.candidate, batch_, buf.rh, buf.rh_r));
      }
      for (int64_t b = 0; b < batch_; ++b) {
        const float* x = XW(buf, t, b);
        const float* r = buf.hr + b * rr;
        float* h = buf.h + b * h_n;
        float* c = buf.c + b * h_n;
        for (int64_t j = 0; j < h_n; ++j) Gates(dir, x, r, buf.rh_r + b * h_n, j, &h[j], &c[j]);
        if (y != nullptr) {
          const int64_t yi = a_.layout == 0 ? ((t * a_.num_directions + d) * batch_ + b) * h_n
                                            : ((b * seq_ + t) * a_.num_directions + d) * h_n;
          std::copy(h, h + h_n, y + yi);
        }
      }
    }
    for (int64_t b = 0; b < batch_; ++b) {
      const int64_t s0 = StateIndex(d, b);
      if (float* y_h = output(1)) std::copy(buf.h + b * h_n, buf.h + (b + 1) * h_n, y_h + s0);
      if (float* y_c = output(2)) std::copy(buf.c + b * h_n, buf.c + (b + 1) * h_n, y_c + s0);
    }
    return Status::Ok();
  }

  // The input projection of step t, batch row b.
  const float* XW(const Buffers& buf, int64_t t, int64_t b) const {
    return buf.xw + (a_.layout == 0 ? t * batch_ + b : b * seq_ + t) * GateRows();
  }

  // Unit j of one step: x the input projection (biases folded), r the
  // recurrent GEMM's row, rh GRU's (r (.) h) R_h^T when computed apart.
  void Gates(const Direction& dir, const float* x, const float* r, const float* rh, int64_t j, float* h,
             float* c) const {
    const int64_t n = hidden_;
    if (op_ == OpKind::kRNN) {
      const float v = x[j] + r[j];
      *h = dir.relu ? std::max(v, 0.0f) : std::tanh(v);
    } else if (op_ == OpKind::kGRU) {
      const float z = Sigmoid(x[j] + r[j]);
      const float cand = dir.candidate
                             ? std::tanh(x[2 * n + j] + rh[j])
                             : std::tanh(x[2 * n + j] + Sigmoid(x[n + j] + r[n + j]) * r[2 * n + j]);
      *h = (1.0f - z) * cand + z * *h;
    } else {  // LSTM: gates i o f c
      const float i = Sigmoid(x[j] + r[j]);
      const float o = Sigmoid(x[n + j] + r[n + j]);
      const float f = Sigmoid(x[2 * n + j] + r[2 * n + j]);
      *c = f * *c + i * std::tanh(x[3 * n + j] + r[3 * n + j]);
      *h = o * std::tanh(*c);
    }
  }

  OpKind op_;
  ops::RecurrentAttrs a_;
  int64_t hidden_, input_;
  bool owns_;
  int64_t seq_ = 0, batch_ = 0;
  std::vector<Direction> dirs_;
};

// The default activations (RNN: Tanh or Relu per direction).
bool DefaultActivations(OpKind op, const ops::RecurrentAttrs& a) {
  for (int d = 0; d < a.num_directions; ++d) {
    const RnnActivationKind f = a.act(d, 0).kind;
    if (op == OpKind::kRNN) {
      if (f != RnnActivationKind::kTanh && f != RnnActivationKind::kRelu) return false;
      continue;
    }
    if (f != RnnActivationKind::kSigmoid || a.act(d, 1).kind != RnnActivationKind::kTanh) return false;
    if (op == OpKind::kLSTM && a.act(d, 2).kind != RnnActivationKind::kTanh) return false;
  }
  return true;
}

// sequence_lens absent, or constant and every row the full sequence.
bool FullSequences(const opt::NodeInfo& info, int64_t seq) {
  if (!info.has_in(4)) return true;
  const Tensor* lens = info.constant(4);
  if (lens == nullptr || lens->dtype() != DataType::kInt32) return false;
  const auto v = lens->span<const int32_t>();
  return std::all_of(v.begin(), v.end(), [&](int32_t l) { return l == seq; });
}

bool FloatConstant(const opt::NodeInfo& info, size_t i) {
  const Tensor* t = info.constant(i);
  return t != nullptr && t->dtype() == DataType::kFloat32;
}

}  // namespace

Result<std::unique_ptr<opt::PreparedKernel>> CreateRecurrent(const opt::NodeInfo& info) {
  const OpKind op = info.node->op;
  if ((op != OpKind::kLSTM && op != OpKind::kGRU && op != OpKind::kRNN) || !Available()) return KernelPtr();
  if (!info.has_in(0) || info.in(0).dtype != DataType::kFloat32 || info.in(0).dims.size() != 3)
    return KernelPtr();
  if (!FloatConstant(info, 1) || !FloatConstant(info, 2) || (info.has_in(3) && !FloatConstant(info, 3)))
    return KernelPtr();
  if (info.has_in(7)) return KernelPtr();  // peepholes
  ops::RecurrentAttrs a;
  if (!ops::ParseRecurrentAttrs(op, info.node->attrs, &a).ok()) return KernelPtr();
  if (a.has_clip || a.input_forget || !DefaultActivations(op, a)) return KernelPtr();
  const Tensor& w = *info.constant(1);
  const Tensor& r = *info.constant(2);
  const int64_t dirs = a.num_directions, hidden = r.rank() == 3 ? r.dim(2) : 0;
  const int64_t input = info.in(0).dims[2], gr = a.gates * hidden;
  if (hidden <= 0 || w.dims() != std::vector<int64_t>{dirs, gr, input} ||
      r.dims() != std::vector<int64_t>{dirs, gr, hidden})
    return KernelPtr();
  const Tensor* bias = info.has_in(3) ? info.constant(3) : nullptr;
  if (bias != nullptr && bias->dims() != std::vector<int64_t>{dirs, 2 * gr}) return KernelPtr();
  if (!FullSequences(info, info.in(0).dims[a.layout == 0 ? 0 : 1])) return KernelPtr();

  auto k = std::make_unique<RecurrentKernel>(op, a, hidden, input, !info.has_in(4));
  if (!k->SetDims(info.in(0).dims)) return KernelPtr();
  const bool gru_split = op == OpKind::kGRU && !a.linear_before_reset;
  for (int64_t d = 0; d < dirs; ++d) {
    // Wb + Rb into the input GEMM, except GRU linear_before_reset's Rb,
    // which the recurrent GEMM adds inside r (.) (h R_h^T + Rb_h).
    std::vector<float> in_bias(static_cast<size_t>(gr), 0.0f), rec_bias(static_cast<size_t>(gr), 0.0f);
    if (bias != nullptr) {
      const float* wb = bias->data<float>() + d * 2 * gr;
      const float* rb = wb + gr;
      for (int64_t i = 0; i < gr; ++i) {
        in_bias[static_cast<size_t>(i)] = wb[i];
        if (op == OpKind::kGRU && a.linear_before_reset) {
          rec_bias[static_cast<size_t>(i)] = rb[i];
        } else {
          in_bias[static_cast<size_t>(i)] += rb[i];
        }
      }
    }
    const float* rd = r.data<float>() + d * gr * hidden;
    Direction dir;
    dir.input = MakeFullyConnected(input, gr, w.data<float>() + d * gr * input, in_bias.data());
    dir.recurrent = MakeFullyConnected(hidden, gru_split ? 2 * hidden : gr, rd, rec_bias.data());
    if (gru_split) dir.candidate = MakeFullyConnected(hidden, hidden, rd + 2 * hidden * hidden, nullptr);
    dir.relu = op == OpKind::kRNN && a.act(static_cast<int>(d), 0).kind == RnnActivationKind::kRelu;
    if (!dir.input || !dir.recurrent || (gru_split && !dir.candidate)) return KernelPtr();
    k->dirs().push_back(std::move(dir));
  }
  return KernelPtr(std::move(k));
}

}  // namespace qforge::kernels::xnn
