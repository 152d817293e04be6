#include "passes/int8_activations.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ops/op_table.h"
#include "passes/pass_util.h"

namespace qforge::passes {

namespace {

constexpr int64_t kShift = 128;  // uint8 q - 128 = int8 q, Z likewise
// ONNX TensorProto.DataType values of QuantizeLinear's output_dtype.
constexpr int64_t kOnnxUInt8 = 2;
constexpr int64_t kOnnxInt8 = 3;

bool IsUint8Quantized(const ir::TensorType& t) { return t.dtype == DataType::kUInt8 && !t.quant.empty(); }

// A uint8 activation: what the pass converts.
bool IsCandidate(const ir::Graph& g, ir::ValueId id) {
  return id != ir::kNoValue && !g.value(id).is_constant() && IsUint8Quantized(g.value(id).type) &&
         !g.value(id).type.quant.per_axis();
}

QuantParams Shifted(QuantParams q) {
  for (int64_t& z : q.zero_point) z -= kShift;
  return q;
}

ir::TensorType Int8Type(const ir::TensorType& u8) {
  ir::TensorType t = u8;
  t.dtype = DataType::kInt8;
  t.quant = Shifted(u8.quant);
  return t;
}

ir::TensorType Uint8Type(const ir::TensorType& i8) {
  ir::TensorType t = i8;
  t.dtype = DataType::kUInt8;
  for (int64_t& z : t.quant.zero_point) z += kShift;
  return t;
}

// A uint8 constant (quantized data, a Pad fill, a zero point) as int8 q - 128.
Tensor ShiftedConstant(const Tensor& u8) {
  Tensor t(DataType::kInt8, u8.dims());
  const auto src = u8.span<uint8_t>();
  auto dst = t.span<int8_t>();
  for (size_t i = 0; i < src.size(); ++i) dst[i] = static_cast<int8_t>(static_cast<int32_t>(src[i]) - kShift);
  if (!u8.quant().empty()) t.set_quant(Shifted(u8.quant()));
  return t;
}

// Ops whose integer kernel gives the shifted result on shifted inputs (see
// the header; the op table's shift_exact fact).
bool ShiftExact(const ir::Graph& g, const ir::Node& n) {
  if (ops::FactsOf(g, n).shift_exact != ops::Fact::kYes) return false;
  if (n.op != OpKind::kRequantize) return true;
  // The pass's own rule, not an op fact: a Requantize reads either type
  // (Run), so it only converts its output, and only a uint8 one that is not
  // a graph output (which stays uint8 anyway).
  return !n.outputs.empty() && n.outputs[0] != ir::kNoValue && IsUint8Quantized(g.value(n.outputs[0]).type) &&
         !IsGraphOutput(g, n.outputs[0]);
}

class Converter {
 public:
  explicit Converter(ir::Graph& g) : g_(g) {}

  Status Run(Int8ActivationsReport* report) {
    const size_t node_count = g_.nodes.size();
    const size_t value_count = g_.values.size();
    for (const ir::Node& n : g_.nodes) used_node_names_[n.name] = 1;
    // exact: the node runs on int8 (it reads or writes a uint8 activation
    // and its kernel is shift-exact); its uint8 constants shift with it.
    std::vector<char> exact(node_count, 0);
    for (size_t i = 0; i < node_count; ++i) {
      const ir::Node& n = g_.nodes[i];
      if (n.removed || !ShiftExact(g_, n)) continue;
      bool touches = false;
      for (ir::ValueId v : n.inputs) touches = touches || IsCandidate(g_, v);
      for (ir::ValueId v : n.outputs) touches = touches || IsCandidate(g_, v);
      exact[i] = touches;
    }
    // Where each uint8 activation lives: int8 when an exact op writes it.
    int8_.assign(value_count, ir::kNoValue);
    uint8_.assign(value_count, ir::kNoValue);
    for (size_t v = 0; v < value_count; ++v) {
      const ir::ValueId id = static_cast<ir::ValueId>(v);
      if (!IsCandidate(g_, id)) continue;
      const ir::NodeId p = g_.value(id).producer;
      if (p == ir::kNoNode || !exact[static_cast<size_t>(p)]) {
        uint8_[v] = id;
        continue;
      }
      ++converted_;
      if (!IsGraphOutput(g_, id)) {
        g_.value(id).type = Int8Type(g_.value(id).type);
        int8_[v] = id;
        continue;
      }
      // A uint8 graph output keeps its name and type: its producer writes
      // an int8 value that a Requantize converts.
      const ir::ValueId i8 =
          g_.AddValue(UniqueValueName(g_, g_.value(id).name + "_int8"), Int8Type(g_.value(id).type));
      for (ir::ValueId& o : g_.node(p).outputs) {
        if (o == id) o = i8;
      }
      g_.value(i8).producer = p;
      AddRequantize(i8, id);
      int8_[v] = i8;
      uint8_[v] = id;
    }
    for (size_t i = 0; i < node_count; ++i) {
      if (g_.nodes[i].removed) continue;
      const ir::NodeId id = static_cast<ir::NodeId>(i);
      for (size_t k = 0; k < g_.node(id).inputs.size(); ++k) {
        const ir::ValueId in = g_.node(id).inputs[k];
        if (in == ir::kNoValue || static_cast<size_t>(in) >= value_count) continue;
        if (int8_[static_cast<size_t>(in)] != ir::kNoValue ||
            uint8_[static_cast<size_t>(in)] != ir::kNoValue) {
          // A Requantize reads either type: no conversion in front of it.
          const bool any = g_.node(id).op == OpKind::kRequantize;
          const bool want_int8 = any ? int8_[static_cast<size_t>(in)] != ir::kNoValue : exact[i] != 0;
          g_.node(id).inputs[k] = View(in, want_int8);
        } else if (exact[i] && g_.value(in).is_constant() && g_.value(in).type.dtype == DataType::kUInt8) {
          g_.node(id).inputs[k] = ShiftConstant(in);
        }
      }
      if (exact[i]) FixZeroPoint(id);
    }
    QF_RETURN_IF_ERROR(FinishPass(&g_, "ActivationsToInt8"));
    if (report != nullptr) *report = {converted_, requantizes_};
    return Status::Ok();
  }

