// The state of one IR -> .tflite export: the flatbuffer object tree being
// built, the TFLite tensor of each IR value (in its stored layout), buffer
// deduplication, and the op list with each use's versioning signature.
// tflite_export_ops.cc maps IR nodes onto it; tflite_writer.cc drives it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/tflite/write/tflite_layout.h"
#include "io/tflite/write/tflite_op_version.h"
#include "ir/graph.h"
#include "qforge/status.h"
#include "tflite_schema_generated.h"

namespace qforge::io {

class TfliteBuilder {
 public:
  TfliteBuilder(const ir::Graph& g, const TfliteLayoutPlan& plan);

  const ir::Graph& graph() const { return g_; }
  const TfliteLayoutPlan& plan() const { return plan_; }
  bool nhwc(ir::ValueId v) const { return plan_.nhwc[static_cast<size_t>(v)]; }

  // The tensor holding `v` in its stored layout. Constants and values derived
  // from one (DequantizeLinear / Cast of a constant) are written on first use.
  Result<int> Input(ir::ValueId v);
  // The tensor holding `v` in IR order: a TRANSPOSE (written once) when `v`
  // is stored NHWC.
  Result<int> InputIr(ir::ValueId v);
  // A constant or constant-derived operand after `t` (weights in TFLite's
  // layout), memoized per (value, transform).
  Result<int> ConstInput(ir::ValueId v, const ConstTransform& t);
  // The tensor an op writes `v` into, in its stored layout.
  Result<int> Output(ir::ValueId v);
  // The tensor an op writes `v` into in IR order; when `v` is stored NHWC this
  // is a temporary and the next AddOp is followed by the TRANSPOSE into `v`.
  Result<int> OutputIr(ir::ValueId v);
  // `v` is the same tensor as `tensor` (identity ops, storage-identity transposes).
  void Alias(ir::ValueId v, int tensor) { value_tensor_[static_cast<size_t>(v)] = tensor; }
  bool HasTensor(ir::ValueId v) const { return value_tensor_[static_cast<size_t>(v)] >= 0; }

  // New tensors.
  int AddTensor(const std::string& name, tflite::TensorType type, const std::vector<int64_t>& dims,
                const QuantParams& quant = {}, int quant_axis = -1);
  int AddConstTensor(const std::string& name, const Tensor& data, const QuantParams& quant, int quant_axis);
  int AddInt32Const(const std::string& name, const std::vector<int32_t>& values, std::vector<int64_t> dims);
  // A constant with `value` of the given type and quantization, shape [1] or `dims`.
  int AddScalarLike(const std::string& name, int like_tensor, float value);

  // Appends an operator; `sig` must list its tensors' types (FillSig helps).
  void AddOp(tflite::BuiltinOperator op, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
             tflite::BuiltinOptionsUnion options = {});
  void AddOp(tflite::BuiltinOperator op, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
             tflite::BuiltinOptionsUnion options, TfliteOpSig sig);
  // The signature of an op over these tensors (types, ranks, constness).
  TfliteOpSig MakeSig(tflite::BuiltinOperator op, const std::vector<int32_t>& inputs,
                      const std::vector<int32_t>& outputs) const;

  const tflite::TensorT& tensor(int i) const { return *model_.subgraphs[0]->tensors[static_cast<size_t>(i)]; }
  std::string Fresh(const std::string& hint);
  // Gives tensor `t` the name `name` when no other tensor has it.
  void RenameTensor(int t, const std::string& name);
  // Sum of buffer bytes so far (the size check happens before packing).
  uint64_t buffer_bytes() const { return buffer_bytes_; }

  // Graph I/O, signature, opcodes, metadata, then packs the flatbuffer.
  Result<std::string> Finish(uint64_t max_bytes);

 private:
  int AddBuffer(const void* data, size_t size);
  Result<int> WriteConstDerived(ir::ValueId v, const ConstTransform& t);
  void FlushPendingTransposes();

  const ir::Graph& g_;
  const TfliteLayoutPlan& plan_;
  tflite::ModelT model_;
  tflite::SubGraphT* sg_ = nullptr;
  std::vector<int> value_tensor_;
  std::vector<int> value_tensor_ir_;  // IR-order copies of NHWC values
  std::map<std::string, int> const_cache_;
  std::map<std::string, int> buffer_by_content_;
  std::map<std::string, int> names_;
  std::vector<std::pair<int, int>> pending_;       // (IR-order temp, stored tensor)
  std::vector<tflite::BuiltinOperator> op_codes_;  // per operator
  std::vector<TfliteOpSig> op_sigs_;
  uint64_t buffer_bytes_ = 0;
};

tflite::TensorType ToTfliteType(DataType t);
// Activation clamp as TFLite's fused function; false when it has none that fits.
bool FusedActivationFor(const ir::Node& n, tflite::ActivationFunctionType* out);

}  // namespace qforge::io
