// The int8 and int8-only modes: every node with an integer form (policy.h)
// becomes integer over quantized activations; the rest stays float between
// DequantizeLinear and QuantizeLinear (int8), or is an error (int8-only).
#include <algorithm>
#include <map>

#include "qscheme/arithmetic.h"
#include "qscheme/policy.h"
#include "quant/quantize_internal.h"
#include "quant/weight_quant.h"

namespace qforge::quant {

namespace {

class StaticQuantizer {
 public:
  StaticQuantizer(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* report)
      : g_(*g), opt_(opt), report_(*report), names_(g) {}

  Status Run();

 private:
  Status SelectNodes();
  Status ChooseParams();
  Result<QuantParams> ParamsFromRange(ir::ValueId v, DataType dtype) const;
  Status Rewrite();
  Status QuantizeConstants(ir::Node& n, const IntegerOpRule& rule);
  ir::ValueId QuantizedInput(ir::ValueId v);  // int8 version of a float value, Q inserted once
  ir::ValueId FloatOf(ir::ValueId v);         // float version of a quantized value, DQ inserted once
  ir::ValueId AddRequantize(ir::ValueId v, const QuantParams& to, DataType dtype, const std::string& name);
  Status RewriteGraphIo();

  bool IsQuantizedNode(ir::NodeId n) const { return quantize_[static_cast<size_t>(n)] != 0; }
  bool IsFloatActivation(ir::ValueId v) const {
    return v != ir::kNoValue && !g_.value(v).is_constant() && g_.value(v).type.dtype == DataType::kFloat32;
  }

  ir::Graph& g_;
  const QuantizeOptions& opt_;
  QuantizeReport& report_;
  NameTable names_;
  std::vector<char> quantize_;
  std::vector<IntegerOpRule> rules_;
  std::map<ir::ValueId, QuantParams> params_;  // decided params of quantized activations
  std::vector<char> produced_quantized_;       // value produced by an integer node (becomes int8 in place)
  std::map<ir::ValueId, ir::ValueId> quantized_of_;  // float value -> its Q output
  std::map<ir::ValueId, ir::ValueId> float_of_;      // quantized value -> its DQ output
};

Result<QuantParams> StaticQuantizer::ParamsFromRange(ir::ValueId v, DataType dtype) const {
  const std::string& name = g_.value(v).name;
  auto it = opt_.ranges.find(name);
  if (it == opt_.ranges.end()) return InvalidArgument("no calibration range for activation '" + name + "'");
  QF_ASSIGN_OR_RETURN(QuantLimits lim, LimitsOf(dtype));
  Result<AffineParams> p = ChooseQuantParams(it->second.min, it->second.max, lim.qmin, lim.qmax, false);
  if (!p.ok()) return p.status().WithContext("activation '" + name + "': ");
  QuantParams q;
  q.scale = {p->scale};
  q.zero_point = {p->zero_point};
  return q;
}

// The int8 modes' choice for every node of `g`: which become integer
// (`quantize`, with their `rules`) and why the others stay float (`report`).
// Before calibration (`ranges_known` false) the reasons that depend on
// calibrated ranges are left out: what remains is the integer coverage that
// int8-only checks first, by this same rule.
Status SelectIntegerNodes(const ir::Graph& g, const QuantizeOptions& opt, bool ranges_known,
                          QuantizeReport* report, std::vector<char>* quantize,
                          std::vector<IntegerOpRule>* rules) {
  quantize->assign(g.nodes.size(), 0);
  rules->assign(g.nodes.size(), {});
  auto float_activation = [&](ir::ValueId v) {
    return v != ir::kNoValue && !g.value(v).is_constant() && g.value(v).type.dtype == DataType::kFloat32;
  };
  auto missing_range = [&](ir::ValueId v) { return ranges_known && !opt.ranges.count(g.value(v).name); };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (n.op == OpKind::kQuantizeLinear || n.op == OpKind::kDequantizeLinear) {
      return InvalidArgument(g.Describe(n) + ": the model is already quantized");
    }
    bool float_valued = false;
    for (ir::ValueId out : n.outputs) float_valued = float_valued || float_activation(out);
    if (!float_valued) continue;  // shape arithmetic and other non-float nodes are left as they are
    std::string reason;
    if (opt.exclude.count(n.name)) {
      reason = kExcludedReason;
    } else {
      Result<IntegerOpRule> rule = IntegerRuleFor(g, n);
      if (!rule.ok()) {
        reason = rule.status().message();
      } else {
        (*rules)[i] = *rule;
        for (size_t d : rule->data_inputs) {
          const ir::ValueId v = n.input(d);
          if (v == ir::kNoValue) continue;
          if (g.value(v).type.dtype != DataType::kFloat32)
            reason = "input '" + g.value(v).name + "' is not float";
          if (reason.empty() && float_activation(v) && missing_range(v)) {
            reason = "no calibration range for '" + g.value(v).name + "'";
          }
        }
        for (ir::ValueId out : n.outputs) {
          if (reason.empty() && CalibratedOutput(rule->form) && missing_range(out)) {
            reason = "no calibration range for '" + g.value(out).name + "'";
          }
        }
      }
    }
    if (reason.empty()) {
      (*quantize)[i] = 1;
      report->AddQuantized(n);
    } else {
      report->AddFloat(n, reason);
    }
  }
  const std::vector<std::string> float_nodes = report->FloatLines();
  if (opt.mode == QuantMode::kInt8Only && !float_nodes.empty()) {
    std::string msg = "int8-only: " + std::to_string(float_nodes.size()) + " node(s) cannot be integer:";
    for (const std::string& f : float_nodes) msg += "\n  " + f;
    return Unsupported(msg);
  }
  if (report->nodes_quantized == 0 && !opt.branch)
    return InvalidArgument("no node of this model can be quantized");
  return Status::Ok();
}

Status StaticQuantizer::SelectNodes() {
  return SelectIntegerNodes(g_, opt_, /*ranges_known=*/true, &report_, &quantize_, &rules_);
}

Status StaticQuantizer::ChooseParams() {
  const DataType act = opt_.activation_type;
  produced_quantized_.assign(g_.values.size(), 0);
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    if (!quantize_[i]) continue;
    const ir::Node& n = g_.nodes[i];
    const IntegerOpRule& rule = rules_[i];
    for (size_t d : rule.data_inputs) {
      const ir::ValueId v = n.input(d);
      if (!IsFloatActivation(v) || params_.count(v)) continue;
      QF_ASSIGN_OR_RETURN(params_[v], ParamsFromRange(v, act));
    }
    for (ir::ValueId out : n.outputs) {
      if (!IsFloatActivation(out)) continue;  // e.g. Dropout's mask
      produced_quantized_[static_cast<size_t>(out)] = 1;
      switch (rule.form) {
        case ops::QuantForm::kSameAsInput: {
          const ir::ValueId in = n.input(rule.params_input);
          if (IsFloatActivation(in)) {
            params_[out] = params_.at(in);
          } else {  // constant data: its own range
            QF_ASSIGN_OR_RETURN(Tensor q, QuantizeConstantAsymmetric(*g_.value(in).constant, act));
            params_[out] = q.quant();
          }
          break;
        }
        case ops::QuantForm::kFixed:
          params_[out] = FixedOutputParams(n.op, act);
          break;
        default:  // calibrated
          QF_ASSIGN_OR_RETURN(params_[out], ParamsFromRange(out, act));
          break;
      }
    }
  }
  return Status::Ok();
}

