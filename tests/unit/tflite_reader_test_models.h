// Builds small .tflite files in tests with the flatbuffers object API
// (tflite::ModelT -> Pack), so reader tests state their model inline.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "tflite_schema_generated.h"

namespace qforge::tflite_test {

class TfliteBuilder {
 public:
  TfliteBuilder() {
    model_.version = 3;
    model_.buffers.push_back(std::make_unique<tflite::BufferT>());  // buffer 0: empty
    model_.subgraphs.push_back(std::make_unique<tflite::SubGraphT>());
  }

  tflite::ModelT& model() { return model_; }
  tflite::SubGraphT& subgraph() { return *model_.subgraphs[0]; }

  // A tensor without data (activation); returns its index.
  int Tensor(const std::string& name, tflite::TensorType type, std::vector<int32_t> shape) {
    auto t = std::make_unique<tflite::TensorT>();
    t->name = name;
    t->type = type;
    t->shape = std::move(shape);
    subgraph().tensors.push_back(std::move(t));
    return static_cast<int>(subgraph().tensors.size()) - 1;
  }

  // A constant tensor holding `values` (raw element bytes of `type`).
  template <typename T>
  int Constant(const std::string& name, tflite::TensorType type, std::vector<int32_t> shape,
               const std::vector<T>& values) {
    const int t = Tensor(name, type, std::move(shape));
    auto b = std::make_unique<tflite::BufferT>();
    b->data.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(b->data.data(), values.data(), b->data.size());
    model_.buffers.push_back(std::move(b));
    subgraph().tensors[static_cast<size_t>(t)]->buffer = static_cast<uint32_t>(model_.buffers.size() - 1);
    return t;
  }

  void Quantize(int t, std::vector<float> scale, std::vector<int64_t> zero_point, int dim = 0) {
    auto q = std::make_unique<tflite::QuantizationParametersT>();
    q->scale = std::move(scale);
    q->zero_point = std::move(zero_point);
    q->quantized_dimension = dim;
    subgraph().tensors[static_cast<size_t>(t)]->quantization = std::move(q);
  }

  // An operator; `options` is any XxxOptionsT or omitted.
  template <typename Options>
  int Op(tflite::BuiltinOperator code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
         Options options) {
    const int i = Op(code, std::move(inputs), std::move(outputs));
    subgraph().operators.back()->builtin_options.Set(std::move(options));
    return i;
  }
  int Op(tflite::BuiltinOperator code, std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    auto op = std::make_unique<tflite::OperatorT>();
    op->opcode_index = CodeIndex(code);
    op->inputs = std::move(inputs);
    op->outputs = std::move(outputs);
    subgraph().operators.push_back(std::move(op));
    return static_cast<int>(subgraph().operators.size()) - 1;
  }

  void Io(std::vector<int32_t> inputs, std::vector<int32_t> outputs) {
    subgraph().inputs = std::move(inputs);
    subgraph().outputs = std::move(outputs);
  }

  std::string Finish() const {
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(tflite::Model::Pack(fbb, &model_), tflite::ModelIdentifier());
    return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  }

 private:
  uint32_t CodeIndex(tflite::BuiltinOperator code) {
    for (size_t i = 0; i < model_.operator_codes.size(); ++i) {
      if (model_.operator_codes[i]->builtin_code == code) return static_cast<uint32_t>(i);
    }
    auto c = std::make_unique<tflite::OperatorCodeT>();
    c->builtin_code = code;
    c->deprecated_builtin_code = static_cast<int8_t>(code < 127 ? code : 127);
    model_.operator_codes.push_back(std::move(c));
    return static_cast<uint32_t>(model_.operator_codes.size() - 1);
  }

  tflite::ModelT model_;
};

}  // namespace qforge::tflite_test
