// TFLite operator versions and minimum runtime versions
// (src/io/tflite/write/tflite_op_version.h): a table of operator uses, one row per
// float / uint8 / int8 / int16 / hybrid / per-channel variant, against the
// version TFLite's versioning assigns (docs/design/tflite_versions.md).
#include "io/tflite/write/tflite_op_version.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qforge::io {
namespace {

namespace T = tflite;
using T::TensorType;

constexpr TensorType F32 = T::TensorType_FLOAT32;
constexpr TensorType F16 = T::TensorType_FLOAT16;
constexpr TensorType I32 = T::TensorType_INT32;
constexpr TensorType U8 = T::TensorType_UINT8;
constexpr TensorType I8 = T::TensorType_INT8;
constexpr TensorType I16 = T::TensorType_INT16;
constexpr TensorType I64 = T::TensorType_INT64;
constexpr TensorType BOOL = T::TensorType_BOOL;

TfliteTensorSig Ten(TensorType type, int rank = 4, bool per_channel = false) {
  TfliteTensorSig t;
  t.type = type;
  t.rank = rank;
  t.per_channel = per_channel;
  t.quantized = type == U8 || type == I8 || type == I16;
  return t;
}
TfliteTensorSig Absent() {
  TfliteTensorSig t;
  t.present = false;
  return t;
}

// The usual weighted-op signature: activation, weight (per-channel or not), bias; one output.
TfliteOpSig Weighted(T::BuiltinOperator op, TensorType act, TensorType weight, TensorType out,
                     bool per_channel = false) {
  TfliteOpSig s;
  s.op = op;
  TensorType bias = act == F32 ? F32 : (act == I16 ? I64 : I32);
  s.inputs = {Ten(act), Ten(weight, 4, per_channel), Ten(bias, 1, per_channel)};
  s.outputs = {Ten(out)};
  return s;
}

// One-input, one-output op of type `type`.
TfliteOpSig Unary(T::BuiltinOperator op, TensorType type, int rank = 4) {
  TfliteOpSig s;
  s.op = op;
  s.inputs = {Ten(type, rank)};
  s.outputs = {Ten(type, rank)};
  return s;
}

// Two same-shaped inputs.
TfliteOpSig Binary(T::BuiltinOperator op, TensorType type) {
  TfliteOpSig s;
  s.op = op;
  s.inputs = {Ten(type), Ten(type)};
  s.outputs = {Ten(type)};
  return s;
}

struct Row {
  std::string what;
  TfliteOpSig sig;
  int version;
};

std::vector<Row> Rows() {
  std::vector<Row> rows;
  auto add = [&](const std::string& what, TfliteOpSig sig, int version) {
    rows.push_back({what, sig, version});
  };
  // CONV_2D
  add("conv float", Weighted(T::BuiltinOperator_CONV_2D, F32, F32, F32), 1);
  add("conv uint8", Weighted(T::BuiltinOperator_CONV_2D, U8, U8, U8), 1);
  add("conv int8 per-channel", Weighted(T::BuiltinOperator_CONV_2D, I8, I8, I8, true), 3);
  add("conv int8 per-tensor", Weighted(T::BuiltinOperator_CONV_2D, I8, I8, I8), 3);
  add("conv hybrid per-tensor", Weighted(T::BuiltinOperator_CONV_2D, F32, I8, F32), 2);
  add("conv hybrid per-channel", Weighted(T::BuiltinOperator_CONV_2D, F32, I8, F32, true), 5);
  add("conv int16 x int16", Weighted(T::BuiltinOperator_CONV_2D, I16, I16, I16), 4);
  add("conv 16x8", Weighted(T::BuiltinOperator_CONV_2D, I16, I8, I16), 1);
  {
    TfliteOpSig s = Weighted(T::BuiltinOperator_CONV_2D, I16, I8, I16);
    s.quantized_bias_type = T::TensorType_INT32;
    add("conv 16x8 quantized_bias_type", s, 8);
    s = Weighted(T::BuiltinOperator_CONV_2D, I8, I8, I8, true);
    s.grouped = true;
    add("conv int8 grouped", s, 6);
    s = Weighted(T::BuiltinOperator_CONV_2D, F32, F32, F32);
    s.dilation_h = 2;
    add("conv float dilated (not versioned)", s, 1);
  }
  // DEPTHWISE_CONV_2D
  add("dw float", Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, F32, F32, F32), 1);
  add("dw uint8", Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, U8, U8, U8), 1);
  add("dw int8 per-channel", Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, I8, I8, I8, true), 3);
  add("dw hybrid", Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, F32, I8, F32), 4);
  add("dw hybrid per-channel", Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, F32, I8, F32, true), 6);
  add("dw int16", Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, I16, I16, I16), 5);
  {
    TfliteOpSig s = Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, F32, F32, F32);
    s.dilation_w = 2;
    add("dw float dilated", s, 2);
    s = Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, U8, U8, U8);
    s.dilation_h = 3;
    add("dw uint8 dilated", s, 2);
    s = Weighted(T::BuiltinOperator_DEPTHWISE_CONV_2D, I8, I8, I8, true);
    s.dilation_h = 2;
    add("dw int8 dilated (int8 wins)", s, 3);
  }
  // FULLY_CONNECTED
  add("fc float", Weighted(T::BuiltinOperator_FULLY_CONNECTED, F32, F32, F32), 1);
  add("fc uint8", Weighted(T::BuiltinOperator_FULLY_CONNECTED, U8, U8, U8), 1);
  add("fc int8", Weighted(T::BuiltinOperator_FULLY_CONNECTED, I8, I8, I8), 4);
  add("fc hybrid", Weighted(T::BuiltinOperator_FULLY_CONNECTED, F32, I8, F32), 3);
  add("fc hybrid per-channel", Weighted(T::BuiltinOperator_FULLY_CONNECTED, F32, I8, F32, true), 12);
  add("fc int16", Weighted(T::BuiltinOperator_FULLY_CONNECTED, I16, I16, I16), 7);
  {
    TfliteOpSig s = Weighted(T::BuiltinOperator_FULLY_CONNECTED, F32, I8, F32);
    s.asymmetric_quantize_inputs = true;
    add("fc hybrid asymmetric inputs", s, 9);
    s = Weighted(T::BuiltinOperator_FULLY_CONNECTED, I8, I8, I8);
    s.keep_num_dims = true;
    add("fc int8 keep_num_dims", s, 5);
    s = Weighted(T::BuiltinOperator_FULLY_CONNECTED, F32, F32, F32);
    s.inputs.pop_back();
    add("fc two input slots", s, 6);
    s = Weighted(T::BuiltinOperator_FULLY_CONNECTED, I8, I8, I8);
    s.inputs[2] = Absent();
    add("fc int8 omitted bias (-1) keeps 3 slots", s, 4);
    s = Weighted(T::BuiltinOperator_FULLY_CONNECTED, I16, I8, I16);
    s.quantized_bias_type = T::TensorType_INT64;
    add("fc 16x8 quantized_bias_type", s, 11);
  }
  // Elementwise binary ops
  add("add float", Binary(T::BuiltinOperator_ADD, F32), 1);
  add("add uint8", Binary(T::BuiltinOperator_ADD, U8), 1);
  add("add int8", Binary(T::BuiltinOperator_ADD, I8), 2);
  add("add int64", Binary(T::BuiltinOperator_ADD, I64), 4);
  add("add float16", Binary(T::BuiltinOperator_ADD, F16), 6);
  add("add int16 quantized pot", Binary(T::BuiltinOperator_ADD, I16), 1);
  {
    TfliteOpSig s = Binary(T::BuiltinOperator_ADD, I16);
    s.pot_scale_int16 = false;
    add("add int16 general scale", s, 3);
    s.inputs[0].quantized = false;
    add("add int16 plain integer", s, 5);
  }
  add("sub float", Binary(T::BuiltinOperator_SUB, F32), 1);
  add("sub int8", Binary(T::BuiltinOperator_SUB, I8), 2);
  {
    TfliteOpSig s = Binary(T::BuiltinOperator_SUB, F32);
    s.inputs[0].shape = {1, 2, 3, 4, 5};
    s.inputs[1].shape = {1, 1, 1, 1, 5};
    add("sub 5-D broadcast", s, 3);
    s.op = T::BuiltinOperator_DIV;
    add("div 5-D broadcast", s, 2);
    s.op = T::BuiltinOperator_MAXIMUM;
    add("maximum 5-D broadcast", s, 3);
    s.inputs[1].shape = {1, 2, 3, 4, 5};
    add("maximum 5-D same shape", s, 1);
  }
  add("mul float", Binary(T::BuiltinOperator_MUL, F32), 1);
  add("mul uint8", Binary(T::BuiltinOperator_MUL, U8), 1);
  add("mul int16", Binary(T::BuiltinOperator_MUL, I16), 4);
  add("mul float16", Binary(T::BuiltinOperator_MUL, F16), 8);
  {
    TfliteOpSig s = Binary(T::BuiltinOperator_MUL, I8);
    s.inputs[0].scale = 0.05f;
    s.inputs[1].scale = 0.1f;
    s.outputs[0].scale = 0.01f;
    add("mul int8 rescale < 1", s, 2);
    s.outputs[0].scale = 0.004f;
    add("mul int8 rescale >= 1", s, 3);
    s.inputs[0].type = s.inputs[1].type = s.outputs[0].type = U8;
    add("mul uint8 rescale >= 1", s, 3);
  }
  add("div float", Binary(T::BuiltinOperator_DIV, F32), 1);
  add("maximum int8", Binary(T::BuiltinOperator_MAXIMUM, I8), 2);
  add("minimum uint8", Binary(T::BuiltinOperator_MINIMUM, U8), 1);
  add("minimum int16", Binary(T::BuiltinOperator_MINIMUM, I16), 4);
  // Pools, activations, reductions
  for (auto op : {T::BuiltinOperator_MAX_POOL_2D, T::BuiltinOperator_AVERAGE_POOL_2D,
                  T::BuiltinOperator_LOGISTIC, T::BuiltinOperator_TANH}) {
    std::string name = T::EnumNameBuiltinOperator(op);
    add(name + " float", Unary(op, F32), 1);
    add(name + " uint8", Unary(op, U8), 1);
    add(name + " int8", Unary(op, I8), 2);
    add(name + " int16", Unary(op, I16), 3);
  }
  for (auto op : {T::BuiltinOperator_SOFTMAX, T::BuiltinOperator_MEAN, T::BuiltinOperator_RELU6,
                  T::BuiltinOperator_CONCATENATION, T::BuiltinOperator_REDUCE_MAX}) {
    std::string name = T::EnumNameBuiltinOperator(op);
    add(name + " float", Unary(op, F32), 1);
    add(name + " uint8", Unary(op, U8), 1);
    add(name + " int8", Unary(op, I8), 2);
    add(name + " int16", Unary(op, I16), 3);
  }
  add("relu float", Unary(T::BuiltinOperator_RELU, F32), 1);
  add("relu uint8", Unary(T::BuiltinOperator_RELU, U8), 2);
  add("relu int8", Unary(T::BuiltinOperator_RELU, I8), 2);
  add("relu int16", Unary(T::BuiltinOperator_RELU, I16), 3);
  add("leaky_relu int8", Unary(T::BuiltinOperator_LEAKY_RELU, I8), 1);
  add("leaky_relu int16", Unary(T::BuiltinOperator_LEAKY_RELU, I16), 2);
  add("hard_swish int8", Unary(T::BuiltinOperator_HARD_SWISH, I8), 1);
  add("reshape int8", Unary(T::BuiltinOperator_RESHAPE, I8), 1);
  add("exp float", Unary(T::BuiltinOperator_EXP, F32), 1);
  add("exp int8", Unary(T::BuiltinOperator_EXP, I8), 2);
  add("sum int8", Unary(T::BuiltinOperator_SUM, I8), 2);
  add("gelu uint8", Unary(T::BuiltinOperator_GELU, U8), 2);
  add("abs int16 quantized", Unary(T::BuiltinOperator_ABS, I16), 3);
  add("abs int32", Unary(T::BuiltinOperator_ABS, I32), 5);
  // Layout and data movement
  add("pad float", Unary(T::BuiltinOperator_PAD, F32), 1);
  add("pad int8", Unary(T::BuiltinOperator_PAD, I8), 2);
  add("padv2 uint8", Unary(T::BuiltinOperator_PADV2, U8), 1);
  add("padv2 int16", Unary(T::BuiltinOperator_PADV2, I16), 3);
  add("pad 5-D int8", Unary(T::BuiltinOperator_PAD, I8, 5), 4);
  add("pad bool", Unary(T::BuiltinOperator_PAD, BOOL), 5);
  add("transpose float", Unary(T::BuiltinOperator_TRANSPOSE, F32), 1);
  add("transpose int8", Unary(T::BuiltinOperator_TRANSPOSE, I8), 2);
  add("transpose bool", Unary(T::BuiltinOperator_TRANSPOSE, BOOL), 3);
  add("transpose 5-D", Unary(T::BuiltinOperator_TRANSPOSE, F32, 5), 4);
  add("transpose int16", Unary(T::BuiltinOperator_TRANSPOSE, I16), 5);
  add("transpose 6-D", Unary(T::BuiltinOperator_TRANSPOSE, I8, 6), 6);
  add("slice int8", Unary(T::BuiltinOperator_SLICE, I8), 2);
  add("slice 5-D", Unary(T::BuiltinOperator_SLICE, F32, 5), 5);
  add("strided_slice uint8", Unary(T::BuiltinOperator_STRIDED_SLICE, U8), 1);
  add("strided_slice int8", Unary(T::BuiltinOperator_STRIDED_SLICE, I8), 2);
  add("strided_slice 5-D", Unary(T::BuiltinOperator_STRIDED_SLICE, I8, 5), 4);
  {
    TfliteOpSig s = Unary(T::BuiltinOperator_STRIDED_SLICE, F32);
    s.new_axis_mask = 2;
    add("strided_slice new_axis_mask", s, 6);
    s.offset = true;
    add("strided_slice offset", s, 8);
  }
  add("split_v int8", Unary(T::BuiltinOperator_SPLIT_V, I8), 2);
  {
    TfliteOpSig s;
    s.op = T::BuiltinOperator_SPLIT;
    s.inputs = {Ten(I32, 0), Ten(I8)};
    s.outputs = {Ten(I8), Ten(I8)};
    add("split int8 (data is input 1)", s, 2);
    s.inputs[1].type = I32;
    add("split int32", s, 3);
    s.inputs[1].type = I16;
    add("split int16", s, 4);
    s.inputs[1].type = F32;
    add("split float", s, 1);
  }
  {
    TfliteOpSig s;
    s.op = T::BuiltinOperator_GATHER;
    s.inputs = {Ten(F32, 2), Ten(I32, 1)};
    s.outputs = {Ten(F32, 2)};
    add("gather float", s, 1);
    s.inputs[0].type = I8;
    add("gather int8", s, 2);
    s.inputs[0].type = I16;
    add("gather int16", s, 4);
    s.batch_dims = 1;
    add("gather batch_dims", s, 5);
    s.inputs[1].type = I16;
    add("gather int16 indices", s, 6);
  }
  {
    TfliteOpSig s = Unary(T::BuiltinOperator_RESIZE_BILINEAR, F32);
    add("resize_bilinear float", s, 1);
    s.inputs[0].type = I8;
    add("resize_bilinear int8", s, 2);
    s.align_corners = true;
    add("resize_bilinear int8 align_corners (not versioned)", s, 2);
    s.half_pixel_centers = true;
    add("resize_bilinear half_pixel_centers", s, 3);
    s = Unary(T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, U8);
    add("resize_nearest uint8", s, 1);
    s.align_corners = true;
    add("resize_nearest align_corners", s, 3);
    s = Unary(T::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, I16);
    add("resize_nearest int16", s, 4);
  }
  // QUANTIZE / DEQUANTIZE
  {
    TfliteOpSig s;
    s.op = T::BuiltinOperator_DEQUANTIZE;
    s.inputs = {Ten(U8)};
    s.outputs = {Ten(F32)};
    add("dequantize uint8", s, 1);
    s.inputs = {Ten(I8)};
    add("dequantize int8", s, 2);
    s.inputs = {Ten(I8, 4, true)};
    add("dequantize int8 per-channel", s, 5);
    s.inputs = {Ten(F16)};
    add("dequantize float16", s, 3);
    s.inputs = {Ten(I16)};
    add("dequantize int16", s, 3);
    s.op = T::BuiltinOperator_QUANTIZE;
    s.inputs = {Ten(F32)};
    s.outputs = {Ten(I8)};
    add("quantize float->int8", s, 1);
    s.outputs = {Ten(U8)};
    add("quantize float->uint8", s, 1);
    s.inputs = {Ten(U8)};
    s.outputs = {Ten(I8)};
    add("quantize uint8->int8 (requantize)", s, 1);
    s.inputs = {Ten(F32)};
    s.outputs = {Ten(I16)};
    add("quantize float->int16", s, 2);
    s.outputs = {Ten(I8, 4, true)};
    add("quantize per-channel", s, 3);
  }
  // CAST, BATCH_MATMUL, TRANSPOSE_CONV
  {
    TfliteOpSig s;
    s.op = T::BuiltinOperator_CAST;
    s.inputs = {Ten(I32)};
    s.outputs = {Ten(F32)};
    add("cast int32->float", s, 1);
    s.inputs = {Ten(I8)};
    add("cast int8->float", s, 3);
    s.inputs = {Ten(F16)};
    add("cast float16->float", s, 5);
  }
  add("batch_matmul float", Binary(T::BuiltinOperator_BATCH_MATMUL, F32), 1);
  add("batch_matmul int8", Binary(T::BuiltinOperator_BATCH_MATMUL, I8), 2);
  add("batch_matmul int16", Binary(T::BuiltinOperator_BATCH_MATMUL, I16), 3);
  {
    TfliteOpSig s = Weighted(T::BuiltinOperator_BATCH_MATMUL, F32, I8, F32);
    add("batch_matmul hybrid", s, 1);
    s.asymmetric_quantize_inputs = true;
    add("batch_matmul hybrid asymmetric", s, 4);
  }
  {
    TfliteOpSig s;
    s.op = T::BuiltinOperator_TRANSPOSE_CONV;
    s.inputs = {Ten(I32, 1), Ten(F32), Ten(F32)};
    s.outputs = {Ten(F32)};
    add("transpose_conv float", s, 1);
    s.inputs = {Ten(I32, 1), Ten(I8, 4, true), Ten(I8)};
    s.outputs = {Ten(I8)};
    add("transpose_conv int8", s, 2);
    s.inputs.push_back(Absent());
    add("transpose_conv int8 omitted bias", s, 2);
    s.inputs[3] = Ten(I32, 1);
    add("transpose_conv int8 bias", s, 3);
    s.fused_activation = true;
    add("transpose_conv fused activation", s, 4);
  }
  return rows;
}

