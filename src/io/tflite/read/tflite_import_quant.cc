// TFLite's type-changing operators: QUANTIZE, DEQUANTIZE (int8 and float16
// weights, activations) and CAST.
#include "io/tflite/read/tflite_import_ops.h"
#include "io/tflite/read/tflite_verify.h"

namespace qforge::io::tflite_import {

namespace {

// The ONNX TensorProto.DataType code of a dtype (the IR's Cast "to").
int64_t OnnxTypeCode(DataType t) {
  switch (t) {
    case DataType::kFloat32:
      return 1;
    case DataType::kUInt8:
      return 2;
    case DataType::kInt8:
      return 3;
    case DataType::kInt16:
      return 5;
    case DataType::kInt32:
      return 6;
    case DataType::kInt64:
      return 7;
    case DataType::kBool:
      return 9;
    case DataType::kFloat16:
      return 10;
    case DataType::kFloat64:
      return 11;
    default:
      return 0;
  }
}

// Scale and zero-point constants of a Quantize/DequantizeLinear: scalars
// per tensor, 1-D per axis.
std::vector<ir::ValueId> QdqParams(OpArgs& a, const QuantParams& p, DataType zp_type) {
  const int64_t n = static_cast<int64_t>(p.scale.size());
  const std::vector<int64_t> dims = p.per_axis() ? std::vector<int64_t>{n} : std::vector<int64_t>{};
  Tensor scale(DataType::kFloat32, dims);
  std::copy(p.scale.begin(), p.scale.end(), scale.data<float>());
  Tensor zp(zp_type, dims);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t z = p.zero_point[static_cast<size_t>(i)];
    if (zp_type == DataType::kInt8) zp.data<int8_t>()[i] = static_cast<int8_t>(z);
    if (zp_type == DataType::kUInt8) zp.data<uint8_t>()[i] = static_cast<uint8_t>(z);
    if (zp_type == DataType::kInt16) zp.data<int16_t>()[i] = static_cast<int16_t>(z);
    if (zp_type == DataType::kInt32) zp.data<int32_t>()[i] = static_cast<int32_t>(z);
  }
  return {a.ctx.AddConstant(a.name + "_scale", std::move(scale)),
          a.ctx.AddConstant(a.name + "_zero_point", std::move(zp))};
}

}  // namespace

Status ImportQuantize(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  const QuantParams out_q = a.ctx.QuantOf(a.out(0));
  if (out_q.empty())
    return a.Invalid("output " + DescribeTensor(a.ctx.subgraph(), a.out(0)) + " has no quantization");
  const DataType in_t = a.ctx.Dtype(a.in(0));
  const ir::ValueId x = a.ctx.Value(a.in(0)), out = a.ctx.Value(a.out(0));
  if (!IsFloat(in_t)) {
    // Integer -> integer: TFLite's requantization.
    a.ctx.AddNode(a.name, OpKind::kRequantize, {x}, {out});
    return Status::Ok();
  }
  std::vector<ir::ValueId> inputs = {x};
  for (ir::ValueId v : QdqParams(a, out_q, a.ctx.Dtype(a.out(0)))) inputs.push_back(v);
  ir::Attributes attrs;
  if (out_q.per_axis()) attrs.Set("axis", int64_t{out_q.axis});
  a.ctx.AddNode(a.name, OpKind::kQuantizeLinear, std::move(inputs), {out}, std::move(attrs));
  return Status::Ok();
}

Status ImportDequantize(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  const DataType in_t = a.ctx.Dtype(a.in(0));
  const ir::ValueId x = a.ctx.Value(a.in(0)), out = a.ctx.Value(a.out(0));
  if (in_t == DataType::kFloat16) {
    // float16 weights: the IR's Cast(float16 -> float32).
    ir::Attributes attrs;
    attrs.Set("to", OnnxTypeCode(a.ctx.Dtype(a.out(0))));
    a.ctx.AddNode(a.name, OpKind::kCast, {x}, {out}, std::move(attrs));
    return Status::Ok();
  }
  const QuantParams q = a.ctx.QuantOf(a.in(0));
  if (q.empty())
    return a.Invalid("input " + DescribeTensor(a.ctx.subgraph(), a.in(0)) + " has no quantization");
  std::vector<ir::ValueId> inputs = {x};
  for (ir::ValueId v : QdqParams(a, q, in_t)) inputs.push_back(v);
  ir::Attributes attrs;
  if (q.per_axis()) attrs.Set("axis", int64_t{q.axis});
  a.ctx.AddNode(a.name, OpKind::kDequantizeLinear, std::move(inputs), {out}, std::move(attrs));
  return Status::Ok();
}

Status ImportCast(OpArgs& a) {
  QF_RETURN_IF_ERROR(a.CheckArity(1, 1, 1, 1));
  ir::Attributes attrs;
  attrs.Set("to", OnnxTypeCode(a.ctx.Dtype(a.out(0))));
  a.ctx.AddNode(a.name, OpKind::kCast, {a.ctx.Value(a.in(0))}, {a.ctx.Value(a.out(0))}, std::move(attrs));
  return Status::Ok();
}

}  // namespace qforge::io::tflite_import
