// Factories of the XNNPACK-backed kernels (entries of opt::KernelList).
#pragma once

#include "kernels/opt_kernel.h"

namespace qforge::kernels::xnn {

Result<std::unique_ptr<opt::PreparedKernel>> CreateConv(const opt::NodeInfo& info);
// NhwcRule of CreateConv: float32 activations and weights, or int8 ones.
bool ConvRunsNhwc(const ir::Graph& graph, const ir::Node& node);
// Float 1-D Conv (rank-3 NCW) as a 2-D one with H = 1.
Result<std::unique_ptr<opt::PreparedKernel>> CreateConv1d(const opt::NodeInfo& info);
Result<std::unique_ptr<opt::PreparedKernel>> CreateGemm(const opt::NodeInfo& info);
// Add, Sub and Mul.
Result<std::unique_ptr<opt::PreparedKernel>> CreateBinary(const opt::NodeInfo& info);
// Float Sigmoid, HardSwish, LeakyRelu, Sqrt, Relu / Clip with constant bounds,
// Pow(x, 2).
Result<std::unique_ptr<opt::PreparedKernel>> CreateUnaryF32(const opt::NodeInfo& info);
Result<std::unique_ptr<opt::PreparedKernel>> CreateMaxPool(const opt::NodeInfo& info);
bool MaxPoolRunsNhwc(const ir::Graph& graph, const ir::Node& node);
Result<std::unique_ptr<opt::PreparedKernel>> CreateGlobalAveragePool(const opt::NodeInfo& info);
bool GlobalAveragePoolRunsNhwc(const ir::Graph& graph, const ir::Node& node);
// Float LSTM, GRU and RNN with constant weights (xnn_recurrent.cc).
Result<std::unique_ptr<opt::PreparedKernel>> CreateRecurrent(const opt::NodeInfo& info);

}  // namespace qforge::kernels::xnn