TEST(TfliteOpVersionTest, TableOfVariants) {
  std::vector<Row> rows = Rows();
  ASSERT_GT(rows.size(), 150u);
  for (const Row& row : rows) {
    EXPECT_EQ(TfliteOpVersion(row.sig), row.version) << row.what;
  }
}

TEST(TfliteOpVersionTest, ShortSignaturesDoNotCrash) {
  // Versioning reads missing tensors as absent: every op with no inputs or
  // outputs falls to its base version instead of indexing out of range.
  for (auto op : T::EnumValuesBuiltinOperator()) {
    TfliteOpSig s;
    s.op = op;
    EXPECT_EQ(TfliteOpVersion(s), 1) << T::EnumNameBuiltinOperator(op);
  }
}

TEST(TfliteOpVersionTest, RuntimeVersionPerOp) {
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_CONV_2D, 1), "1.5.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_CONV_2D, 3), "1.14.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_CONV_2D, 5), "2.4.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_DEPTHWISE_CONV_2D, 2), "1.12.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_FULLY_CONNECTED, 9), "2.3.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_DEQUANTIZE, 1), "1.13.1");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_DEQUANTIZE, 5), "2.7.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_TRANSPOSE, 7), "2.14.4");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_HARD_SWISH, 1), "1.15.0");
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_HARD_SWISH, 2), "");  // no such version
  EXPECT_EQ(TfliteMinRuntimeVersionForOp(T::BuiltinOperator_CUSTOM, 1), "");
}

