#include "passes/fold_batchnorm.h"

#include <cmath>
#include <optional>
#include <vector>

#include "ops/op_table.h"
#include "passes/pass_util.h"
#include "qscheme/fused_activation.h"

namespace qforge::passes {

namespace {

// The BN as y = x * scale[c] + shift[c].
struct ChannelAffine {
  std::vector<double> scale;
  std::vector<double> shift;
};

std::optional<ChannelAffine> ReadBatchNorm(const ir::Graph& g, const ir::Node& bn) {
  // Opset < 9 BN with spatial = 0 normalizes per element, not per channel.
  if (bn.attrs.GetInt("spatial", 1) != 1 || bn.attrs.GetInt("training_mode", 0) != 0) return std::nullopt;
  if (bn.inputs.size() != 5 || bn.outputs.size() != 1) return std::nullopt;
  const Tensor* gamma = FloatConstant(g, bn.inputs[1]);
  const Tensor* beta = FloatConstant(g, bn.inputs[2]);
  const Tensor* mean = FloatConstant(g, bn.inputs[3]);
  const Tensor* var = FloatConstant(g, bn.inputs[4]);
  if (!gamma || !beta || !mean || !var || gamma->rank() != 1) return std::nullopt;
  const int64_t c = gamma->num_elements();
  for (const Tensor* t : {beta, mean, var}) {
    if (t->rank() != 1 || t->num_elements() != c) return std::nullopt;
  }
  const double eps = bn.attrs.GetFloat("epsilon", 1e-5f);
  ChannelAffine a;
  a.scale.resize(static_cast<size_t>(c));
  a.shift.resize(static_cast<size_t>(c));
  for (size_t i = 0; i < a.scale.size(); ++i) {
    const double denom = static_cast<double>(var->data<float>()[i]) + eps;
    // A non-positive variance would turn the fold into NaN where the BN
    // kernel may still produce finite values; leave such a BN alone.
    if (!(denom > 0) || !std::isfinite(denom)) return std::nullopt;
    a.scale[i] = static_cast<double>(gamma->data<float>()[i]) / std::sqrt(denom);
    a.shift[i] = static_cast<double>(beta->data<float>()[i]) -
                 static_cast<double>(mean->data<float>()[i]) * a.scale[i];
  }
  return a;
}

// For each weight element, the output channel it contributes to; empty when
// the weight layout does not fit `channels` output channels.
std::vector<int64_t> OutputChannelOfWeights(const ir::Node& p, const Tensor& w, int64_t channels) {
  std::vector<int64_t> channel_of;
  const int64_t n = w.num_elements();
  if (n <= 0 || channels <= 0) return {};
  if (p.op == OpKind::kConv) {
    // OIHW: the output channel is axis 0.
    if (w.rank() < 1 || w.dim(0) != channels) return {};
    const int64_t inner = n / channels;
    channel_of.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) channel_of[static_cast<size_t>(i)] = i / inner;
  } else if (p.op == OpKind::kConvTranspose) {
    // (C_in, C_out / group, k...): output channel = group * (C_out / group) + m.
    const int64_t group = p.attrs.GetInt("group", 1);
    if (w.rank() < 2 || group < 1 || w.dim(0) % group != 0 || w.dim(1) * group != channels) return {};
    const int64_t in_per_group = w.dim(0) / group;
    const int64_t out_per_group = w.dim(1);
    const int64_t kernel = n / (w.dim(0) * w.dim(1));
    channel_of.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t c_in = i / (out_per_group * kernel);
      const int64_t m = (i / kernel) % out_per_group;
      channel_of[static_cast<size_t>(i)] = (c_in / in_per_group) * out_per_group + m;
    }
  } else if (p.op == OpKind::kGemm || p.op == OpKind::kMatMul) {
    // B is (K, N), or (N, K) with transB; the output column is n.
    if (w.rank() != 2) return {};
    const bool trans_b = p.attrs.GetInt("transB", 0) != 0;
    const int64_t cols = w.dim(1);
    if ((trans_b ? w.dim(0) : w.dim(1)) != channels) return {};
    channel_of.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) channel_of[static_cast<size_t>(i)] = trans_b ? i / cols : i % cols;
  }
  return channel_of;
}

// The producer's bias per output channel, already multiplied by Gemm's beta;
// nullopt when it has a shape the fold does not handle (a Gemm C of shape
// (M, N) with M > 1 varies per row).
std::optional<std::vector<double>> ReadBias(const ir::Graph& g, const ir::Node& p, int64_t channels) {
  std::vector<double> bias(static_cast<size_t>(channels), 0.0);
  const ir::ValueId id = p.input(2);
  if (id == ir::kNoValue) return bias;
  const Tensor* b = FloatConstant(g, id);
  if (b == nullptr) return std::nullopt;
  if (p.op == OpKind::kGemm) {
    const bool row = b->rank() <= 1 || (b->rank() == 2 && b->dim(0) == 1);
    if (!row || (b->num_elements() != channels && b->num_elements() != 1)) return std::nullopt;
    const double beta = p.attrs.GetFloat("beta", 1.0f);
    for (int64_t c = 0; c < channels; ++c) {
      bias[static_cast<size_t>(c)] = beta * b->data<float>()[b->num_elements() == 1 ? 0 : c];
    }
    return bias;
  }
  if (b->rank() != 1 || b->num_elements() != channels) return std::nullopt;
  for (int64_t c = 0; c < channels; ++c) bias[static_cast<size_t>(c)] = b->data<float>()[c];
  return bias;
}

