#include "io/tflite/write/tflite_op_version.h"

#include <algorithm>
#include <cstdlib>

namespace qforge::io {
namespace {

using tflite::BuiltinOperator;
using tflite::TensorType;
namespace T = tflite;  // short enum prefixes below: T::TensorType_INT8, T::BuiltinOperator_ADD

// Type tests that read a missing or omitted tensor as "no type", the way
// TFLite's signature reads an optional input of -1, so a short signature
// never indexes out of range.
bool InIs(const TfliteOpSig& sig, size_t i, TensorType type) {
  return i < sig.inputs.size() && sig.inputs[i].present && sig.inputs[i].type == type;
}
bool OutIs(const TfliteOpSig& sig, size_t i, TensorType type) {
  return i < sig.outputs.size() && sig.outputs[i].present && sig.outputs[i].type == type;
}
bool InPerChannel(const TfliteOpSig& sig, size_t i) {
  return i < sig.inputs.size() && sig.inputs[i].present && sig.inputs[i].per_channel;
}
int Rank(const TfliteTensorSig& t) { return std::max(t.rank, static_cast<int>(t.shape.size())); }
int InRank(const TfliteOpSig& sig, size_t i) { return i < sig.inputs.size() ? Rank(sig.inputs[i]) : 0; }

// A float activation with an int8 weight and a float result: TFLite's "hybrid" kernels.
bool IsHybrid(const TfliteOpSig& sig) {
  return InIs(sig, 0, T::TensorType_FLOAT32) && InIs(sig, 1, T::TensorType_INT8) &&
         OutIs(sig, 0, T::TensorType_FLOAT32);
}
bool IsInt8Full(const TfliteOpSig& sig) {
  return InIs(sig, 0, T::TensorType_INT8) && InIs(sig, 1, T::TensorType_INT8) &&
         OutIs(sig, 0, T::TensorType_INT8);
}

// TFLite bumps some binary ops when the two inputs have different shapes
// (broadcast) and the larger has more than 4 dimensions (the 5-D kernels).
bool BroadcastOver4D(const TfliteOpSig& sig) {
  if (sig.inputs.size() < 2) return false;
  const TfliteTensorSig& a = sig.inputs[0];
  const TfliteTensorSig& b = sig.inputs[1];
  bool differ = a.shape.empty() && b.shape.empty() ? Rank(a) != Rank(b) : a.shape != b.shape;
  return differ && std::max(Rank(a), Rank(b)) > 4;
}

// The common ladder: int16 -> 3, int8 -> 2, otherwise 1 (uint8 is the original
// quantized form of these ops, so it stays at 1).
int Int16Is3Int8Is2(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_INT16)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int ConvVersion(const TfliteOpSig& sig) {
  // 16x8 with an explicit quantized bias type.
  if (InIs(sig, 0, T::TensorType_INT16) && InIs(sig, 1, T::TensorType_INT8) &&
      OutIs(sig, 0, T::TensorType_INT16) && sig.quantized_bias_type != T::TensorType_FLOAT32) {
    return 8;
  }
  if (sig.grouped) return 6;
  // TFLite's rule reads the int16 output at index 1 (a slip in its source);
  // the intent, and what qforge checks, is output 0.
  if (InIs(sig, 0, T::TensorType_INT16) && InIs(sig, 1, T::TensorType_INT16) &&
      OutIs(sig, 0, T::TensorType_INT16)) {
    return 4;
  }
  if (IsInt8Full(sig)) return 3;
  if (IsHybrid(sig)) return InPerChannel(sig, 1) ? 5 : 2;
  return 1;
}

int DepthwiseVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_INT16) && InIs(sig, 1, T::TensorType_INT16) &&
      OutIs(sig, 0, T::TensorType_INT16)) {
    return 5;
  }
  if (IsHybrid(sig)) return InPerChannel(sig, 1) ? 6 : 4;
  if (IsInt8Full(sig)) return 3;
  if (sig.dilation_h != 1 || sig.dilation_w != 1) return 2;
  return 1;
}

