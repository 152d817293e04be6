// Entries of the optimized list backed by qforge's own int8 convolution
// (kernels/x86/qconv.h).
#pragma once

#include "kernels/opt_kernel.h"
#include "kernels/x86/qconv.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::opt {

Result<std::unique_ptr<PreparedKernel>> CreateOwnQConv(const NodeInfo& info);
// NhwcRule of CreateOwnQConv: a Conv of int8 activations and weights, group 1.
bool OwnQConvRunsNhwc(const ir::Graph& graph, const ir::Node& node);

// The 2-D window of a resolved conv shape into the own kernel's descriptor
// (shared with the hybrid kernels); false for negative (cropping) pads.
bool FillWindow(const ops::ConvShape& s, x86::QConvDesc* d);
Result<std::unique_ptr<PreparedKernel>> CreateOwnQGemm(const NodeInfo& info);

// Shared with the hybrid fully connected kernels: a Gemm the kernels take
// (transA 0, alpha = beta = 1), and a 2-D int8 weight ([k, n], or [n, k]
// when trans_b) as [n, k], one row per output channel: QConv's OIHW for a 1x1
// window.
bool IsPlainGemm(const ir::Node& node);
std::vector<int8_t> FullyConnectedWeight(const Tensor& w, bool trans_b);

}  // namespace qforge::kernels::opt
