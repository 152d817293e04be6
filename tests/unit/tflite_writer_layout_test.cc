// The TFLite writer's layout rules on the small models of
// tests/models/data/tflite (tools/export_layout_test_models.py): axes
// remapped to NHWC, constants permuted, padding as SAME/VALID or an explicit
// PAD, storage-identity transposes dropped, and the refusals.
#include <gtest/gtest.h>

#include "unit/tflite_writer_test_util.h"

namespace qforge {
namespace {

using namespace tflite_writer_test;  // NOLINT: test helpers

std::unique_ptr<tflite::ModelT> Written(const std::string& name) {
  auto g = LayoutModel(name);
  if (!g) return std::make_unique<tflite::ModelT>();
  return Unpack(Serialize(*g));
}

template <typename T>
std::vector<T> ConstValues(const tflite::ModelT& m, int tensor) {
  const tflite::TensorT& t = TensorOf(m, tensor);
  const auto& d = m.buffers[t.buffer]->data;
  const T* p = reinterpret_cast<const T*>(d.data());
  return std::vector<T>(p, p + d.size() / sizeof(T));
}

TEST(TfliteWriterLayout, FlattenGemmHasNoTranspose) {
  auto m = Written("flatten_gemm");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_TRANSPOSE), 0);
  const tflite::OperatorT* fc = FirstOp(*m, tflite::BuiltinOperator_FULLY_CONNECTED);
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(TensorOf(*m, fc->inputs[1]).shape, (std::vector<int32_t>{5, 256}));
}

TEST(TfliteWriterLayout, StorageIdentityTransposeIsNotWritten) {
  auto m = Written("transpose_fc");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_TRANSPOSE), 0);
  const tflite::OperatorT* conv = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  const tflite::OperatorT* reshape = FirstOp(*m, tflite::BuiltinOperator_RESHAPE);
  ASSERT_NE(conv, nullptr);
  ASSERT_NE(reshape, nullptr);
  // The permute(0, 2, 3, 1) output aliases the NHWC conv output.
  EXPECT_EQ(reshape->inputs[0], conv->outputs[0]);
}

TEST(TfliteWriterLayout, ConcatOnChannelsAndGlobalPoolAreNhwc) {
  auto m = Written("concat_channels");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_TRANSPOSE), 0);
  const tflite::OperatorT* cat = FirstOp(*m, tflite::BuiltinOperator_CONCATENATION);
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->builtin_options.AsConcatenationOptions()->axis, 3);
  const tflite::OperatorT* mean = FirstOp(*m, tflite::BuiltinOperator_MEAN);
  ASSERT_NE(mean, nullptr);
  EXPECT_EQ(ConstValues<int32_t>(*m, mean->inputs[1]), (std::vector<int32_t>{1, 2}));
  EXPECT_TRUE(mean->builtin_options.AsReducerOptions()->keep_dims);
  EXPECT_EQ(TensorOf(*m, mean->outputs[0]).shape, (std::vector<int32_t>{1, 1, 1, 8}));
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_ADD), 1);
}

TEST(TfliteWriterLayout, SoftmaxOverChannelsAndMeanWithoutKeepdims) {
  auto m = Written("softmax_channels");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_TRANSPOSE), 0);
  const tflite::OperatorT* sm = FirstOp(*m, tflite::BuiltinOperator_SOFTMAX);
  ASSERT_NE(sm, nullptr);
  EXPECT_EQ(TensorOf(*m, sm->inputs[0]).shape, (std::vector<int32_t>{1, 8, 8, 6}));
  EXPECT_EQ(sm->builtin_options.AsSoftmaxOptions()->beta, 1.0f);
  const tflite::OperatorT* mean = FirstOp(*m, tflite::BuiltinOperator_MEAN);
  ASSERT_NE(mean, nullptr);
  EXPECT_EQ(ConstValues<int32_t>(*m, mean->inputs[1]), (std::vector<int32_t>{1, 2}));
  EXPECT_FALSE(mean->builtin_options.AsReducerOptions()->keep_dims);
  EXPECT_EQ(TensorOf(*m, mean->outputs[0]).shape, (std::vector<int32_t>{1, 6}));
}

