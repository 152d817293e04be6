// placeholder until the ONNX exporter lands (helper)
#include "io/onnx/onnx_writer.h"
namespace qforge::io {
Result<std::string> SerializeOnnx(const ir::Graph&) { return Unsupported("ONNX export not built yet"); }
Status WriteOnnx(const ir::Graph&, const std::string& path) { return Unsupported(path + ": ONNX export not built yet"); }
}
