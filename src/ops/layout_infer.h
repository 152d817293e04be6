// Shape inference of the spatial ops that may carry the runtime-only
// attribute qf_layout = "NHWC" (set by passes::ConvertToNhwc): X and Y are
// (N, H, W, C), the weight stays OIHW and the window attributes keep their
// (H, W) meaning, so the NCHW rules apply to X's dims permuted to NCHW.
#pragma once

#include "ops/infer.h"
#include "qforge/status.h"

namespace qforge::ops {

// Runs `nchw` directly without the attribute, or on the permuted dims with
// it (an error for another value or a non-4-D input).
Status InferWithLayout(InferContext& ctx, Status (*nchw)(InferContext&));

}  // namespace qforge::ops