TEST(TfliteWriterLayout, PoolPaddingIsSameOrExplicit) {
  auto m = Written("pools_pads");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  // MaxPool pads (1, 1) at stride 2 are not TFLite's SAME (0, 1): PADV2 with the lowest value, then VALID.
  const tflite::OperatorT* padv2 = FirstOp(*m, tflite::BuiltinOperator_PADV2);
  const tflite::OperatorT* maxp = FirstOp(*m, tflite::BuiltinOperator_MAX_POOL_2D);
  ASSERT_NE(padv2, nullptr);
  ASSERT_NE(maxp, nullptr);
  EXPECT_EQ(maxp->inputs[0], padv2->outputs[0]);
  EXPECT_EQ(maxp->builtin_options.AsPool2DOptions()->padding, tflite::Padding_VALID);
  EXPECT_EQ(ConstValues<int32_t>(*m, padv2->inputs[1]), (std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0}));
  EXPECT_LT(ConstValues<float>(*m, padv2->inputs[2])[0], -1e30f);
  // Average pool with pads that equal SAME and count_include_pad = 0: SAME.
  const tflite::OperatorT* avg_same = FirstOp(*m, tflite::BuiltinOperator_AVERAGE_POOL_2D);
  ASSERT_NE(avg_same, nullptr);
  EXPECT_EQ(avg_same->builtin_options.AsPool2DOptions()->padding, tflite::Padding_SAME);
  // count_include_pad = 1: the zeros count, so an explicit PAD and VALID.
  const tflite::OperatorT* avg_counted = FirstOp(*m, tflite::BuiltinOperator_AVERAGE_POOL_2D, 1);
  ASSERT_NE(avg_counted, nullptr);
  EXPECT_EQ(avg_counted->builtin_options.AsPool2DOptions()->padding, tflite::Padding_VALID);
  const tflite::OperatorT* pad = FirstOp(*m, tflite::BuiltinOperator_PAD);
  ASSERT_NE(pad, nullptr);
  EXPECT_EQ(avg_counted->inputs[0], pad->outputs[0]);
  // The first conv has pads 1 (3x3, stride 1): SAME.
  const tflite::OperatorT* conv = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->builtin_options.AsConv2DOptions()->padding, tflite::Padding_SAME);
}

TEST(TfliteWriterLayout, PadPaddingsInNhwcOrder) {
  auto m = Written("pad_const");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  const tflite::OperatorT* pad = FirstOp(*m, tflite::BuiltinOperator_PAD);
  ASSERT_NE(pad, nullptr);
  // F.pad(x, (1, 2, 0, 1)): W (1, 2), H (0, 1).
  EXPECT_EQ(ConstValues<int32_t>(*m, pad->inputs[1]), (std::vector<int32_t>{0, 0, 0, 1, 1, 2, 0, 0}));
  EXPECT_EQ(TensorOf(*m, pad->outputs[0]).shape, (std::vector<int32_t>{1, 9, 11, 2}));
}

