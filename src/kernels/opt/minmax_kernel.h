// Float Max / Min of two inputs with numpy broadcasting (qforge's own: the
// XNNPACK maximum / minimum operators do not propagate NaN, the reference
// and ONNX Runtime do).
#pragma once

#include "kernels/opt_kernel.h"

namespace qforge::kernels::opt {

Result<std::unique_ptr<PreparedKernel>> CreateMinMax(const NodeInfo& info);

}  // namespace qforge::kernels::opt
