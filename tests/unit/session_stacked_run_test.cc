// Session::RunStacked: samples stacked along dim 0 on a model of fixed
// batch. Its results equal one Run per sample; its refusals name why.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "ir/graph.h"
#include "ops/infer.h"
#include "qforge/runtime.h"

namespace qforge {
namespace {

// x [batch, 3] -> Relu -> y, plus a second output `sum` = ReduceSum(x) over
// every axis (rank 0: no dim 0 to stack) when `scalar_output`.
Model ReluModel(int64_t batch, bool scalar_output = false) {
  auto g = std::make_shared<ir::Graph>();
  g->name = "relu";
  const ir::TensorType t = ops::MakeType(DataType::kFloat32, {batch, 3});
  const ir::ValueId x = g->AddValue("x", t);
  const ir::ValueId y = g->AddValue("y", t);
  ir::Node relu;
  relu.name = "relu_1";
  relu.op = OpKind::kRelu;
  relu.inputs = {x};
  relu.outputs = {y};
  g->AddNode(std::move(relu));
  g->inputs = {x};
  g->outputs = {y};
  if (scalar_output) {
    const ir::ValueId s = g->AddValue("sum", ops::MakeType(DataType::kFloat32, {}));
    ir::Node sum;
    sum.name = "sum_1";
    sum.op = OpKind::kReduceSum;
    sum.inputs = {x};
    sum.outputs = {s};
    sum.attrs.Set("keepdims", int64_t{0});
    g->AddNode(std::move(sum));
    g->outputs.push_back(s);
  }
  return Model(g);
}

Tensor Samples(int64_t n) {
  Tensor t(DataType::kFloat32, {n, 3});
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = static_cast<float>(i % 7) - 3.0f;
  return t;
}

TEST(SessionStackedRun, RunsSamplesBatchAtATimeAndDropsThePadding) {
  for (bool reference : {false, true}) {
    SessionOptions opt;
    opt.reference = reference;
    Result<Session> s = Session::Create(ReluModel(2), opt);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    const Tensor x = Samples(5);  // 3 inferences of 2, the last padded
    Result<std::vector<Tensor>> y = s->RunStacked({&x, 1});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    ASSERT_EQ((*y)[0].dims(), (std::vector<int64_t>{5, 3}));
    for (int64_t i = 0; i < 15; ++i) EXPECT_EQ((*y)[0].data<float>()[i], std::max(x.data<float>()[i], 0.0f));
    // Run itself keeps refusing the shape: stacking is asked for, not implied.
    EXPECT_FALSE(s->Run({&x, 1}).ok());
    // The batch the model declares runs once, as Run.
    const Tensor two = Samples(2);
    Result<std::vector<Tensor>> once = s->RunStacked({&two, 1});
    ASSERT_TRUE(once.ok());
    EXPECT_EQ((*once)[0].dims(), (std::vector<int64_t>{2, 3}));
  }
}

TEST(SessionStackedRun, AnOutputWithoutTheBatchDimIsRefused) {
  Result<Session> s = Session::Create(ReluModel(2, /*scalar_output=*/true));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Tensor x = Samples(4);
  Result<std::vector<Tensor>> y = s->RunStacked({&x, 1});
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      y.status().message().find("output 'sum' has shape []: its dim 0 is not the model's fixed batch of 2"),
      std::string::npos)
      << y.status().ToString();
}

TEST(SessionStackedRun, DynamicBatchRunsOnceWhateverTheCount) {
  Result<Session> s = Session::Create(ReluModel(ir::kDynamicDim));
  ASSERT_TRUE(s.ok());
  const Tensor x = Samples(5);
  Result<std::vector<Tensor>> y = s->RunStacked({&x, 1});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].dims(), (std::vector<int64_t>{5, 3}));
}

}  // namespace
}  // namespace qforge