ir::ValueId StaticQuantizer::QuantizedInput(ir::ValueId v) {
  if (produced_quantized_[static_cast<size_t>(v)]) return v;
  auto it = quantized_of_.find(v);
  if (it != quantized_of_.end()) return it->second;
  const QuantParams& p = params_.at(v);
  ir::TensorType t = g_.value(v).type;
  t.dtype = opt_.activation_type;
  t.quant = p;
  const std::string base = g_.value(v).name;
  ir::ValueId q = g_.AddValue(names_.Make(base + "_quantized"), t);
  ir::Node node;
  node.name = names_.MakeNode(base + "_QuantizeLinear");
  node.op = OpKind::kQuantizeLinear;
  node.inputs = {v, AddScale(g_, names_, base, p), AddZeroPoint(g_, names_, base, p, opt_.activation_type)};
  node.outputs = {q};
  g_.AddNode(std::move(node));
  quantized_of_[v] = q;
  return q;
}

ir::ValueId StaticQuantizer::FloatOf(ir::ValueId v) {
  auto it = float_of_.find(v);
  if (it != float_of_.end()) return it->second;
  ir::TensorType t = g_.value(v).type;
  const QuantParams p = t.quant;
  t.dtype = DataType::kFloat32;
  t.quant = {};
  const std::string base = g_.value(v).name;
  ir::ValueId f = g_.AddValue(names_.Make(base + "_dequantized"), t);
  ir::Node node;
  node.name = names_.MakeNode(base + "_DequantizeLinear");
  node.op = OpKind::kDequantizeLinear;
  node.inputs = {v, AddScale(g_, names_, base, p), AddZeroPoint(g_, names_, base, p, g_.value(v).type.dtype)};
  node.outputs = {f};
  g_.AddNode(std::move(node));
  float_of_[v] = f;
  return f;
}

