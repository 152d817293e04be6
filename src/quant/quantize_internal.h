// Shared by the quantizer's mode implementations; not a public API.
#pragma once

#include <set>
#include <string>

#include "ir/graph.h"
#include "quant/quantizer.h"

namespace qforge::quant {

// Unique value and node names within one graph: a new name is the hint if
// it is free, else hint_1, hint_2, ...
class NameTable {
 public:
  explicit NameTable(const ir::Graph* g);
  std::string Make(const std::string& hint);      // value names
  std::string MakeNode(const std::string& hint);  // node names
 private:
  std::set<std::string> values_;
  std::set<std::string> nodes_;
};

// Scale / zero-point constants for a Quantize/DequantizeLinear of `base`:
// scalars when per tensor, 1-D when per axis.
ir::ValueId AddScale(ir::Graph& g, NameTable& names, const std::string& base, const QuantParams& p);
ir::ValueId AddZeroPoint(ir::Graph& g, NameTable& names, const std::string& base, const QuantParams& p,
                         DataType dtype);

// The int8 modes' node selection without calibrated ranges: Ok, or the
// error the quantizer would give after calibration for a node without an
// integer form (int8-only lists every such node), an already quantized model.
Status CheckIntegerCoverage(const ir::Graph& g, const QuantizeOptions& opt);
Status QuantizeStatic(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* report);
Status QuantizeWeightsOnly(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* report);
Status QuantizeDynamic(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* report);
Status QuantizeFloat16(ir::Graph* g, const QuantizeOptions& opt, QuantizeReport* report);

}  // namespace qforge::quant