TEST(TfliteOpVersionTest, RuntimeVersionComparesNumerically) {
  EXPECT_TRUE(TfliteRuntimeVersionLess("1.14.0", "2.3.0"));
  EXPECT_TRUE(TfliteRuntimeVersionLess("1.9.0", "1.13.1"));  // not a string compare
  EXPECT_TRUE(TfliteRuntimeVersionLess("2.4.0", "2.14.4"));
  EXPECT_TRUE(TfliteRuntimeVersionLess("", "1.5.0"));
  EXPECT_FALSE(TfliteRuntimeVersionLess("2.3.0", "2.3.0"));
  EXPECT_FALSE(TfliteRuntimeVersionLess("2.10.0", "2.9.0"));
}

using OpList = std::vector<std::pair<T::BuiltinOperator, int>>;

TEST(TfliteOpVersionTest, MinRuntimeFloatCnn) {
  // The float example CNN: CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX, all version 1.
  OpList ops = {{T::BuiltinOperator_CONV_2D, 1},
                {T::BuiltinOperator_MAX_POOL_2D, 1},
                {T::BuiltinOperator_RESHAPE, 1},
                {T::BuiltinOperator_FULLY_CONNECTED, 1},
                {T::BuiltinOperator_SOFTMAX, 1}};
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "1.5.0");
  // A MEAN (global average pool in a MobileNet) lifts it to 1.6.0.
  ops.push_back({T::BuiltinOperator_MEAN, 1});
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "1.6.0");
}