TEST(TfliteWriterLayout, BinaryConstantsArePermutedAndBroadcastShaped) {
  auto g = LayoutModel("binary_consts");
  ASSERT_TRUE(g);
  auto m = Unpack(Serialize(*g));
  ASSERT_EQ(m->subgraphs.size(), 1u);
  int checked = 0;
  for (auto code : {tflite::BuiltinOperator_ADD, tflite::BuiltinOperator_MUL}) {
    const tflite::OperatorT* op = FirstOp(*m, code);
    if (op == nullptr) continue;  // folded away by the loader
    const tflite::TensorT& c = TensorOf(*m, op->inputs[1]);
    ASSERT_NE(c.buffer, 0u);
    EXPECT_EQ(c.shape, (std::vector<int32_t>{1, 1, 1, 4}));
    // The values are the IR constant's, one per channel.
    const ir::Node* node = nullptr;
    for (const ir::Node& n : g->nodes) {
      if (n.op == (code == tflite::BuiltinOperator_ADD ? OpKind::kAdd : OpKind::kMul)) node = &n;
    }
    ASSERT_NE(node, nullptr);
    const Tensor& ir_const = *g->value(node->inputs[1]).constant;
    EXPECT_EQ(ConstValues<float>(*m, op->inputs[1]),
              std::vector<float>(ir_const.data<float>(), ir_const.data<float>() + 4));
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(TfliteWriterLayout, ResizeModes) {
  auto m = Written("resize");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  const tflite::OperatorT* nn = FirstOp(*m, tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR);
  const tflite::OperatorT* bl = FirstOp(*m, tflite::BuiltinOperator_RESIZE_BILINEAR);
  ASSERT_NE(nn, nullptr);
  ASSERT_NE(bl, nullptr);
  EXPECT_EQ(ConstValues<int32_t>(*m, nn->inputs[1]), (std::vector<int32_t>{16, 16}));
  EXPECT_FALSE(nn->builtin_options.AsResizeNearestNeighborOptions()->align_corners);
  EXPECT_FALSE(nn->builtin_options.AsResizeNearestNeighborOptions()->half_pixel_centers);
  EXPECT_FALSE(bl->builtin_options.AsResizeBilinearOptions()->align_corners);
  EXPECT_TRUE(bl->builtin_options.AsResizeBilinearOptions()->half_pixel_centers);
  const tflite::OperatorT* cat = FirstOp(*m, tflite::BuiltinOperator_CONCATENATION);
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->builtin_options.AsConcatenationOptions()->axis, 3);
}

TEST(TfliteWriterLayout, SliceAndSplitAxes) {
  auto m = Written("slice_split");
  ASSERT_EQ(m->subgraphs.size(), 1u);
  // y[:, :, 1:7, ::2] on NCHW [1, 6, 8, 8], exported as two Slices, stored NHWC.
  const tflite::OperatorT* rows = FirstOp(*m, tflite::BuiltinOperator_STRIDED_SLICE);
  const tflite::OperatorT* cols = FirstOp(*m, tflite::BuiltinOperator_STRIDED_SLICE, 1);
  ASSERT_NE(rows, nullptr);
  ASSERT_NE(cols, nullptr);
  EXPECT_EQ(ConstValues<int32_t>(*m, rows->inputs[1]), (std::vector<int32_t>{0, 1, 0, 0}));
  EXPECT_EQ(ConstValues<int32_t>(*m, rows->inputs[2]), (std::vector<int32_t>{1, 7, 8, 6}));
  EXPECT_EQ(TensorOf(*m, rows->outputs[0]).shape, (std::vector<int32_t>{1, 6, 8, 6}));
  EXPECT_EQ(ConstValues<int32_t>(*m, cols->inputs[3]), (std::vector<int32_t>{1, 1, 2, 1}));
  EXPECT_EQ(TensorOf(*m, cols->outputs[0]).shape, (std::vector<int32_t>{1, 6, 4, 6}));
  const tflite::OperatorT* split = FirstOp(*m, tflite::BuiltinOperator_SPLIT_V);
  ASSERT_NE(split, nullptr);
  EXPECT_EQ(ConstValues<int32_t>(*m, split->inputs[1]), (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(ConstValues<int32_t>(*m, split->inputs[2]), (std::vector<int32_t>{3}));
  EXPECT_EQ(split->builtin_options.AsSplitVOptions()->num_splits, 2);
}

TEST(TfliteWriterLayout, DepthwiseMultiplierAndDilation) {
  auto g = LayoutModel("depthwise_mult");
  ASSERT_TRUE(g);
  auto m = Unpack(Serialize(*g));
  ASSERT_EQ(m->subgraphs.size(), 1u);
  const tflite::OperatorT* dw = FirstOp(*m, tflite::BuiltinOperator_DEPTHWISE_CONV_2D);
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->builtin_options.AsDepthwiseConv2DOptions()->depth_multiplier, 2);
  const tflite::TensorT& w = TensorOf(*m, dw->inputs[1]);
  ASSERT_EQ(w.shape, (std::vector<int32_t>{1, 3, 3, 4}));
  // 1HWC: stored[0][h][x][m] = IR[m][0][h][x].
  const ir::Node* conv = nullptr;
  for (const ir::Node& n : g->nodes) {
    if (n.op == OpKind::kConv && n.attrs.GetInt("group", 1) == 2) conv = &n;
  }
  ASSERT_NE(conv, nullptr);
  const Tensor& iw = *g->value(conv->inputs[1]).constant;
  const std::vector<float> stored = ConstValues<float>(*m, dw->inputs[1]);
  for (int h = 0; h < 3; ++h)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 4; ++c)
        EXPECT_EQ(stored[static_cast<size_t>((h * 3 + x) * 4 + c)], iw.data<float>()[(c * 3 + h) * 3 + x]);
  const tflite::OperatorT* dil = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(dil, nullptr);
  EXPECT_EQ(dil->builtin_options.AsConv2DOptions()->dilation_h_factor, 2);
  EXPECT_EQ(dil->builtin_options.AsConv2DOptions()->dilation_w_factor, 2);
  EXPECT_EQ(dil->builtin_options.AsConv2DOptions()->padding, tflite::Padding_SAME);
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_HARD_SWISH), 1);
  const tflite::OperatorT* lr = FirstOp(*m, tflite::BuiltinOperator_LEAKY_RELU);
  ASSERT_NE(lr, nullptr);
  EXPECT_FLOAT_EQ(lr->builtin_options.AsLeakyReluOptions()->alpha, 0.1f);
}