int FullyConnectedVersion(const TfliteOpSig& sig) {
  if (IsHybrid(sig) && InPerChannel(sig, 1)) return 12;
  if (InIs(sig, 0, T::TensorType_INT16) && InIs(sig, 1, T::TensorType_INT8) &&
      OutIs(sig, 0, T::TensorType_INT16) && sig.quantized_bias_type != T::TensorType_FLOAT32) {
    return 11;
  }
  if (InIs(sig, 0, T::TensorType_INT16) && InIs(sig, 1, T::TensorType_INT16) &&
      OutIs(sig, 0, T::TensorType_INT16)) {
    return 7;
  }
  // Only two input slots at all (an omitted bias written as -1 is still a slot).
  if (sig.inputs.size() == 2) return 6;
  if (sig.keep_num_dims) return 5;
  if (IsInt8Full(sig)) return 4;
  if (IsHybrid(sig)) return sig.asymmetric_quantize_inputs ? 9 : 3;
  return 1;
}

int MulVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_FLOAT16)) return 8;
  if (InIs(sig, 0, T::TensorType_INT16) && !sig.inputs[0].quantized) return 7;
  if (InIs(sig, 0, T::TensorType_COMPLEX64)) return 6;
  if (InIs(sig, 0, T::TensorType_INT64)) return 5;
  if (InIs(sig, 0, T::TensorType_INT16)) return 4;
  // Quantized MUL whose rescale in1 * in2 / out is >= 1 needs the kernel of version 3.
  if (sig.inputs.size() >= 2 && !sig.outputs.empty()) {
    float s1 = sig.inputs[0].scale, s2 = sig.inputs[1].scale, so = sig.outputs[0].scale;
    if (s1 != 0 && s2 != 0 && so != 0 && s1 * s2 / so >= 1.0f) return 3;
  }
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int AddVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_FLOAT16)) return 6;
  if (InIs(sig, 0, T::TensorType_INT16) && !sig.inputs[0].quantized) return 5;
  if (InIs(sig, 0, T::TensorType_INT64)) return 4;
  if (InIs(sig, 0, T::TensorType_INT16) && OutIs(sig, 0, T::TensorType_INT16) && !sig.pot_scale_int16) {
    return 3;
  }
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int SubVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_INT16) && OutIs(sig, 0, T::TensorType_INT16) && !sig.pot_scale_int16) {
    return 5;
  }
  if (InIs(sig, 0, T::TensorType_INT64)) return 4;
  if (BroadcastOver4D(sig)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int TransposeVersion(const TfliteOpSig& sig) {
  int rank = InRank(sig, 0);
  if (rank > 6) return 8;
  if (rank > 5) return 6;
  if (InIs(sig, 0, T::TensorType_INT16)) return 5;
  if (rank > 4) return 4;
  if (InIs(sig, 0, T::TensorType_BOOL)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int TransposeConvVersion(const TfliteOpSig& sig) {
  // Inputs: output_shape, weights, activation, optional bias.
  if (InIs(sig, 0, T::TensorType_INT16) && InIs(sig, 1, T::TensorType_INT8) &&
      OutIs(sig, 0, T::TensorType_INT16) && sig.quantized_bias_type != T::TensorType_FLOAT32) {
    return 5;
  }
  if (sig.fused_activation) return 4;
  if (sig.inputs.size() == 4 && sig.inputs[3].present) return 3;
  if (InIs(sig, 1, T::TensorType_INT8)) return 2;
  return 1;
}

int StridedSliceVersion(const TfliteOpSig& sig) {
  if (sig.offset) return 8;
  if (sig.ellipsis_mask != 0 || sig.new_axis_mask != 0) return 6;
  if (InIs(sig, 0, T::TensorType_STRING)) return 5;
  if (InRank(sig, 0) > 4) return 4;
  if (InIs(sig, 0, T::TensorType_BOOL)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int SliceVersion(const TfliteOpSig& sig) {
  if (InRank(sig, 0) > 4) return 5;
  if (InIs(sig, 0, T::TensorType_INT16)) return 4;
  if (InIs(sig, 0, T::TensorType_STRING)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int GatherVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 1, T::TensorType_INT16)) return 6;  // int16 indices
  if (sig.batch_dims != 0) return 5;
  if (InIs(sig, 0, T::TensorType_INT16)) return 4;
  if (InIs(sig, 0, T::TensorType_BOOL)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int ResizeVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_INT16)) return 4;
  bool v3 =
      sig.half_pixel_centers || (sig.op == T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR && sig.align_corners);
  if (v3) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return 2;
  return 1;
}

int DequantizeVersion(const TfliteOpSig& sig) {
  if (InIs(sig, 0, T::TensorType_INT16) || InIs(sig, 0, T::TensorType_FLOAT16)) return 3;
  if (InIs(sig, 0, T::TensorType_INT8)) return InPerChannel(sig, 0) ? 5 : 2;
  return 1;
}

int QuantizeVersion(const TfliteOpSig& sig) {
  bool per_channel = !sig.outputs.empty() && sig.outputs[0].per_channel;
  if (per_channel) return 3;
  if (OutIs(sig, 0, T::TensorType_INT16)) return 2;
  return 1;
}

int CastVersion(const TfliteOpSig& sig) {
  auto either = [&](TensorType t) { return InIs(sig, 0, t) || OutIs(sig, 0, t); };
  if (either(T::TensorType_FLOAT64) || either(T::TensorType_FLOAT16)) return 5;
  if (either(T::TensorType_INT8)) return 3;
  return 1;
}

}  // namespace

int TfliteOpVersion(const TfliteOpSig& sig) {
  switch (sig.op) {
    case T::BuiltinOperator_CONV_2D:
      return ConvVersion(sig);
    case T::BuiltinOperator_DEPTHWISE_CONV_2D:
      return DepthwiseVersion(sig);
    case T::BuiltinOperator_FULLY_CONNECTED:
      return FullyConnectedVersion(sig);
    case T::BuiltinOperator_TRANSPOSE_CONV:
      return TransposeConvVersion(sig);
    case T::BuiltinOperator_ADD:
      return AddVersion(sig);
    case T::BuiltinOperator_SUB:
      return SubVersion(sig);
    case T::BuiltinOperator_MUL:
      return MulVersion(sig);
    case T::BuiltinOperator_DIV:
      return BroadcastOver4D(sig) ? 2 : 1;
    case T::BuiltinOperator_MAXIMUM:
    case T::BuiltinOperator_MINIMUM:
      if (InIs(sig, 0, T::TensorType_INT16) && OutIs(sig, 0, T::TensorType_INT16)) return 4;
      if (BroadcastOver4D(sig)) return 3;
      return InIs(sig, 0, T::TensorType_INT8) ? 2 : 1;
    case T::BuiltinOperator_MAX_POOL_2D:
    case T::BuiltinOperator_AVERAGE_POOL_2D:
    case T::BuiltinOperator_TANH:
    case T::BuiltinOperator_LOGISTIC:
      if (InIs(sig, 0, T::TensorType_INT16) && OutIs(sig, 0, T::TensorType_INT16)) return 3;
      return InIs(sig, 0, T::TensorType_INT8) ? 2 : 1;
    case T::BuiltinOperator_SOFTMAX:
    case T::BuiltinOperator_MEAN:
    case T::BuiltinOperator_REDUCE_MAX:
    case T::BuiltinOperator_REDUCE_MIN:
    case T::BuiltinOperator_RELU6:
    case T::BuiltinOperator_RSQRT:
    case T::BuiltinOperator_MIRROR_PAD:
      return Int16Is3Int8Is2(sig);
    case T::BuiltinOperator_CONCATENATION:
      return Int16Is3Int8Is2(sig);
    case T::BuiltinOperator_RELU:
      if (InIs(sig, 0, T::TensorType_INT16)) return 3;
      return InIs(sig, 0, T::TensorType_INT8) || InIs(sig, 0, T::TensorType_UINT8) ? 2 : 1;
    case T::BuiltinOperator_LEAKY_RELU:
      return InIs(sig, 0, T::TensorType_INT16) ? 2 : 1;
    case T::BuiltinOperator_PAD:
    case T::BuiltinOperator_PADV2:
      if (InIs(sig, 0, T::TensorType_BOOL)) return 5;
      if (InRank(sig, 0) > 4) return 4;
      return Int16Is3Int8Is2(sig);
    case T::BuiltinOperator_TRANSPOSE:
      return TransposeVersion(sig);
    case T::BuiltinOperator_STRIDED_SLICE:
      return StridedSliceVersion(sig);
    case T::BuiltinOperator_SLICE:
      return SliceVersion(sig);
    case T::BuiltinOperator_SPLIT:
      // Input 0 is the axis; the data is input 1.
      if (InIs(sig, 1, T::TensorType_INT16)) return 4;
      if (InIs(sig, 1, T::TensorType_INT32)) return 3;
      return InIs(sig, 1, T::TensorType_INT8) ? 2 : 1;
    case T::BuiltinOperator_SPLIT_V:
    case T::BuiltinOperator_SUM:
      return InIs(sig, 0, T::TensorType_INT8) ? 2 : 1;
    case T::BuiltinOperator_GATHER:
      return GatherVersion(sig);
    case T::BuiltinOperator_RESIZE_BILINEAR:
    case T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR:
      return ResizeVersion(sig);
    case T::BuiltinOperator_DEQUANTIZE:
      return DequantizeVersion(sig);
    case T::BuiltinOperator_QUANTIZE:
      return QuantizeVersion(sig);
    case T::BuiltinOperator_EXP:
    case T::BuiltinOperator_LOG:
    case T::BuiltinOperator_SQRT:
      return InIs(sig, 0, T::TensorType_INT8) || InIs(sig, 0, T::TensorType_INT16) ? 2 : 1;
    case T::BuiltinOperator_ABS:
      if (InIs(sig, 0, T::TensorType_INT32)) return 5;
      if (InIs(sig, 0, T::TensorType_INT16)) return sig.inputs[0].quantized ? 3 : 4;
      return InIs(sig, 0, T::TensorType_INT8) || InIs(sig, 0, T::TensorType_UINT8) ? 2 : 1;
    case T::BuiltinOperator_SQUEEZE:
      return InIs(sig, 0, T::TensorType_STRING) ? 2 : 1;
    case T::BuiltinOperator_CAST:
      return CastVersion(sig);
    case T::BuiltinOperator_BATCH_MATMUL:
      if (InIs(sig, 0, T::TensorType_INT16)) return 3;
      if (InIs(sig, 0, T::TensorType_INT8)) return 2;
      return IsHybrid(sig) && sig.asymmetric_quantize_inputs ? 4 : 1;
    case T::BuiltinOperator_GELU:
      return InIs(sig, 0, T::TensorType_INT8) || InIs(sig, 0, T::TensorType_UINT8) ? 2 : 1;
    default:
      // RESHAPE, HARD_SWISH, RELU_N1_TO_1, PRELU, NEG, POW, FLOOR, CEIL, ROUND,
      // EXPAND_DIMS, ...: a single version in TFLite, whatever the types.
      return 1;
  }
}

namespace {

struct RuntimeEntry {
  BuiltinOperator op;
  int version;
  const char* runtime;
};

// TFLite's (op, version) -> first runtime release, for the ops in qforge's schema.
constexpr RuntimeEntry kRuntimeTable[] = {
    {T::BuiltinOperator_ADD, 1, "1.5.0"},
    {T::BuiltinOperator_ADD, 2, "1.14.0"},
    {T::BuiltinOperator_ADD, 3, "2.4.0"},
    {T::BuiltinOperator_ADD, 4, "2.6.0"},
    {T::BuiltinOperator_ADD, 5, "2.13.0"},
    {T::BuiltinOperator_ADD, 6, "2.23.0"},
    {T::BuiltinOperator_AVERAGE_POOL_2D, 1, "1.5.0"},
    {T::BuiltinOperator_AVERAGE_POOL_2D, 2, "1.14.0"},
    {T::BuiltinOperator_AVERAGE_POOL_2D, 3, "2.3.0"},
    {T::BuiltinOperator_CONCATENATION, 1, "1.5.0"},
    {T::BuiltinOperator_CONCATENATION, 2, "1.14.0"},
    {T::BuiltinOperator_CONCATENATION, 3, "2.3.0"},
    {T::BuiltinOperator_CONV_2D, 1, "1.5.0"},
    {T::BuiltinOperator_CONV_2D, 2, "1.14.0"},
    {T::BuiltinOperator_CONV_2D, 3, "1.14.0"},
    {T::BuiltinOperator_CONV_2D, 4, "2.3.0"},
    {T::BuiltinOperator_CONV_2D, 5, "2.4.0"},
    {T::BuiltinOperator_CONV_2D, 6, "2.9.0"},
    {T::BuiltinOperator_CONV_2D, 7, "2.11.0"},
    {T::BuiltinOperator_CONV_2D, 8, "2.15.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 1, "1.5.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 2, "1.12.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 3, "1.14.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 4, "2.2.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 5, "2.3.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 6, "2.3.0"},
    {T::BuiltinOperator_DEPTHWISE_CONV_2D, 7, "2.11.0"},
    {T::BuiltinOperator_DEQUANTIZE, 1, "1.13.1"},
    {T::BuiltinOperator_DEQUANTIZE, 2, "1.14.0"},
    {T::BuiltinOperator_DEQUANTIZE, 3, "1.15.0"},
    {T::BuiltinOperator_DEQUANTIZE, 4, "2.2.0"},
    {T::BuiltinOperator_DEQUANTIZE, 5, "2.7.0"},
    {T::BuiltinOperator_FLOOR, 1, "1.9.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 1, "1.5.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 2, "1.10.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 3, "1.14.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 4, "1.14.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 5, "2.0.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 6, "2.1.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 7, "2.3.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 8, "2.3.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 9, "2.3.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 10, "2.11.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 11, "2.15.0"},
    {T::BuiltinOperator_FULLY_CONNECTED, 12, "2.17.0"},
    {T::BuiltinOperator_LOGISTIC, 1, "1.14.0"},
    {T::BuiltinOperator_LOGISTIC, 2, "1.14.0"},
    {T::BuiltinOperator_LOGISTIC, 3, "2.3.0"},
    {T::BuiltinOperator_MAX_POOL_2D, 1, "1.5.0"},
    {T::BuiltinOperator_MAX_POOL_2D, 2, "1.14.0"},
    {T::BuiltinOperator_MAX_POOL_2D, 3, "2.3.0"},
    {T::BuiltinOperator_MUL, 1, "1.5.0"},
    {T::BuiltinOperator_MUL, 2, "1.14.0"},
    {T::BuiltinOperator_MUL, 3, "1.15.0"},
    {T::BuiltinOperator_MUL, 4, "2.3.0"},
    {T::BuiltinOperator_MUL, 5, "2.6.0"},
    {T::BuiltinOperator_MUL, 6, "2.11.0"},
    {T::BuiltinOperator_MUL, 7, "2.13.0"},
    {T::BuiltinOperator_MUL, 8, "2.23.0"},
    {T::BuiltinOperator_RELU, 1, "1.5.0"},
    {T::BuiltinOperator_RELU, 2, "2.1.0"},
    {T::BuiltinOperator_RELU, 3, "2.5.0"},
    {T::BuiltinOperator_RELU_N1_TO_1, 1, "1.5.0"},
    {T::BuiltinOperator_RELU6, 1, "1.5.0"},
    {T::BuiltinOperator_RELU6, 2, "1.14.0"},
    {T::BuiltinOperator_RELU6, 3, "2.5.0"},
    {T::BuiltinOperator_RESHAPE, 1, "1.5.0"},
    {T::BuiltinOperator_RESIZE_BILINEAR, 1, "1.7.0"},
    {T::BuiltinOperator_RESIZE_BILINEAR, 2, "1.14.0"},
    {T::BuiltinOperator_RESIZE_BILINEAR, 3, "2.2.0"},
    {T::BuiltinOperator_RESIZE_BILINEAR, 4, "2.5.0"},
    {T::BuiltinOperator_SOFTMAX, 1, "1.5.0"},
    {T::BuiltinOperator_SOFTMAX, 2, "1.14.0"},
    {T::BuiltinOperator_SOFTMAX, 3, "2.3.0"},
    {T::BuiltinOperator_TANH, 1, "1.14.0"},
    {T::BuiltinOperator_TANH, 2, "1.14.0"},
    {T::BuiltinOperator_TANH, 3, "2.3.0"},
    {T::BuiltinOperator_PAD, 1, "1.5.0"},
    {T::BuiltinOperator_PAD, 2, "1.14.0"},
    {T::BuiltinOperator_PAD, 3, "2.4.0"},
    {T::BuiltinOperator_PAD, 4, "2.6.0"},
    {T::BuiltinOperator_PAD, 5, "2.20.0"},
    {T::BuiltinOperator_MIRROR_PAD, 1, "1.13.1"},
    {T::BuiltinOperator_MIRROR_PAD, 2, "2.3.0"},
    {T::BuiltinOperator_MIRROR_PAD, 3, "2.12.0"},
    {T::BuiltinOperator_GATHER, 1, "1.6.0"},
    {T::BuiltinOperator_GATHER, 2, "1.14.0"},
    {T::BuiltinOperator_GATHER, 3, "1.15.0"},
    {T::BuiltinOperator_GATHER, 4, "2.4.0"},
    {T::BuiltinOperator_GATHER, 5, "2.5.0"},
    {T::BuiltinOperator_GATHER, 6, "2.13.0"},
    {T::BuiltinOperator_GATHER, 7, "2.15.0"},
    {T::BuiltinOperator_TRANSPOSE, 1, "1.6.0"},
    {T::BuiltinOperator_TRANSPOSE, 2, "1.14.0"},
    {T::BuiltinOperator_TRANSPOSE, 3, "1.15.0"},
    {T::BuiltinOperator_TRANSPOSE, 4, "2.3.0"},
    {T::BuiltinOperator_TRANSPOSE, 5, "2.4.0"},
    {T::BuiltinOperator_TRANSPOSE, 6, "2.12.0"},
    {T::BuiltinOperator_TRANSPOSE, 7, "2.14.4"},
    {T::BuiltinOperator_TRANSPOSE, 8, "2.22.0"},
    {T::BuiltinOperator_MEAN, 1, "1.6.0"},
    {T::BuiltinOperator_MEAN, 2, "1.14.0"},
    {T::BuiltinOperator_MEAN, 3, "2.4.0"},
    {T::BuiltinOperator_SUB, 1, "1.6.0"},
    {T::BuiltinOperator_SUB, 2, "1.14.0"},
    {T::BuiltinOperator_SUB, 3, "2.3.0"},
    {T::BuiltinOperator_SUB, 4, "2.4.0"},
    {T::BuiltinOperator_SUB, 5, "2.4.0"},
    {T::BuiltinOperator_DIV, 1, "1.6.0"},
    {T::BuiltinOperator_DIV, 2, "2.3.0"},
    {T::BuiltinOperator_SQUEEZE, 1, "1.6.0"},
    {T::BuiltinOperator_SQUEEZE, 2, "2.5.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 1, "1.6.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 2, "1.14.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 3, "2.1.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 4, "2.2.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 5, "2.5.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 6, "2.6.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 7, "2.14.0"},
    {T::BuiltinOperator_STRIDED_SLICE, 8, "2.14.0"},
    {T::BuiltinOperator_EXP, 1, "1.7.0"},
    {T::BuiltinOperator_EXP, 2, "2.12.0"},
    {T::BuiltinOperator_SPLIT, 1, "1.5.0"},
    {T::BuiltinOperator_SPLIT, 2, "1.14.0"},
    {T::BuiltinOperator_SPLIT, 3, "1.14.0"},
    {T::BuiltinOperator_SPLIT, 4, "2.3.0"},
    {T::BuiltinOperator_CAST, 1, "1.5.0"},
    {T::BuiltinOperator_CAST, 2, "2.7.0"},
    {T::BuiltinOperator_CAST, 3, "2.8.0"},
    {T::BuiltinOperator_CAST, 4, "2.9.0"},
    {T::BuiltinOperator_CAST, 5, "2.12.0"},
    {T::BuiltinOperator_CAST, 6, "2.15.0"},
    {T::BuiltinOperator_CAST, 7, "2.17.0"},
    {T::BuiltinOperator_PRELU, 1, "1.8.0"},
    {T::BuiltinOperator_MAXIMUM, 1, "1.14.0"},
    {T::BuiltinOperator_MAXIMUM, 2, "1.14.0"},
    {T::BuiltinOperator_MAXIMUM, 3, "2.3.0"},
    {T::BuiltinOperator_MAXIMUM, 4, "2.3.0"},
    {T::BuiltinOperator_MINIMUM, 1, "1.14.0"},
    {T::BuiltinOperator_MINIMUM, 2, "1.14.0"},
    {T::BuiltinOperator_MINIMUM, 3, "2.3.0"},
    {T::BuiltinOperator_MINIMUM, 4, "2.3.0"},
    {T::BuiltinOperator_NEG, 1, "1.9.0"},
    {T::BuiltinOperator_PADV2, 1, "1.9.0"},
    {T::BuiltinOperator_PADV2, 2, "1.14.0"},
    {T::BuiltinOperator_PADV2, 3, "2.4.0"},
    {T::BuiltinOperator_PADV2, 4, "2.6.0"},
    {T::BuiltinOperator_PADV2, 5, "2.20.0"},
    {T::BuiltinOperator_SLICE, 1, "1.14.0"},
    {T::BuiltinOperator_SLICE, 2, "1.14.0"},
    {T::BuiltinOperator_SLICE, 3, "1.14.0"},
    {T::BuiltinOperator_SLICE, 4, "2.4.0"},
    {T::BuiltinOperator_SLICE, 5, "2.5.0"},
    {T::BuiltinOperator_SLICE, 6, "2.14.0"},
    {T::BuiltinOperator_TRANSPOSE_CONV, 1, "1.9.0"},
    {T::BuiltinOperator_TRANSPOSE_CONV, 2, "2.2.0"},
    {T::BuiltinOperator_TRANSPOSE_CONV, 3, "2.3.0"},
    {T::BuiltinOperator_TRANSPOSE_CONV, 4, "2.13.0"},
    {T::BuiltinOperator_TRANSPOSE_CONV, 5, "2.15.0"},
    {T::BuiltinOperator_EXPAND_DIMS, 1, "1.10.0"},
    {T::BuiltinOperator_LOG, 1, "1.14.0"},
    {T::BuiltinOperator_LOG, 2, "2.15.0"},
    {T::BuiltinOperator_SUM, 1, "1.10.0"},
    {T::BuiltinOperator_SUM, 2, "1.15.0"},
    {T::BuiltinOperator_SQRT, 1, "1.10.0"},
    {T::BuiltinOperator_SQRT, 2, "2.21.0"},
    {T::BuiltinOperator_RSQRT, 1, "1.10.0"},
    {T::BuiltinOperator_RSQRT, 2, "2.5.0"},
    {T::BuiltinOperator_RSQRT, 3, "2.15.0"},
    {T::BuiltinOperator_POW, 1, "1.10.0"},
    {T::BuiltinOperator_REDUCE_MAX, 1, "1.11.0"},
    {T::BuiltinOperator_REDUCE_MAX, 2, "1.14.0"},
    {T::BuiltinOperator_REDUCE_MAX, 3, "2.5.0"},
    {T::BuiltinOperator_REDUCE_MIN, 1, "1.11.0"},
    {T::BuiltinOperator_REDUCE_MIN, 2, "1.14.0"},
    {T::BuiltinOperator_REDUCE_MIN, 3, "2.5.0"},
    {T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, 1, "1.13.1"},
    {T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, 2, "1.14.0"},
    {T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, 3, "2.3.0"},
    {T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, 4, "2.4.0"},
    {T::BuiltinOperator_LEAKY_RELU, 1, "1.13.1"},
    {T::BuiltinOperator_LEAKY_RELU, 2, "2.3.0"},
    {T::BuiltinOperator_ABS, 1, "1.13.0"},
    {T::BuiltinOperator_ABS, 2, "2.4.0"},
    {T::BuiltinOperator_ABS, 3, "2.5.0"},
    {T::BuiltinOperator_ABS, 4, "2.6.0"},
    {T::BuiltinOperator_ABS, 5, "2.12.0"},
    {T::BuiltinOperator_SPLIT_V, 1, "1.13.1"},
    {T::BuiltinOperator_SPLIT_V, 2, "2.3.0"},
    {T::BuiltinOperator_CEIL, 1, "1.14.0"},
    {T::BuiltinOperator_QUANTIZE, 1, "1.14.0"},
    {T::BuiltinOperator_QUANTIZE, 2, "1.15.0"},
    {T::BuiltinOperator_QUANTIZE, 3, "2.7.0"},
    {T::BuiltinOperator_ROUND, 1, "1.14.0"},
    {T::BuiltinOperator_HARD_SWISH, 1, "1.15.0"},
    {T::BuiltinOperator_BATCH_MATMUL, 1, "2.3.0"},
    {T::BuiltinOperator_BATCH_MATMUL, 2, "2.3.0"},
    {T::BuiltinOperator_BATCH_MATMUL, 3, "2.4.0"},
    {T::BuiltinOperator_BATCH_MATMUL, 4, "2.5.0"},
    {T::BuiltinOperator_GELU, 1, "2.9.0"},
    {T::BuiltinOperator_GELU, 2, "2.9.0"},
};

// The numeric components of "a.b.c"; a non-numeric component reads as 0.
std::vector<long> VersionParts(const std::string& v) {
  std::vector<long> parts;
  size_t start = 0;
  while (start <= v.size() && !v.empty()) {
    size_t dot = v.find('.', start);
    std::string piece = v.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    parts.push_back(std::strtol(piece.c_str(), nullptr, 10));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

}  // namespace

bool TfliteRuntimeVersionLess(const std::string& a, const std::string& b) {
  std::vector<long> pa = VersionParts(a), pb = VersionParts(b);
  // Lexicographic on numbers; a shorter prefix ("" or "2.3") sorts first, as in TFLite.
  return std::lexicographical_compare(pa.begin(), pa.end(), pb.begin(), pb.end());
}

std::string TfliteMinRuntimeVersionForOp(BuiltinOperator op, int version) {
  for (const RuntimeEntry& e : kRuntimeTable) {
    if (e.op == op && e.version == version) return e.runtime;
  }
  return "";
}

std::string TfliteMinRuntimeVersion(const std::vector<std::pair<BuiltinOperator, int>>& ops) {
  std::string newest;
  for (const auto& [op, version] : ops) {
    std::string runtime = TfliteMinRuntimeVersionForOp(op, version);
    if (!runtime.empty() && TfliteRuntimeVersionLess(newest, runtime)) newest = runtime;
  }
  return newest;
}

}  // namespace qforge::io