TEST(TfliteOpVersionTest, MinRuntimeInt8Cnn) {
  // Versions computed by TfliteOpVersion for an int8 CNN with float I/O.
  TfliteOpSig q;
  q.op = T::BuiltinOperator_QUANTIZE;
  q.inputs = {Ten(F32)};
  q.outputs = {Ten(I8)};
  TfliteOpSig dq;
  dq.op = T::BuiltinOperator_DEQUANTIZE;
  dq.inputs = {Ten(I8, 2)};
  dq.outputs = {Ten(F32, 2)};
  OpList ops = {
      {T::BuiltinOperator_QUANTIZE, TfliteOpVersion(q)},
      {T::BuiltinOperator_CONV_2D, TfliteOpVersion(Weighted(T::BuiltinOperator_CONV_2D, I8, I8, I8, true))},
      {T::BuiltinOperator_MAX_POOL_2D, TfliteOpVersion(Unary(T::BuiltinOperator_MAX_POOL_2D, I8))},
      {T::BuiltinOperator_RESHAPE, TfliteOpVersion(Unary(T::BuiltinOperator_RESHAPE, I8))},
      {T::BuiltinOperator_FULLY_CONNECTED,
       TfliteOpVersion(Weighted(T::BuiltinOperator_FULLY_CONNECTED, I8, I8, I8))},
      {T::BuiltinOperator_SOFTMAX, TfliteOpVersion(Unary(T::BuiltinOperator_SOFTMAX, I8, 2))},
      {T::BuiltinOperator_DEQUANTIZE, TfliteOpVersion(dq)}};
  EXPECT_EQ(ops[1].second, 3);
  EXPECT_EQ(ops[4].second, 4);
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "1.14.0");
  // The same with an int8 ADD (residual) and an int8 MEAN stays at 1.14.0;
  // an int16 SOFTMAX (16x8) needs 2.3.0.
  ops.push_back({T::BuiltinOperator_ADD, TfliteOpVersion(Binary(T::BuiltinOperator_ADD, I8))});
  ops.push_back({T::BuiltinOperator_MEAN, TfliteOpVersion(Unary(T::BuiltinOperator_MEAN, I8))});
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "1.14.0");
  ops.push_back({T::BuiltinOperator_SOFTMAX, TfliteOpVersion(Unary(T::BuiltinOperator_SOFTMAX, I16))});
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "2.3.0");
}

