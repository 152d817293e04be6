// The modes that quantize weights only: weight-only int8 (dequantized at
// load), dynamic range (hybrid integer kernels) and float16.
#include <map>

#include "qscheme/policy.h"
#include "quant/quantize_internal.h"
#include "quant/weight_quant.h"

namespace qforge::quant {

namespace {

bool IsFloatConstant(const ir::Graph& g, ir::ValueId v) {
  return v != ir::kNoValue && g.value(v).is_constant() && g.value(v).type.dtype == DataType::kFloat32;
}

bool HasFloatOutput(const ir::Graph& g, const ir::Node& n) {
  for (ir::ValueId out : n.outputs) {
    if (out != ir::kNoValue && g.value(out).type.dtype == DataType::kFloat32) return true;
  }
  return false;
}

Status NoWeights() { return InvalidArgument("the model has no float32 weights to quantize"); }

// int8 constant -> DequantizeLinear -> float value replacing `w`.
ir::ValueId AddDequantizedWeight(ir::Graph& g, NameTable& names, ir::ValueId w, Tensor q) {
  const std::string base = g.value(w).name;
  const QuantParams p = q.quant();
  const ir::ValueId qv = g.AddConstant(names.Make(base + "_quantized"), std::move(q));
  ir::TensorType ft = g.value(w).type;
  const ir::ValueId f = g.AddValue(names.Make(base + "_dequantized"), ft);
  ir::Node dq;
  dq.name = names.MakeNode(base + "_DequantizeLinear");
  dq.op = OpKind::kDequantizeLinear;
  dq.inputs = {qv, AddScale(g, names, base, p), AddZeroPoint(g, names, base, p, DataType::kInt8)};
  dq.outputs = {f};
  if (p.per_axis()) dq.attrs.Set("axis", static_cast<int64_t>(p.axis));
  g.AddNode(std::move(dq));
  return f;
}

}  // namespace

namespace {

// Replaces every weight of node i (WeightOnlySlots) by int8 + DequantizeLinear;
// false when the node has no float-constant weight.
Result<bool> DequantizedWeights(ir::Graph& g, NameTable& names, std::map<ir::ValueId, ir::ValueId>& done,
                                size_t i, const QuantizeOptions& opt) {
  const std::vector<WeightSlot> slots = WeightOnlySlots(g, g.nodes[i]);
  bool any = false;
  for (const WeightSlot& slot : slots) {
    const ir::ValueId w = g.nodes[i].input(static_cast<size_t>(slot.input));
    if (!IsFloatConstant(g, w)) continue;
    any = true;
    auto it = done.find(w);
    if (it == done.end()) {
      Result<Tensor> q =
          QuantizeWeightSymmetric(*g.value(w).constant, WeightQuantAxis(opt, g.nodes[i].op, slot.axis));
      if (!q.ok()) return q.status().WithContext(g.Describe(g.nodes[i]) + ": ");
      it = done.emplace(w, AddDequantizedWeight(g, names, w, std::move(*q))).first;
    }
    g.nodes[i].inputs[static_cast<size_t>(slot.input)] = it->second;
  }
  return any;
}

bool IsRecurrent(OpKind op) { return op == OpKind::kLSTM || op == OpKind::kGRU || op == OpKind::kRNN; }

bool HasFloatWeight(const ir::Graph& g, const ir::Node& n) {
  for (const WeightSlot& slot : WeightOnlySlots(g, n)) {
    if (IsFloatConstant(g, n.input(static_cast<size_t>(slot.input)))) return true;
  }
  return false;
}

}  // namespace

Status QuantizeWeightsOnly(ir::Graph* gp, const QuantizeOptions& opt, QuantizeReport* report) {
  ir::Graph& g = *gp;
  NameTable names(&g);
  std::map<ir::ValueId, ir::ValueId> done;  // shared weights are quantized once
  const size_t count = g.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    if (!HasFloatOutput(g, g.nodes[i])) continue;
    if (!HasFloatWeight(g, g.nodes[i])) {
      report->AddFloat(g.nodes[i], "");
      continue;
    }
    if (opt.exclude.count(g.nodes[i].name)) {
      report->AddFloat(g.nodes[i], kExcludedReason);
      continue;
    }
    QF_RETURN_IF_ERROR(DequantizedWeights(g, names, done, i, opt).status());
    report->AddQuantized(g.nodes[i]);
  }
  return report->nodes_quantized == 0 && !opt.branch ? NoWeights() : Status::Ok();
}

