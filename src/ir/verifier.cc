#include <string>
#include <vector>

#include "ir/graph.h"

namespace qforge::ir {

namespace {
bool ValidId(const Graph& g, ValueId id) { return id >= 0 && static_cast<size_t>(id) < g.values.size(); }

// If: both branches are valid graphs binding the If's captured inputs
// (inputs 1..) and giving its outputs, with the same dtypes where known.
Status VerifyBranches(const Graph& g, const Node& n) {
  for (const char* name : {"then_branch", "else_branch"}) {
    const Graph* b = n.attrs.GetGraph(name);
    const std::string where = g.Describe(n) + ": " + name;
    if (b == nullptr) return InvalidModel(where + " is missing");
    if (b->inputs.size() + 1 != n.inputs.size() || b->outputs.size() != n.outputs.size()) {
      return InvalidModel(where + " has " + std::to_string(b->inputs.size()) + " inputs and " +
                          std::to_string(b->outputs.size()) + " outputs; the If has " +
                          std::to_string(n.inputs.size() - 1) + " captured values and " +
                          std::to_string(n.outputs.size()) + " outputs");
    }
    Status s = VerifyGraph(*b);
    if (!s.ok()) return s.WithContext(where + ": ");
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      const DataType want =
          n.outputs[i] == kNoValue ? DataType::kUndefined : g.value(n.outputs[i]).type.dtype;
      const DataType got = b->value(b->outputs[i]).type.dtype;
      if (want != DataType::kUndefined && got != DataType::kUndefined && want != got) {
        return InvalidModel(where + " output " + std::to_string(i) + " is " + DataTypeName(got) +
                            ", the If's is " + DataTypeName(want));
      }
    }
  }
  return Status::Ok();
}
}  // namespace

Status VerifyGraph(const Graph& g) {
  std::vector<int> producers(g.values.size(), 0);
  std::vector<char> available(g.values.size(), 0);
  for (size_t i = 0; i < g.values.size(); ++i) {
    const Value& v = g.values[i];
    if (v.is_constant()) {
      available[i] = 1;
      const Tensor& t = *v.constant;
      if (t.dtype() != v.type.dtype || t.dims() != v.type.dims) {
        return InvalidModel("constant '" + v.name + "' has data " + DataTypeName(t.dtype()) +
                            t.ShapeString() + " but type " + v.type.ToString());
      }
    }
  }
  for (ValueId in : g.inputs) {
    if (!ValidId(g, in)) return InvalidModel("graph input id " + std::to_string(in) + " out of range");
    if (g.value(in).is_constant())
      return InvalidModel("graph input '" + g.value(in).name + "' is a constant");
    available[static_cast<size_t>(in)] = 1;
    ++producers[static_cast<size_t>(in)];
  }
  for (const Node& n : g.nodes) {
    if (n.removed) continue;
    const OpInfo& info = GetOpInfo(n.op);
    const int nin = static_cast<int>(n.inputs.size());
    const int nout = static_cast<int>(n.outputs.size());
    if (nin < info.min_inputs || nin > info.max_inputs) {
      return InvalidModel(g.Describe(n) + ": has " + std::to_string(nin) + " inputs, expected " +
                          std::to_string(info.min_inputs) + ".." + std::to_string(info.max_inputs));
    }
    if (nout < info.min_outputs || nout > info.max_outputs) {
      return InvalidModel(g.Describe(n) + ": has " + std::to_string(nout) + " outputs, expected " +
                          std::to_string(info.min_outputs) + ".." + std::to_string(info.max_outputs));
    }
    for (ValueId in : n.inputs) {
      if (in == kNoValue) continue;
      if (!ValidId(g, in)) return InvalidModel(g.Describe(n) + ": input id out of range");
      if (!available[static_cast<size_t>(in)]) {
        return InvalidModel(g.Describe(n) + ": reads '" + g.value(in).name +
                            "' before it is produced (undefined value or nodes not in topological order)");
      }
    }
    for (ValueId out : n.outputs) {
      if (out == kNoValue) continue;
      if (!ValidId(g, out)) return InvalidModel(g.Describe(n) + ": output id out of range");
      if (g.value(out).is_constant()) {
        return InvalidModel(g.Describe(n) + ": writes constant '" + g.value(out).name + "'");
      }
      if (++producers[static_cast<size_t>(out)] > 1) {
        return InvalidModel(g.Describe(n) + ": value '" + g.value(out).name + "' has more than one producer");
      }
      available[static_cast<size_t>(out)] = 1;
    }
    if (n.op == OpKind::kIf) QF_RETURN_IF_ERROR(VerifyBranches(g, n));
  }
  for (ValueId out : g.outputs) {
    if (!ValidId(g, out)) return InvalidModel("graph output id out of range");
    if (!available[static_cast<size_t>(out)]) {
      return InvalidModel("graph output '" + g.value(out).name + "' is never produced");
    }
  }
  return Status::Ok();
}

std::string PrintGraph(const Graph& g) {
  std::string s = "graph '" + g.name + "'\n";
  auto name_of = [&](ValueId id) { return id == kNoValue ? std::string("<none>") : g.value(id).name; };
  for (ValueId in : g.inputs) s += "  input  " + g.value(in).name + ": " + g.value(in).type.ToString() + "\n";
  for (const Node& n : g.nodes) {
    if (n.removed) continue;
    s += "  " + g.Describe(n) + " (";
    for (size_t i = 0; i < n.inputs.size(); ++i) s += (i ? ", " : "") + name_of(n.inputs[i]);
    s += ") -> (";
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      s += (i ? ", " : "") + name_of(n.outputs[i]);
      if (n.outputs[i] != kNoValue) s += ": " + g.value(n.outputs[i]).type.ToString();
    }
    s += ")\n";
  }
  for (ValueId out : g.outputs)
    s += "  output " + g.value(out).name + ": " + g.value(out).type.ToString() + "\n";
  return s;
}

}  // namespace qforge::ir
