#include "ops/op_table.h"

#include <array>
#include <initializer_list>
#include <string_view>

namespace qforge::ops {

// The attribute-dependent facts are decided in the op's family file.
namespace resize {
OpFacts RefineFacts(const OpFacts& row, const ir::Graph& g, const ir::Node& n);
}
namespace quantize_linear {
OpFacts RefineFacts(const OpFacts& row, const ir::Graph& g, const ir::Node& n);
}
namespace dequantize_linear {
OpFacts RefineFacts(const OpFacts& row, const ir::Graph& g, const ir::Node& n);
}

namespace {

constexpr std::array<OpFacts, static_cast<size_t>(OpKind::kCount)> kRows = {{
#define QF_FACTS(kind, layout, quant, table8, shift_exact, keep_minmax, fused_activation, weighted, \
                 explicit_qparams, refine)                                                          \
  {OpKind::k##kind,           Layout::k##layout,                                                    \
   QuantForm::k##quant,       Fact::k##table8,                                                      \
   Fact::k##shift_exact,      Fact::k##keep_minmax,                                                 \
   Fact::k##fused_activation, Fact::k##weighted,                                                    \
   Fact::k##explicit_qparams, refine},
#include "ops/op_table.def"
#undef QF_FACTS
}};

// Every op of ops.def has its row, in ops.def's order.
constexpr bool RowsMatchOpsDef() {
  for (size_t i = 0; i < kRows.size(); ++i) {
    if (kRows[i].kind != static_cast<OpKind>(i)) return false;
  }
  return true;
}
static_assert(RowsMatchOpsDef(), "op_table.def must have one row per op of ops.def, in the same order");

constexpr bool HasDepends(const OpFacts& r) {
  for (Fact f :
       {r.table8, r.shift_exact, r.keep_minmax, r.fused_activation, r.weighted, r.explicit_qparams}) {
    if (f == Fact::kDepends) return true;
  }
  return false;
}

// Whether each row names a refine function, read from the row's text: with
// the sanitizers, GCC does not evaluate `function pointer != nullptr` at
// compile time.
constexpr std::array<bool, static_cast<size_t>(OpKind::kCount)> kNamesRefine = {{
#define QF_FACTS(kind, layout, quant, table8, shift_exact, keep_minmax, fused_activation, weighted, \
                 explicit_qparams, refine)                                                          \
  std::string_view(#refine) != "nullptr",
#include "ops/op_table.def"
#undef QF_FACTS
}};

constexpr bool RefineWhereNeeded() {
  for (size_t i = 0; i < kRows.size(); ++i) {
    if (HasDepends(kRows[i]) != kNamesRefine[i]) return false;
  }
  return true;
}
static_assert(RefineWhereNeeded(), "a row has a refine function exactly when one of its facts is kDepends");

}  // namespace

const OpFacts& RowOf(OpKind kind) { return kRows[static_cast<size_t>(kind)]; }

OpFacts FactsOf(const ir::Graph& g, const ir::Node& n) {
  const OpFacts& row = RowOf(n.op);
  return row.refine != nullptr ? row.refine(row, g, n) : row;
}

}  // namespace qforge::ops
