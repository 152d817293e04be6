#include "io/tflite/tflite_writer.h"

namespace qforge::io {

Result<std::string> SerializeTflite(const ir::Graph& graph) {
  return Unsupported("writing .tflite is not implemented yet");
}

Status WriteTflite(const ir::Graph& graph, const std::string& path) { return SerializeTflite(graph).status(); }

}  // namespace qforge::io