// The weighted ops of the op table; a MatMul only when it reads a 2-D
// activation (this pass's own condition): by a constant 2-D matrix it is
// then a Gemm without bias (PyTorch writes Linear(bias=False) that way),
// which the fold turns it into, since MatMul has no bias input to carry
// the BN's shift.
bool IsFoldableProducer(const ir::Graph& g, const ir::Node& p) {
  if (ops::RowOf(p.op).weighted != ops::Fact::kYes) return false;
  if (p.op == OpKind::kMatMul) {
    const ir::ValueId a = p.input(0);
    return a != ir::kNoValue && g.value(a).type.rank_known && g.value(a).type.rank() == 2 &&
           p.inputs.size() == 2;
  }
  return true;
}

bool TryFold(ir::Graph& g, const std::vector<std::vector<ir::NodeId>>& consumers, ir::NodeId bn_id) {
  const ir::Node& bn = g.node(bn_id);
  const ir::ValueId x = bn.input(0);
  if (x == ir::kNoValue || bn.outputs.empty() || bn.outputs[0] == ir::kNoValue) return false;
  const ir::NodeId p_id = g.value(x).producer;
  if (p_id == ir::kNoNode || IsGraphOutput(g, x) || consumers[static_cast<size_t>(x)].size() != 1)
    return false;
  ir::Node& p = g.node(p_id);
  if (p.removed || !IsFoldableProducer(g, p) || p.outputs.size() != 1 || p.outputs[0] != x) return false;
  // A clamp between the op and the BN does not commute with the affine map.
  if (!quant::FusedActivation(p).unbounded()) return false;
  if (g.value(x).type.dtype != DataType::kFloat32) return false;
  const Tensor* w = FloatConstant(g, p.input(1));
  if (w == nullptr) return false;
  const std::optional<ChannelAffine> affine = ReadBatchNorm(g, bn);
  if (!affine) return false;
  const int64_t channels = static_cast<int64_t>(affine->scale.size());
  const std::vector<int64_t> channel_of = OutputChannelOfWeights(p, *w, channels);
  if (channel_of.empty()) return false;
  const std::optional<std::vector<double>> bias = ReadBias(g, p, channels);
  if (!bias) return false;

  Tensor new_w(DataType::kFloat32, w->dims());
  const float* src = w->data<float>();
  float* dst = new_w.data<float>();
  for (size_t i = 0; i < channel_of.size(); ++i) {
    dst[i] =
        static_cast<float>(static_cast<double>(src[i]) * affine->scale[static_cast<size_t>(channel_of[i])]);
  }
  Tensor new_b(DataType::kFloat32, {channels});
  for (size_t c = 0; c < affine->scale.size(); ++c) {
    new_b.data<float>()[c] = static_cast<float>((*bias)[c] * affine->scale[c] + affine->shift[c]);
  }
  const std::string w_name = g.value(p.input(1)).name;
  const ir::ValueId w_id = g.AddConstant(UniqueValueName(g, w_name + "_bn_folded"), std::move(new_w));
  const std::string b_name = p.input(2) != ir::kNoValue ? g.value(p.input(2)).name : w_name + "_bias";
  const ir::ValueId b_id = g.AddConstant(UniqueValueName(g, b_name + "_bn_folded"), std::move(new_b));

  // AddConstant may have reallocated values, not nodes: p and bn stay valid.
  p.inputs.resize(3, ir::kNoValue);
  p.inputs[1] = w_id;
  p.inputs[2] = b_id;
  // Gemm's beta was applied to the folded bias.
  if (p.op == OpKind::kGemm) p.attrs.Set("beta", 1.0f);
  if (p.op == OpKind::kMatMul) p.op = OpKind::kGemm;  // transB 0, alpha 1, beta 1: the defaults
  const ir::ValueId y = bn.outputs[0];
  p.outputs[0] = y;
  ir::Value& yv = g.value(y);
  yv.producer = p_id;
  if (yv.type.dtype == DataType::kUndefined || !yv.type.rank_known) yv.type = g.value(x).type;
  g.node(bn_id).removed = true;
  return true;
}

}  // namespace

Status FoldBatchNorm(ir::Graph* graph, FoldBatchNormReport* report) {
  ir::Graph& g = *graph;
  QF_RETURN_IF_ERROR(g.TopologicalSort());
  // Valid for the whole sweep: folding rewires only outputs and the
  // producer's own weight inputs, never what other nodes read.
  const std::vector<std::vector<ir::NodeId>> consumers = g.ComputeConsumers();
  FoldBatchNormReport r;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].removed || g.nodes[i].op != OpKind::kBatchNormalization) continue;
    if (TryFold(g, consumers, static_cast<ir::NodeId>(i))) {
      ++r.folded;
    } else {
      ++r.kept;
    }
  }
  if (report != nullptr) *report = r;
  return FinishPass(graph, "FoldBatchNorm");
}

}  // namespace qforge::passes