ir::ValueId StaticQuantizer::AddRequantize(ir::ValueId v, const QuantParams& to, DataType dtype,
                                           const std::string& name) {
  ir::TensorType t = g_.value(v).type;
  t.dtype = dtype;
  t.quant = to;
  ir::ValueId out = g_.AddValue(name, t);
  ir::Node node;
  node.name = names_.MakeNode(g_.value(v).name + "_Requantize");
  node.op = OpKind::kRequantize;
  node.inputs = {v};
  node.outputs = {out};
  g_.AddNode(std::move(node));
  return out;
}

Status StaticQuantizer::QuantizeConstants(ir::Node& n, const IntegerOpRule& rule) {
  const DataType act = opt_.activation_type;
  if (rule.weight_input >= 0) {
    const ir::ValueId w = n.inputs[static_cast<size_t>(rule.weight_input)];
    Result<Tensor> qw =
        QuantizeWeightSymmetric(*g_.value(w).constant, WeightQuantAxis(opt_, n.op, rule.weight_axis));
    if (!qw.ok()) return qw.status().WithContext(g_.Describe(n) + ": ");
    const std::vector<float> w_scales = qw->quant().scale;
    n.inputs[static_cast<size_t>(rule.weight_input)] =
        g_.AddConstant(names_.Make(g_.value(w).name + "_quantized"), std::move(*qw));
    if (rule.bias_input >= 0) {
      const ir::ValueId b = n.inputs[static_cast<size_t>(rule.bias_input)];
      const float in_scale = params_.at(n.inputs[0]).scale[0];
      const Tensor& bias = *g_.value(b).constant;
      // A Gemm bias may be [1, N]: per-channel along its last axis.
      Result<Tensor> qb = QuantizeBias(bias.Reshaped({bias.num_elements()}), in_scale, w_scales);
      if (!qb.ok()) return qb.status().WithContext(g_.Describe(n) + ": ");
      QuantParams bp = qb->quant();
      Tensor shaped = qb->Reshaped(bias.dims());
      if (bp.per_axis()) bp.axis = bias.rank() - 1;
      shaped.set_quant(bp);
      n.inputs[static_cast<size_t>(rule.bias_input)] =
          g_.AddConstant(names_.Make(g_.value(b).name + "_quantized"), std::move(shaped));
    }
  }
  for (size_t d : rule.data_inputs) {
    const ir::ValueId v = n.input(d);
    if (v == ir::kNoValue || !g_.value(v).is_constant()) continue;
    const Tensor& c = *g_.value(v).constant;
    if (c.dtype() != DataType::kFloat32) continue;
    // An operand that must share the output's (S, Z) is quantized to it (clamped).
    const bool output_params = rule.form == ops::QuantForm::kConcat ||
                               (rule.form == ops::QuantForm::kSameAsInput && d != rule.params_input);
    Result<Tensor> q =
        output_params ? QuantizeTensor(c, params_.at(n.outputs[0]), act) : QuantizeConstantAsymmetric(c, act);
    if (!q.ok()) return q.status().WithContext(g_.Describe(n) + ": ");
    n.inputs[d] = g_.AddConstant(names_.Make(g_.value(v).name + "_quantized"), std::move(*q));
  }
  if (n.op == OpKind::kPad && n.input(2) != ir::kNoValue) {
    const Tensor& pv = *g_.value(n.inputs[2]).constant;
    if (pv.dtype() == DataType::kFloat32 && pv.num_elements() == 1 && pv.data<float>()[0] == 0.0f) {
      n.inputs.resize(2);  // zero padding pads with Z
    } else {
      Result<Tensor> q = QuantizeTensor(pv, params_.at(n.inputs[0]), act);
      if (!q.ok()) return q.status().WithContext(g_.Describe(n) + ": pad value: ");
      n.inputs[2] = g_.AddConstant(names_.Make(g_.value(n.inputs[2]).name + "_quantized"), std::move(*q));
    }
  }
  return Status::Ok();
}

