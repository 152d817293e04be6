// placeholder until the ONNX importer lands (helper)
#include "io/onnx/onnx_reader.h"
namespace qforge::io {
Result<std::unique_ptr<ir::Graph>> ReadOnnx(const std::string& path) { return Unsupported(path + ": ONNX import not built yet"); }
Result<std::unique_ptr<ir::Graph>> ReadOnnxFromBytes(std::string_view, const std::string& s, const std::string&) { return Unsupported(s + ": ONNX import not built yet"); }
Result<Tensor> ReadOnnxTensorFile(const std::string& path) { return Unsupported(path); }
}