 private:
  // Original uint8 activation `in` in the wanted type, converted once.
  ir::ValueId View(ir::ValueId in, bool want_int8) {
    const size_t v = static_cast<size_t>(in);
    if (want_int8 && int8_[v] != ir::kNoValue) return int8_[v];
    if (!want_int8 && uint8_[v] != ir::kNoValue) return uint8_[v];
    const ir::ValueId have = want_int8 ? uint8_[v] : int8_[v];
    const ir::TensorType& t = g_.value(have).type;
    ir::TensorType type = want_int8 ? Int8Type(t) : Uint8Type(t);
    const std::string name = UniqueValueName(g_, g_.value(in).name + (want_int8 ? "_int8" : "_uint8"));
    const ir::ValueId out = g_.AddValue(name, std::move(type));
    AddRequantize(have, out);
    (want_int8 ? int8_[v] : uint8_[v]) = out;
    return out;
  }

  void AddRequantize(ir::ValueId in, ir::ValueId out) {
    ir::Node r;
    r.name = UniqueNodeName(g_.value(out).name + "_requantize");
    r.op = OpKind::kRequantize;
    r.inputs = {in};
    r.outputs = {out};
    g_.AddNode(std::move(r));
    ++requantizes_;
  }

  std::string UniqueNodeName(const std::string& hint) {
    std::string name = hint;
    for (int i = 1; used_node_names_.count(name) != 0; ++i) name = hint + "_" + std::to_string(i);
    used_node_names_[name] = 1;
    return name;
  }

  ir::ValueId ShiftConstant(ir::ValueId c) {
    auto it = shifted_.find(c);
    if (it != shifted_.end()) return it->second;
    const ir::ValueId out = g_.AddConstant(UniqueValueName(g_, g_.value(c).name + "_int8"),
                                           ShiftedConstant(*g_.value(c).constant));
    shifted_[c] = out;
    return out;
  }

  // QuantizeLinear's output / DequantizeLinear's input type follows its zero
  // point (uint8 when absent): give it the shifted int8 one.
  void FixZeroPoint(ir::NodeId id) {
    ir::Node& n = g_.node(id);
    if (n.op != OpKind::kQuantizeLinear && n.op != OpKind::kDequantizeLinear) return;
    const bool quantize = n.op == OpKind::kQuantizeLinear;
    const ir::ValueId data = quantize ? n.outputs[0] : n.inputs[0];
    if (quantize && n.attrs.GetInt("output_dtype", 0) == kOnnxUInt8) n.attrs.Set("output_dtype", kOnnxInt8);
    if (n.input(2) != ir::kNoValue) return;  // a constant uint8 one was shifted above
    const ir::ValueId scale = n.inputs[1];
    std::vector<int64_t> dims = g_.value(scale).type.dims;
    Tensor zp(DataType::kInt8, dims);
    for (int8_t& z : zp.span<int8_t>()) z = static_cast<int8_t>(-kShift);
    const ir::ValueId zp_id = g_.AddConstant(UniqueValueName(g_, g_.value(data).name + "_zero_point"), zp);
    ir::Node& m = g_.node(id);
    m.inputs.resize(3, ir::kNoValue);
    m.inputs[2] = zp_id;
  }

  ir::Graph& g_;
  std::vector<ir::ValueId> int8_;   // per original value: its int8 form
  std::vector<ir::ValueId> uint8_;  // per original value: its uint8 form
  std::map<ir::ValueId, ir::ValueId> shifted_;
  std::map<std::string, int> used_node_names_;
  int converted_ = 0;
  int requantizes_ = 0;
};

}  // namespace

Status ActivationsToInt8(ir::Graph& g, Int8ActivationsReport* report) {
  Converter c(g);
  return c.Run(report);
}

}  // namespace qforge::passes
