// A 256-entry table kernel for element-wise ops on 8-bit quantized values,
// built from the reference kernel (exact by construction).
#pragma once

#include "kernels/opt_kernel.h"

namespace qforge::kernels::opt {

Result<std::unique_ptr<PreparedKernel>> CreateLut(const NodeInfo& info);

}  // namespace qforge::kernels::opt
