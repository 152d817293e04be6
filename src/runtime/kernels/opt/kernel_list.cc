#include <array>

#include "runtime/kernels/opt/convert_kernels.h"
#include "runtime/kernels/opt/hybrid_kernel.h"
#include "runtime/kernels/opt/lut_kernel.h"
#include "runtime/kernels/opt/opt_kernel.h"
#include "runtime/kernels/opt/qconv_kernel.h"
#include "runtime/kernels/xnnpack/xnn_kernels.h"

namespace qforge::kernels::opt {

namespace {

constexpr std::array<KernelEntry, 16> kKernels = {{
    {"qforge.qconv2d", &CreateOwnQConv},
    {"qforge.qfully_connected", &CreateOwnQGemm},
    {"qforge.hybrid_conv2d", &CreateHybridConv},
    {"qforge.hybrid_dwconv2d", &CreateHybridDepthwiseConv},
    {"qforge.hybrid_fully_connected", &CreateHybridGemm},
    {"qforge.hybrid_matmul", &CreateHybridMatMul},
    {"xnnpack.conv2d", &xnn::CreateConv},
    {"xnnpack.fully_connected", &xnn::CreateGemm},
    {"xnnpack.binary", &xnn::CreateBinary},
    {"xnnpack.unary_f32", &xnn::CreateUnaryF32},
    {"xnnpack.max_pool2d", &xnn::CreateMaxPool},
    {"xnnpack.global_average_pool", &xnn::CreateGlobalAveragePool},
    {"qforge.quantize", &CreateQuantize},
    {"qforge.dequantize", &CreateDequantize},
    {"qforge.transpose", &CreateTranspose},
    {"qforge.lut8", &CreateLut},
}};

bool FloatOrInt8(DataType t) { return t == DataType::kFloat32 || t == DataType::kInt8; }

}  // namespace

std::span<const KernelEntry> KernelList() { return kKernels; }

Result<std::unique_ptr<PreparedKernel>> ChooseKernel(const NodeInfo& info, std::string_view only_family) {
  for (const KernelEntry& e : kKernels) {
    if (!only_family.empty() && only_family != e.family) continue;
    auto k = e.create(info);
    if (!k.ok() || *k != nullptr) return k;
  }
  return std::unique_ptr<PreparedKernel>();
}

bool WantsNhwc(const ir::Graph& graph, const ir::Node& node) {
  if (node.inputs.empty() || node.inputs[0] == ir::kNoValue) return false;
  const ir::TensorType& x = graph.value(node.inputs[0]).type;
  if (!x.rank_known || x.dims.size() != 4 || !FloatOrInt8(x.dtype)) return false;
  switch (node.op) {
    case OpKind::kConv: {
      if (node.inputs.size() < 2 || node.inputs[1] == ir::kNoValue) return false;
      // Hybrid (float activations, int8 weights): dense and depthwise kernels.
      const ir::TensorType& wt = graph.value(node.inputs[1]).type;
      const DataType w = wt.dtype;
      if (x.dtype == DataType::kFloat32 && w == DataType::kInt8) {
        const int64_t group = node.attrs.GetInt("group", 1);
        return group == 1 || (group == x.dims[1] && !wt.dims.empty() && wt.dims[0] == group);
      }
      return (x.dtype == DataType::kFloat32) == (w == DataType::kFloat32);
    }
    case OpKind::kMaxPool:
    case OpKind::kGlobalAveragePool:
      return node.outputs.size() == 1;
    default:
      return false;
  }
}

}  // namespace qforge::kernels::opt