TEST(TfliteWriterLayout, ConvTransposeValidAndSame) {
  auto g = LayoutModel("conv_transpose");
  ASSERT_TRUE(g);
  auto m = Unpack(Serialize(*g));
  ASSERT_EQ(m->subgraphs.size(), 1u);
  const tflite::OperatorT* valid = FirstOp(*m, tflite::BuiltinOperator_TRANSPOSE_CONV);
  const tflite::OperatorT* same = FirstOp(*m, tflite::BuiltinOperator_TRANSPOSE_CONV, 1);
  ASSERT_NE(valid, nullptr);
  ASSERT_NE(same, nullptr);
  EXPECT_EQ(valid->builtin_options.AsTransposeConvOptions()->padding, tflite::Padding_VALID);
  EXPECT_EQ(same->builtin_options.AsTransposeConvOptions()->padding, tflite::Padding_SAME);
  EXPECT_EQ(ConstValues<int32_t>(*m, valid->inputs[0]), (std::vector<int32_t>{1, 16, 16, 3}));
  // Weights [C_in, C_out, kh, kw] -> [C_out, kh, kw, C_in].
  const ir::Node* node = nullptr;
  for (const ir::Node& n : g->nodes) {
    if (n.op == OpKind::kConvTranspose && g->value(n.inputs[1]).type.dims[2] == 4) node = &n;
  }
  ASSERT_NE(node, nullptr);
  const Tensor& iw = *g->value(node->inputs[1]).constant;  // [2, 3, 4, 4]
  ASSERT_EQ(TensorOf(*m, same->inputs[1]).shape, (std::vector<int32_t>{3, 4, 4, 2}));
  const std::vector<float> stored = ConstValues<float>(*m, same->inputs[1]);
  for (int o = 0; o < 3; ++o)
    for (int h = 0; h < 4; ++h)
      for (int x = 0; x < 4; ++x)
        for (int i = 0; i < 2; ++i)
          ASSERT_EQ(stored[static_cast<size_t>(((o * 4 + h) * 4 + x) * 2 + i)],
                    iw.data<float>()[((i * 3 + o) * 4 + h) * 4 + x]);
  ASSERT_EQ(same->inputs.size(), 4u);  // with its bias
}

