// State shared by the TFLite importer and its per-operator converters: the
// verified model, the graph under construction, and the mapping from
// subgraph-0 tensor indices to IR values.
//
// Every non-constant tensor gets its value up front (graph inputs with their
// shapes, operator outputs with dtype and quantization only: shape inference
// fills the dims). Constant tensors become IR constants on first use, so a
// weight that a converter permutes (OHWI -> OIHW) is stored once, permuted,
// under the tensor's name.
//
// Constants read from a mapped file (ReadTflite) are views into the mapping
// when their data is aligned for the element type, so the weights are not
// copied (the views share ownership of the mapping); a permuted weight is a
// copy, unless the permutation only moves dims of size 1 (a 1x1 conv's OHWI
// is its OIHW), and the mapped pages it was copied from are released.
// Without a mapping (ReadTfliteFromBytes) every constant is a copy.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "io/mapped_file.h"
#include "ir/graph.h"
#include "qforge/status.h"
#include "tflite_schema_generated.h"

namespace qforge::io::tflite_import {

class ImportContext {
 public:
  // `mapping`, when given, holds `file` (constants may then view it).
  ImportContext(const tflite::Model& model, std::string_view file, ir::Graph* g,
                std::shared_ptr<const MappedFile> mapping = nullptr);

  // Creates the values of graph inputs and operator outputs.
  Status DeclareTensors();

  const tflite::SubGraph& subgraph() const { return sg_; }
  ir::Graph& graph() { return g_; }
  int32_t num_tensors() const;
  const tflite::Tensor& tensor(int32_t t) const;
  // The file's static shape (TFLite stores 1 where shape_signature says -1).
  std::vector<int64_t> StaticShape(int32_t t) const;
  // True when shape_signature marks dim `d` dynamic.
  bool IsDynamicDim(int32_t t, int d) const;
  bool IsConstant(int32_t t) const;
  DataType Dtype(int32_t t) const;
  // dtype and quantization (integer types only) of a tensor, dims unknown.
  ir::TensorType TypeOf(int32_t t) const;
  QuantParams QuantOf(int32_t t) const;

  // The IR value of tensor t (kNoValue for -1); constants on first use.
  ir::ValueId Value(int32_t t);
  // A constant tensor's data with its quantization parameters: a view into
  // the mapping when there is one and the data is aligned, else a copy.
  Tensor ConstantData(int32_t t) const;
  // A constant permuted by `perm` (out dim i = in dim perm[i]; the quant
  // axis follows), cached per (tensor, perm) and named after the tensor.
  ir::ValueId PermutedConstant(int32_t t, const std::vector<int64_t>& perm);
  // Integer contents of an int32/int64 constant; InvalidModel otherwise.
  Result<std::vector<int64_t>> ConstantInts(int32_t t, const std::string& where) const;

  // New values and nodes. Names are made unique.
  ir::ValueId NewValue(const std::string& hint, ir::TensorType type);
  ir::ValueId AddConstant(const std::string& hint, Tensor t);
  ir::ValueId AddInt64Constant(const std::string& hint, const std::vector<int64_t>& v);
  ir::ValueId AddFloatScalar(const std::string& hint, float v);
  void AddNode(const std::string& name, OpKind op, std::vector<ir::ValueId> inputs,
               std::vector<ir::ValueId> outputs, ir::Attributes attrs = {});
  std::string ValueName(ir::ValueId v) const { return g_.value(v).name; }
  // The tensor's name, or `fallback` when it has none (or t is -1).
  std::string TensorName(int32_t t, const std::string& fallback) const;
  // Gives `v` a new (made unique) name, freeing its old one.
  void RenameValue(ir::ValueId v, const std::string& hint);

 private:
  std::string UniqueName(const std::string& hint);

  const tflite::Model& model_;
  std::string_view file_;
  std::shared_ptr<const MappedFile> mapping_;
  const tflite::SubGraph& sg_;
  ir::Graph& g_;
  std::vector<ir::ValueId> values_;  // per tensor; kNoValue until created
  std::map<std::pair<int32_t, std::vector<int64_t>>, ir::ValueId> permuted_;
  std::set<std::string> names_;
};

// Permutes a tensor's dims and data: out dim i = in dim perm[i]. The quant
// axis moves with its dim. When the permutation keeps the order of every dim
// larger than 1 the bytes are already in order: the result then shares
// `in`'s storage (Reshaped) instead of copying it.
Tensor PermuteTensor(const Tensor& in, const std::vector<int64_t>& perm);

}  // namespace qforge::io::tflite_import
