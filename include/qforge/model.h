// Loading, saving and describing models.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge {

namespace ir {
class Graph;
}

// A graph input or output as a user sees it. Dynamic dims are -1 and carry
// their symbolic name when the file gave one.
struct IoInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> dims;
  std::vector<std::string> dim_names;
  QuantParams quant;  // set for a quantized (int8/uint8) input or output: r = scale * (q - zero_point)
  bool channels_last = false;  // a 4-D image tensor stored NHWC (TFLite models)
};

class Model {
 public:
  // Reads a model file; the format is chosen by extension (.onnx, .tflite) or, for .tflite, by the file
  // identifier "TFL3". The file is untrusted: every structural rule is checked before use.
  static Result<Model> Load(const std::string& path);
  // Writes atomically (temporary file + rename); never overwrites `path` when
  // an error occurs. The format is chosen by extension.
  Status Save(const std::string& path) const;
  // The bytes Save(path) would write, without writing anything (to check
  // them first: `quantize --eval` evaluates the written model, then saves).
  Result<std::string> Serialize(const std::string& path) const;
  // Reads a model from bytes as Load reads a file named `path`: its
  // extension chooses the format and it names the model in errors.
  static Result<Model> FromBytes(std::string_view bytes, const std::string& path);

  std::vector<IoInfo> inputs() const;
  std::vector<IoInfo> outputs() const;
  // Files besides the model file that loading read (ONNX external data):
  // inputs of a command as much as the model file is.
  const std::vector<std::string>& side_files() const;

  // Fixes the dynamic dims of graph input `name` to `dims` (every dim
  // positive) and re-infers the shapes that follow from it, so the model
  // plans and exports as if the file had declared them. Call it right after
  // Load. InvalidArgument, naming the input, for an unknown name, another
  // rank, or a dim the file fixes at another size.
  Status PinInputShape(const std::string& name, const std::vector<int64_t>& dims);

  // The IR, for passes and tools inside qforge.
  const ir::Graph& graph() const { return *graph_; }
  ir::Graph& mutable_graph() { return *graph_; }
  std::shared_ptr<const ir::Graph> shared_graph() const { return graph_; }
  explicit Model(std::shared_ptr<ir::Graph> graph) : graph_(std::move(graph)) {}

 private:
  std::shared_ptr<ir::Graph> graph_;
};

}  // namespace qforge