Status QuantizeDynamic(ir::Graph* gp, const QuantizeOptions& opt, QuantizeReport* report) {
  ir::Graph& g = *gp;
  NameTable names(&g);
  std::map<ir::ValueId, ir::ValueId> done;
  const size_t count = g.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    if (!HasFloatOutput(g, g.nodes[i])) continue;
    const ir::Node& n = g.nodes[i];
    // A node without a float weight is not the mode's business: counted, not listed.
    const Result<WeightSlot> rule = HybridRuleFor(g, n);
    if (IsRecurrent(n.op) && HasFloatWeight(g, n) && !opt.exclude.count(n.name)) {
      // No hybrid recurrent kernel: the weights are stored int8 and
      // dequantized at load, as weight-only does (the file is as small).
      QF_RETURN_IF_ERROR(DequantizedWeights(g, names, done, i, opt).status());
      report->AddQuantized(g.nodes[i]);
      continue;
    }
    if (rule.ok() && rule->input < 0) {
      report->AddFloat(n, "");
      continue;
    }
    const std::string reason =
        opt.exclude.count(n.name) ? kExcludedReason : (rule.ok() ? "" : rule.status().message());
    if (!reason.empty()) {
      report->AddFloat(n, reason);
      continue;
    }
    const WeightSlot slot = rule.value();
    const ir::ValueId w = n.input(static_cast<size_t>(slot.input));
    Result<Tensor> q = QuantizeWeightSymmetric(*g.value(w).constant, WeightQuantAxis(opt, n.op, slot.axis));
    if (!q.ok()) return q.status().WithContext(g.Describe(n) + ": ");
    const std::string wname = g.value(w).name;
    if (n.op != OpKind::kGather) {
      // Hybrid op: float activation, int8 weight, float output.
      g.nodes[i].inputs[1] = g.AddConstant(names.Make(wname + "_quantized"), std::move(*q));
    } else {
      // Gather on the int8 table, then dequantize the (much smaller) result.
      const QuantParams p = q->quant();
      g.nodes[i].inputs[0] = g.AddConstant(names.Make(wname + "_quantized"), std::move(*q));
      const ir::ValueId out = g.nodes[i].outputs[0];
      ir::TensorType qt = g.value(out).type;
      qt.dtype = DataType::kInt8;
      qt.quant = p;
      const ir::ValueId qout = g.AddValue(names.Make(g.value(out).name + "_quantized"), qt);
      g.nodes[i].outputs[0] = qout;
      g.value(qout).producer = static_cast<ir::NodeId>(i);
      ir::Node dq;
      dq.name = names.MakeNode(g.value(out).name + "_DequantizeLinear");
      dq.op = OpKind::kDequantizeLinear;
      dq.inputs = {qout, AddScale(g, names, wname, p), AddZeroPoint(g, names, wname, p, DataType::kInt8)};
      dq.outputs = {out};
      g.AddNode(std::move(dq));
    }
    report->AddQuantized(g.nodes[i]);
  }
  return report->nodes_quantized == 0 && !opt.branch ? NoWeights() : Status::Ok();
}

Status QuantizeFloat16(ir::Graph* gp, const QuantizeOptions& opt, QuantizeReport* report) {
  ir::Graph& g = *gp;
  NameTable names(&g);
  std::map<ir::ValueId, ir::ValueId> done;
  const size_t count = g.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    if (!HasFloatOutput(g, g.nodes[i])) continue;
    const OpKind op = g.nodes[i].op;
    const std::vector<size_t> slots = Float16Inputs(op);
    bool any = false;
    for (size_t s : slots) any = any || IsFloatConstant(g, g.nodes[i].input(s));
    if (!any) {
      report->AddFloat(g.nodes[i], "");
      continue;
    }
    if (opt.exclude.count(g.nodes[i].name)) {
      report->AddFloat(g.nodes[i], kExcludedReason);
      continue;
    }
    // A constant float16 cannot hold (Silero's 2^20 scale before a Log)
    // keeps its node in float, listed, rather than failing the model.
    std::map<size_t, Tensor> halves;
    std::string reason;
    for (size_t s : slots) {
      const ir::ValueId w = g.nodes[i].input(s);
      if (!IsFloatConstant(g, w) || done.count(w) || !reason.empty()) continue;
      Result<Tensor> h = ToFloat16(*g.value(w).constant);
      if (h.ok()) {
        halves.emplace(s, std::move(h).value());
      } else if (h.status().code() == StatusCode::kUnsupported) {
        reason = "'" + g.value(w).name + "': " + h.status().message();
      } else {
        return h.status().WithContext(g.Describe(g.nodes[i]) + ": ");
      }
    }
    if (!reason.empty()) {
      report->AddFloat(g.nodes[i], reason);
      continue;
    }
    for (size_t s : slots) {
      const ir::ValueId w = g.nodes[i].input(s);
      if (!IsFloatConstant(g, w)) continue;
      auto it = done.find(w);
      if (it == done.end()) {
        Tensor h = std::move(halves.at(s));
        const std::string base = g.value(w).name;
        const ir::ValueId hv = g.AddConstant(names.Make(base + "_fp16"), std::move(h));
        const ir::ValueId f = g.AddValue(names.Make(base + "_fp32"), g.value(w).type);
        ir::Node cast;
        cast.name = names.MakeNode(base + "_Cast");
        cast.op = OpKind::kCast;
        cast.inputs = {hv};
        cast.outputs = {f};
        cast.attrs.Set("to", static_cast<int64_t>(DataType::kFloat32));
        g.AddNode(std::move(cast));
        it = done.emplace(w, f).first;
      }
      g.nodes[i].inputs[s] = it->second;
    }
    report->AddQuantized(g.nodes[i]);
  }
  return report->nodes_quantized == 0 && !opt.branch ? NoWeights() : Status::Ok();
}

}  // namespace qforge::quant
