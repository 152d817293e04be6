#include <algorithm>
#include <array>

#include "kernels/opt/convert_kernels.h"
#include "kernels/opt/hybrid_kernel.h"
#include "kernels/opt/lut_kernel.h"
#include "kernels/opt/minmax_kernel.h"
#include "kernels/opt/qconv_kernel.h"
#include "kernels/opt_kernel.h"
#include "kernels/xnnpack/xnn_kernels.h"

namespace qforge::kernels::opt {

namespace {

constexpr std::array<KernelEntry, 19> kKernels = {{
    {"qforge.qconv2d", &CreateOwnQConv, &OwnQConvRunsNhwc},
    {"qforge.qfully_connected", &CreateOwnQGemm},
    {"qforge.hybrid_conv2d", &CreateHybridConv, &HybridConvRunsNhwc},
    {"qforge.hybrid_dwconv2d", &CreateHybridDepthwiseConv, &HybridDepthwiseConvRunsNhwc},
    {"qforge.hybrid_fully_connected", &CreateHybridGemm},
    {"qforge.hybrid_matmul", &CreateHybridMatMul},
    {"xnnpack.conv2d", &xnn::CreateConv, &xnn::ConvRunsNhwc},
    {"xnnpack.conv1d", &xnn::CreateConv1d},
    {"xnnpack.fully_connected", &xnn::CreateGemm},
    {"xnnpack.binary", &xnn::CreateBinary},
    {"xnnpack.unary_f32", &xnn::CreateUnaryF32},
    {"xnnpack.max_pool2d", &xnn::CreateMaxPool, &xnn::MaxPoolRunsNhwc},
    {"xnnpack.global_average_pool", &xnn::CreateGlobalAveragePool, &xnn::GlobalAveragePoolRunsNhwc},
    {"xnnpack.recurrent_f32", &xnn::CreateRecurrent},
    {"qforge.quantize", &CreateQuantize},
    {"qforge.dequantize", &CreateDequantize},
    {"qforge.transpose", &CreateTranspose},
    {"qforge.lut8", &CreateLut},
    {"qforge.minmax", &CreateMinMax},
}};

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
  return std::any_of(kKernels.begin(), kKernels.end(), [&](const KernelEntry& e) {
    return e.runs_nhwc != nullptr && e.runs_nhwc(graph, node);
  });
}

const ir::TensorType* NhwcInput(const ir::Graph& graph, const ir::Node& node) {
  if (node.inputs.empty() || node.inputs[0] == ir::kNoValue) return nullptr;
  const ir::TensorType& x = graph.value(node.inputs[0]).type;
  if (!x.rank_known || x.dims.size() != 4) return nullptr;
  return x.dtype == DataType::kFloat32 || x.dtype == DataType::kInt8 ? &x : nullptr;
}

DataType InputDtype(const ir::Graph& graph, const ir::Node& node, size_t i) {
  return node.input(i) == ir::kNoValue ? DataType::kUndefined : graph.value(node.inputs[i]).type.dtype;
}

}  // namespace qforge::kernels::opt
