// Entries of the optimized list backed by qforge's own int8 convolution
// (kernels/x86/qconv.h).
#pragma once

#include "runtime/kernels/opt/opt_kernel.h"

namespace qforge::kernels::opt {

Result<std::unique_ptr<PreparedKernel>> CreateOwnQConv(const NodeInfo& info);
Result<std::unique_ptr<PreparedKernel>> CreateOwnQGemm(const NodeInfo& info);

}  // namespace qforge::kernels::opt