TEST(TfliteWriterLayout, HandBuiltReshapeMatMulClipGather) {
  ir::Graph g = HandBuiltGraph();
  auto m = Unpack(Serialize(g));
  ASSERT_EQ(m->subgraphs.size(), 1u);
  // [1, 3, 1, 1] has the same bytes NCHW and NHWC: no TRANSPOSE before the RESHAPE.
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_TRANSPOSE), 0);
  const tflite::OperatorT* mean = FirstOp(*m, tflite::BuiltinOperator_MEAN);
  const tflite::OperatorT* reshape = FirstOp(*m, tflite::BuiltinOperator_RESHAPE);
  ASSERT_NE(mean, nullptr);
  ASSERT_NE(reshape, nullptr);
  EXPECT_EQ(reshape->inputs[0], mean->outputs[0]);
  // The conv had no bias: a zero one is written.
  const tflite::OperatorT* conv = FirstOp(*m, tflite::BuiltinOperator_CONV_2D);
  ASSERT_NE(conv, nullptr);
  ASSERT_EQ(conv->inputs.size(), 3u);
  EXPECT_EQ(ConstValues<float>(*m, conv->inputs[2]), std::vector<float>(3, 0.0f));
  EXPECT_EQ(CountOps(*m, tflite::BuiltinOperator_BATCH_MATMUL), 1);
  // Clip(-0.5, 0.75) is neither RELU6 nor RELU_N1_TO_1: MAXIMUM then MINIMUM.
  const tflite::OperatorT* mx = FirstOp(*m, tflite::BuiltinOperator_MAXIMUM);
  const tflite::OperatorT* mn = FirstOp(*m, tflite::BuiltinOperator_MINIMUM);
  ASSERT_NE(mx, nullptr);
  ASSERT_NE(mn, nullptr);
  EXPECT_EQ(mn->inputs[0], mx->outputs[0]);
  EXPECT_EQ(ConstValues<float>(*m, mx->inputs[1]), std::vector<float>{-0.5f});
  EXPECT_EQ(ConstValues<float>(*m, mn->inputs[1]), std::vector<float>{0.75f});
  // Negative gather indices are normalized (TFLite has none).
  const tflite::OperatorT* gather = FirstOp(*m, tflite::BuiltinOperator_GATHER);
  ASSERT_NE(gather, nullptr);
  EXPECT_EQ(ConstValues<int32_t>(*m, gather->inputs[1]), (std::vector<int32_t>{4, 0, 2}));
  EXPECT_EQ(gather->builtin_options.AsGatherOptions()->axis, 2);
  ASSERT_EQ(m->signature_defs.size(), 1u);
  ASSERT_EQ(m->signature_defs[0]->inputs.size(), 3u);
  EXPECT_EQ(m->signature_defs[0]->inputs[2]->name, "b");
}

TEST(TfliteWriterLayout, GroupedConvIsUnsupported) {
  ir::Graph g;
  g.name = "grouped";
  ir::TensorType xt;
  xt.dtype = DataType::kFloat32;
  xt.rank_known = true;
  xt.dims = {1, 4, 5, 5};
  const ir::ValueId x = g.AddValue("x", xt);
  g.inputs.push_back(x);
  const ir::ValueId w = g.AddConstant("w", Tensor(DataType::kFloat32, {4, 2, 3, 3}));
  ir::TensorType yt = xt;
  yt.dims = {1, 4, 3, 3};
  const ir::ValueId y = g.AddValue("y", yt);
  ir::Node n;
  n.name = "grouped_conv";
  n.op = OpKind::kConv;
  n.inputs = {x, w};
  n.outputs = {y};
  n.attrs.Set("group", int64_t{2});
  g.AddNode(std::move(n));
  g.outputs.push_back(y);
  Result<std::string> bytes = io::SerializeTflite(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(bytes.status().message().find("grouped_conv"), std::string::npos) << bytes.status().message();
  EXPECT_NE(bytes.status().message().find("group 2"), std::string::npos) << bytes.status().message();
}

TEST(TfliteWriterLayout, UnmappedOpNamesNodeAndOp) {
  ir::Graph g;
  ir::TensorType t;
  t.dtype = DataType::kFloat32;
  t.rank_known = true;
  t.dims = {1, 4};
  const ir::ValueId x = g.AddValue("x", t);
  g.inputs.push_back(x);
  const ir::ValueId y = g.AddValue("y", t);
  ir::Node n;
  n.name = "my_erf";
  n.op = OpKind::kErf;
  n.inputs = {x};
  n.outputs = {y};
  g.AddNode(std::move(n));
  g.outputs.push_back(y);
  Result<std::string> bytes = io::SerializeTflite(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(bytes.status().message().find("'my_erf' (Erf)"), std::string::npos) << bytes.status().message();
}

}  // namespace
}  // namespace qforge
