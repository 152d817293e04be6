// The modes that quantize weights only: weight-only int8 (dequantized at
// load), dynamic range (hybrid integer kernels) and float16.
#include <map>

#include "quant/quantize_internal.h"
#include "quant/weight_quant.h"

namespace qforge::quant {

namespace {

bool IsFloatConstant(const ir::Graph& g, ir::ValueId v) {
  return v != ir::kNoValue && g.value(v).is_constant() && g.value(v).type.dtype == DataType::kFloat32;
}

// The weight input of `n` and its output-channel axis, or -1.
struct WeightSlot {
  int input = -1;
  int axis = -1;
};

WeightSlot WeightOf(const ir::Graph& g, const ir::Node& n) {
  switch (n.op) {
    case OpKind::kConv:
      return {1, 0};
    case OpKind::kConvTranspose:
      return {1, 1};
    case OpKind::kGemm:
      return {1, n.attrs.GetInt("transB", 0) != 0 ? 0 : 1};
    case OpKind::kMatMul: {
      const ir::ValueId b = n.input(1);
      if (b == ir::kNoValue || g.value(b).type.rank() < 2) return {};
      return {1, g.value(b).type.rank() - 1};
    }
    case OpKind::kGather:
      return {0, -1};  // per tensor: the gathered axis would split per-axis scales
    default:
      return {};
  }
}

bool HasFloatOutput(const ir::Graph& g, const ir::Node& n) {
  for (ir::ValueId out : n.outputs) {
    if (out != ir::kNoValue && g.value(out).type.dtype == DataType::kFloat32) return true;
  }
  return false;
}

void CountQuantized(const ir::Node& n, QuantizeReport* report) {
  ++report->nodes_quantized;
  ++report->quantized_by_op[std::string(OpName(n.op))];
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

Status QuantizeWeightsOnly(ir::Graph* gp, const QuantizeOptions& opt, QuantizeReport* report) {
  ir::Graph& g = *gp;
  NameTable names(&g);
  std::map<ir::ValueId, ir::ValueId> done;  // shared weights are quantized once
  const size_t count = g.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    if (!HasFloatOutput(g, g.nodes[i])) continue;
    const WeightSlot slot = WeightOf(g, g.nodes[i]);
    const ir::ValueId w = slot.input >= 0 ? g.nodes[i].input(static_cast<size_t>(slot.input)) : ir::kNoValue;
    if (!IsFloatConstant(g, w)) {
      ++report->nodes_float;
      continue;
    }
    if (opt.exclude.count(g.nodes[i].name)) {
      ++report->nodes_float;
      report->float_nodes.push_back(g.Describe(g.nodes[i]) + ": excluded by --exclude");
      continue;
    }
    auto it = done.find(w);
    if (it == done.end()) {
      Result<Tensor> q =
          QuantizeWeightSymmetric(*g.value(w).constant, WeightQuantAxis(opt, g.nodes[i].op, slot.axis));
      if (!q.ok()) return q.status().WithContext(g.Describe(g.nodes[i]) + ": ");
      it = done.emplace(w, AddDequantizedWeight(g, names, w, std::move(*q))).first;
    }
    g.nodes[i].inputs[static_cast<size_t>(slot.input)] = it->second;
    CountQuantized(g.nodes[i], report);
  }
  return report->nodes_quantized == 0 ? NoWeights() : Status::Ok();
}

Status QuantizeDynamic(ir::Graph* gp, const QuantizeOptions& opt, QuantizeReport* report) {
  ir::Graph& g = *gp;
  NameTable names(&g);
  const size_t count = g.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    if (!HasFloatOutput(g, g.nodes[i])) continue;
    const ir::Node& n = g.nodes[i];
    std::string reason;
    const WeightSlot slot = WeightOf(g, n);
    const ir::ValueId w = slot.input >= 0 ? n.input(static_cast<size_t>(slot.input)) : ir::kNoValue;
    if (n.op == OpKind::kConvTranspose) {
      reason = "no hybrid kernel for ConvTranspose";
    } else if (!IsFloatConstant(g, w)) {
      ++report->nodes_float;
      continue;
    } else if (opt.exclude.count(n.name)) {
      reason = "excluded by --exclude";
    } else if (n.op == OpKind::kGemm &&
               (n.attrs.GetFloat("alpha", 1.0f) != 1.0f || n.attrs.GetFloat("beta", 1.0f) != 1.0f ||
                n.attrs.GetInt("transA", 0) != 0)) {
      reason = "no hybrid kernel for Gemm with alpha/beta != 1 or transA";
    } else if ((n.op == OpKind::kConv || n.op == OpKind::kGemm) && n.input(2) != ir::kNoValue &&
               !IsFloatConstant(g, n.input(2))) {
      reason = "bias is not a float constant";
    } else if (n.op != OpKind::kGather && g.value(n.inputs[0]).type.dtype != DataType::kFloat32) {
      reason = "input is not float32";
    }
    if (!reason.empty()) {
      ++report->nodes_float;
      report->float_nodes.push_back(g.Describe(n) + ": " + reason);
      continue;
    }
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
    CountQuantized(g.nodes[i], report);
  }
  return report->nodes_quantized == 0 ? NoWeights() : Status::Ok();
}

Status QuantizeFloat16(ir::Graph* gp, const QuantizeOptions& opt, QuantizeReport* report) {
  ir::Graph& g = *gp;
  NameTable names(&g);
  std::map<ir::ValueId, ir::ValueId> done;
  const size_t count = g.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    if (!HasFloatOutput(g, g.nodes[i])) continue;
    const OpKind op = g.nodes[i].op;
    // Weights and biases of the compute ops and constant operands of
    // arithmetic; attribute-like constants (Clip bounds, Resize scales)
    // stay float32, as kernels read them as such.
    std::vector<size_t> slots;
    switch (op) {
      case OpKind::kConv:
      case OpKind::kConvTranspose:
      case OpKind::kGemm:
        slots = {1, 2};
        break;
      case OpKind::kMatMul:
      case OpKind::kAdd:
      case OpKind::kSub:
      case OpKind::kMul:
      case OpKind::kDiv:
      case OpKind::kPRelu:
        slots = {0, 1};
        break;
      case OpKind::kGather:
        slots = {0};
        break;
      default:
        break;
    }
    bool any = false;
    for (size_t s : slots) any = any || IsFloatConstant(g, g.nodes[i].input(s));
    if (!any) {
      ++report->nodes_float;
      continue;
    }
    if (opt.exclude.count(g.nodes[i].name)) {
      ++report->nodes_float;
      report->float_nodes.push_back(g.Describe(g.nodes[i]) + ": excluded by --exclude");
      continue;
    }
    for (size_t s : slots) {
      const ir::ValueId w = g.nodes[i].input(s);
      if (!IsFloatConstant(g, w)) continue;
      auto it = done.find(w);
      if (it == done.end()) {
        Result<Tensor> h = ToFloat16(*g.value(w).constant);
        if (!h.ok()) return h.status().WithContext(g.Describe(g.nodes[i]) + ": ");
        const std::string base = g.value(w).name;
        const ir::ValueId hv = g.AddConstant(names.Make(base + "_fp16"), std::move(*h));
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
    CountQuantized(g.nodes[i], report);
  }
  return report->nodes_quantized == 0 ? NoWeights() : Status::Ok();
}

}  // namespace qforge::quant