Status StaticQuantizer::Rewrite() {
  const size_t original_nodes = g_.nodes.size();
  const size_t original_values = g_.values.size();
  // 1. Integer nodes read quantized inputs; constants are quantized.
  for (size_t i = 0; i < original_nodes; ++i) {
    if (!quantize_[i]) continue;
    QF_RETURN_IF_ERROR(QuantizeConstants(g_.nodes[i], rules_[i]));
    for (size_t d : rules_[i].data_inputs) {
      const ir::ValueId v = g_.nodes[i].input(d);
      if (!IsFloatActivation(v)) continue;
      const ir::ValueId q = QuantizedInput(v);
      g_.nodes[i].inputs[d] = q;
    }
    if (rules_[i].form == ops::QuantForm::kConcat) {  // every input must carry the output's (S, Z)
      const QuantParams out_p = params_.at(g_.nodes[i].outputs[0]);
      for (size_t k = 0; k < g_.nodes[i].inputs.size(); ++k) {
        const ir::ValueId in = g_.nodes[i].inputs[k];
        const bool produced = static_cast<size_t>(in) < produced_quantized_.size() &&
                              produced_quantized_[static_cast<size_t>(in)];
        const QuantParams in_p = produced ? params_.at(in) : g_.value(in).type.quant;
        if (in_p == out_p) continue;
        const std::string name = names_.Make(g_.value(in).name + "_requantized");
        const ir::ValueId r = AddRequantize(in, out_p, opt_.activation_type, name);
        g_.nodes[i].inputs[k] = r;
      }
    }
  }
  // 2. Outputs of integer nodes become quantized in place.
  for (size_t v = 0; v < original_values; ++v) {
    if (!produced_quantized_[v]) continue;
    ir::TensorType& t = g_.values[v].type;
    t.dtype = opt_.activation_type;
    t.quant = params_.at(static_cast<ir::ValueId>(v));
  }
  // 3. Float nodes reading a quantized value read its dequantized copy.
  for (size_t i = 0; i < original_nodes; ++i) {
    if (quantize_[i]) continue;
    for (size_t k = 0; k < g_.nodes[i].inputs.size(); ++k) {
      const ir::ValueId in = g_.nodes[i].inputs[k];
      if (in == ir::kNoValue || static_cast<size_t>(in) >= original_values) continue;
      if (!produced_quantized_[static_cast<size_t>(in)]) continue;
      const ir::ValueId f = FloatOf(in);
      g_.nodes[i].inputs[k] = f;
    }
  }
  return RewriteGraphIo();
}

Status StaticQuantizer::RewriteGraphIo() {
  const DataType act = opt_.activation_type;
  if (opt_.mode == QuantMode::kInt8) {
    // Quantized outputs are dequantized to a float output that keeps the name.
    for (ir::ValueId& out : g_.outputs) {
      if (!g_.value(out).type.quant.empty() && g_.value(out).type.dtype != DataType::kFloat32) {
        const std::string name = g_.value(out).name;
        g_.value(out).name = names_.Make(name + "_quantized");
        const ir::ValueId f = FloatOf(out);
        g_.value(f).name = name;
        out = f;
      }
    }
    return Status::Ok();
  }
  // int8-only: inputs and outputs are integer, of the --io type.
  const DataType io = opt_.io_type;
  const int64_t shift = (io == DataType::kUInt8 ? 128 : 0) - (act == DataType::kUInt8 ? 128 : 0);
  for (ir::ValueId in : g_.inputs) {
    if (g_.value(in).type.dtype != DataType::kFloat32) continue;
    auto it = quantized_of_.find(in);
    if (it == quantized_of_.end()) {
      return Unsupported("int8-only: graph input '" + g_.value(in).name + "' is not read by an integer op");
    }
    // Drop the QuantizeLinear: the input itself becomes the quantized tensor.
    const ir::ValueId q = it->second;
    const QuantParams p = g_.value(q).type.quant;
    g_.RemoveNode(g_.value(q).producer);
    ir::TensorType& t = g_.value(in).type;
    t.dtype = io;
    t.quant = p;
    for (int64_t& z : t.quant.zero_point) z += shift;
    if (io == act) {
      g_.ReplaceAllUses(q, in);
    } else {
      // q keeps its consumers; it now comes from a Requantize of the input.
      ir::Node node;
      node.name = names_.MakeNode(g_.value(in).name + "_Requantize");
      node.op = OpKind::kRequantize;
      node.inputs = {in};
      node.outputs = {q};
      g_.AddNode(std::move(node));
    }
  }
  for (ir::ValueId& out : g_.outputs) {
    if (g_.value(out).type.quant.empty()) {
      return Unsupported("int8-only: graph output '" + g_.value(out).name +
                         "' is not produced by an integer op");
    }
    if (io == act) continue;
    const std::string name = g_.value(out).name;
    g_.value(out).name = names_.Make(name + "_int8");
    QuantParams p = g_.value(out).type.quant;
    for (int64_t& z : p.zero_point) z += shift;
    out = AddRequantize(out, p, io, name);
  }
  return Status::Ok();
}

Status StaticQuantizer::Run() {
  QF_RETURN_IF_ERROR(SelectNodes());
  QF_RETURN_IF_ERROR(ChooseParams());
  return Rewrite();
}

}  // namespace

Status CheckIntegerCoverage(const ir::Graph& g, const QuantizeOptions& opt) {
  QuantizeReport report;
  std::vector<char> quantize;
  std::vector<IntegerOpRule> rules;
  return SelectIntegerNodes(g, opt, /*ranges_known=*/false, &report, &quantize, &rules);
}

Status QuantizeStatic(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* report) {
  StaticQuantizer q(g, opt, report);
  return q.Run();
}

}  // namespace qforge::quant