TEST(TfliteOpVersionTest, MinRuntimeHybridModel) {
  // Dynamic range: per-channel hybrid CONV_2D (v5, 2.4.0) and an asymmetric-input
  // hybrid FULLY_CONNECTED (v9, 2.3.0).
  TfliteOpSig fc = Weighted(T::BuiltinOperator_FULLY_CONNECTED, F32, I8, F32);
  fc.asymmetric_quantize_inputs = true;
  OpList ops = {
      {T::BuiltinOperator_CONV_2D, TfliteOpVersion(Weighted(T::BuiltinOperator_CONV_2D, F32, I8, F32, true))},
      {T::BuiltinOperator_MAX_POOL_2D, 1},
      {T::BuiltinOperator_RESHAPE, 1},
      {T::BuiltinOperator_FULLY_CONNECTED, TfliteOpVersion(fc)},
      {T::BuiltinOperator_SOFTMAX, 1}};
  EXPECT_EQ(ops[0].second, 5);
  EXPECT_EQ(ops[3].second, 9);
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "2.4.0");
  // Without the conv, the FC alone sets 2.3.0.
  ops.erase(ops.begin());
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "2.3.0");
  // Weight-only (int8 buffer -> per-channel DEQUANTIZE v5) needs 2.7.0.
  ops.push_back({T::BuiltinOperator_DEQUANTIZE, 5});
  EXPECT_EQ(TfliteMinRuntimeVersion(ops), "2.7.0");
}

TEST(TfliteOpVersionTest, MinRuntimeSkipsUnknownPairs) {
  EXPECT_EQ(TfliteMinRuntimeVersion({}), "");
  EXPECT_EQ(TfliteMinRuntimeVersion({{T::BuiltinOperator_CUSTOM, 1}}), "");
  EXPECT_EQ(TfliteMinRuntimeVersion({{T::BuiltinOperator_CUSTOM, 1}, {T::BuiltinOperator_RESHAPE, 1}}),
            "1.5.0");
}

}  // namespace
}  // namespace qforge::io
