// Element-wise ops on one 8-bit quantized input whose every output byte
// depends only on the input byte (the op table's table8 fact: Requantize,
// Relu/Clip, the table activations, int8 <-> uint8 at the graph's
// boundary): the 256-entry table
// is computed at prepare by running the node's reference kernel on all 256
// codes, so the result is the reference's by construction.
#include "kernels/opt/lut_kernel.h"

#include <array>
#include <cstring>

#include "kernels/kernel.h"
#include "ops/op_table.h"

namespace qforge::kernels::opt {

namespace {

bool Is8Bit(const ir::TensorType& t) {
  return (t.dtype == DataType::kInt8 || t.dtype == DataType::kUInt8) && !t.quant.empty() &&
         !t.quant.per_axis();
}

class LutKernel final : public PreparedKernel {
 public:
  explicit LutKernel(const std::array<uint8_t, 256>& table) : table_(table) {}
  std::string name() const override { return "lut_x8_table256_portable"; }
  Status Run(KernelContext& ctx, const RunResources&) override {
    const uint8_t* x = static_cast<const uint8_t*>(ctx.in(0).raw_data());
    uint8_t* y = static_cast<uint8_t*>(ctx.out(0).raw_data());
    const int64_t n = ctx.in(0).num_elements();
    for (int64_t i = 0; i < n; ++i) y[i] = table_[x[i]];
    return Status::Ok();
  }

 private:
  std::array<uint8_t, 256> table_;
};

}  // namespace

Result<std::unique_ptr<PreparedKernel>> CreateLut(const NodeInfo& info) {
  const ir::Node& node = *info.node;
  if (ops::FactsOf(*info.graph, node).table8 != ops::Fact::kYes || info.out_types.size() != 1 ||
      info.out_types[0] == nullptr || !Is8Bit(info.in(0)) || !Is8Bit(info.out(0)))
    return std::unique_ptr<PreparedKernel>();
  // Every other input (Clip's bounds) must be a constant.
  for (size_t i = 1; i < info.num_inputs(); ++i)
    if (info.has_in(i) && info.constant(i) == nullptr) return std::unique_ptr<PreparedKernel>();

  Tensor codes(info.in(0).dtype, {256});
  for (int c = 0; c < 256; ++c) static_cast<uint8_t*>(codes.raw_data())[c] = static_cast<uint8_t>(c);
  codes.set_quant(info.in(0).quant);
  Tensor out(info.out(0).dtype, {256});
  out.set_quant(info.out(0).quant);
  KernelContext ctx;
  ctx.graph = info.graph;
  ctx.node = &node;
  ctx.inputs.push_back(&codes);
  for (size_t i = 1; i < info.num_inputs(); ++i)
    ctx.inputs.push_back(info.has_in(i) ? info.constant(i) : nullptr);
  ctx.outputs.push_back(&out);
  // A node the reference rejects stays with the reference (and fails there).
  if (!ref::RunKernel(ctx).ok()) return std::unique_ptr<PreparedKernel>();
  std::array<uint8_t, 256> table;
  std::memcpy(table.data(), out.raw_data(), 256);
  return std::unique_ptr<PreparedKernel>(std::make_unique<LutKernel>(table));
}

}  // namespace qforge::kernels::opt
