#include "ops/layout_infer.h"

#include <string>

namespace qforge::ops {

namespace {

Status InferNhwc(InferContext& ctx, Status (*nchw_infer)(InferContext&)) {
  const ir::TensorType& x = ctx.input(0);
  if (!x.rank_known || x.rank() != 4) return ctx.Invalid("qf_layout NHWC needs a 4-D input");
  ir::TensorType nchw = x;
  nchw.dims = {x.dims[0], x.dims[3], x.dims[1], x.dims[2]};
  if (x.dim_names.size() == 4)
    nchw.dim_names = {x.dim_names[0], x.dim_names[3], x.dim_names[1], x.dim_names[2]};
  nchw.layout = ir::Layout::kNCHW;
  InferContext inner = ctx;
  inner.inputs[0] = &nchw;
  if (!inner.values.empty()) inner.values[0] = nullptr;  // NCHW inference reads no data of X
  QF_RETURN_IF_ERROR(nchw_infer(inner));
  ir::TensorType y = std::move(inner.outputs[0]);
  if (y.rank_known && y.rank() == 4) y.dims = {y.dims[0], y.dims[2], y.dims[3], y.dims[1]};
  y.layout = ir::Layout::kNHWC;
  ctx.outputs[0] = std::move(y);
  return Status::Ok();
}

}  // namespace

Status InferWithLayout(InferContext& ctx, Status (*nchw)(InferContext&)) {
  const std::string layout = ctx.attrs().GetString("qf_layout", "");
  if (layout.empty()) return nchw(ctx);
  if (layout != "NHWC") return ctx.Invalid("qf_layout '" + layout + "' is not NHWC");
  return InferNhwc(ctx, nchw);
}

}  // namespace qforge::ops
