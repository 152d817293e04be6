#include "kernels/ref/quantized/int_conv.h"

#include <algorithm>

#include "kernels/ref/onnx_integer/qconv_core.h"
#include "kernels/ref/onnx_integer/qint_common.h"
#include "kernels/ref/quantized/int_linear.h"
#include "ops/conv_attrs.h"

namespace qforge::kernels::ref {

namespace {

// The geometry of ctx's Conv from its actual tensors, as the float kernel
// resolves it (same attribute rules).
Status ResolveShape(const KernelContext& ctx, ops::ConvShape* g) {
  Status s = ops::ResolveConvShape(ctx.attrs(), ctx.in(0).dims(), ctx.in(1).dims(), g);
  return s.ok() ? s : ctx.Error(s.message());
}

// Number of output elements per (batch, channel) plane.
int64_t PlaneSize(const ops::ConvShape& g) {
  int64_t n = 1;
  for (int64_t d : g.window.out) n *= d;
  return n;
}

// The int8 weight values as int32 (zero point 0: nothing to subtract).
std::vector<int32_t> WeightValues(const Tensor& w) {
  const int32_t zero[] = {0};
  return CenteredValues(w, zero, 0);
}

}  // namespace

Status RunIntegerConv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Tensor* bias = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  ops::ConvShape g;
  QF_RETURN_IF_ERROR(ResolveShape(ctx, &g));
  ChannelRequant requant;
  const QuantParams& xq = InputQuant(ctx, 0);
  const QuantParams& wq = InputQuant(ctx, 1);
  QF_RETURN_IF_ERROR(MakeChannelRequant(ctx, xq, wq, bias, g.out_channels, &requant));
  const int32_t x_zero[] = {ZeroPointOf(xq)};
  // Centering x before the convolution makes padded positions (skipped by
  // IntegerConv) equal to q_x = Z_x.
  const std::vector<int64_t> acc = IntegerConv(CenteredValues(x, x_zero, 0), WeightValues(w), g);
  const int64_t plane = PlaneSize(g);
  std::vector<int32_t> q(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t channel = (static_cast<int64_t>(i) / plane) % g.out_channels;
    q[i] = requant.Apply(acc[i], channel);
  }
  StoreInts(q, &ctx.out(0));
  return Status::Ok();
}

Status RunHybridConv(KernelContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Tensor* bias = ctx.has_in(2) ? ctx.inputs[2] : nullptr;
  ops::ConvShape g;
  QF_RETURN_IF_ERROR(ResolveShape(ctx, &g));
  const QuantParams& wq = InputQuant(ctx, 1);
  QF_RETURN_IF_ERROR(CheckWeightScales(ctx, wq, g.out_channels));
  if (bias != nullptr && (bias->dtype() != DataType::kFloat32 || bias->num_elements() != g.out_channels)) {
    return ctx.Error("bias " + bias->ShapeString() + " is not float32 with one value per output channel");
  }
  const DynamicQuant xq = QuantizeDynamic(x.span<float>());
  const std::vector<int64_t> acc = IntegerConv(xq.centered, WeightValues(w), g);
  const int64_t plane = PlaneSize(g);
  float* y = ctx.out(0).data<float>();
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t c = (static_cast<int64_t>(i) / plane) % g.out_channels;
    y[i] = HybridOutput(acc[i], xq.scale, ChannelScale(wq, c), bias != nullptr,
                        bias != nullptr ? bias->data<float>()[c] : 0.0f);
  }
  return Status::Ok();
}

}  // namespace qforge::kernels::ref
