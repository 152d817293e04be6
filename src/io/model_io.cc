#include <algorithm>
#include <filesystem>

#include "io/atomic_file.h"
#include "io/onnx/onnx_reader.h"
#include "io/onnx/onnx_writer.h"
#include "io/regular_file.h"
#include "io/tflite/read/tflite_reader.h"
#include "io/tflite/write/tflite_writer.h"
#include "ir/graph.h"
#include "passes/infer_types.h"
#include "qforge/model.h"

namespace qforge {

namespace {
std::string Extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

IoInfo InfoOf(const ir::Value& v) {
  IoInfo info;
  info.name = v.name;
  info.dtype = v.type.dtype;
  info.dims = v.type.dims;
  info.dim_names = v.type.dim_names;
  info.quant = v.type.quant;
  info.channels_last = v.type.layout == ir::Layout::kNHWC;
  return info;
}

// The first 8 bytes, or fewer for a short or unreadable file (the reader
// then reports the real problem).
std::string Head(const std::string& path) {
  Result<io::ReadOnlyFile> f = io::ReadOnlyFile::Open(path);  // never blocks on a FIFO
  std::string head(8, '\0');
  Result<size_t> got = f.ok() ? f->ReadAt(0, head.data(), head.size()) : Result<size_t>(size_t{0});
  head.resize(got.ok() ? *got : 0);
  return head;
}
}  // namespace

Result<Model> Model::Load(const std::string& path) {
  const std::string ext = Extension(path);
  if (ext == ".onnx") {
    QF_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> g, io::ReadOnnx(path));
    return Model(std::shared_ptr<ir::Graph>(std::move(g)));
  }
  if (ext == ".tflite" || io::HasTfliteIdentifier(Head(path))) {
    QF_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> g, io::ReadTflite(path));
    return Model(std::shared_ptr<ir::Graph>(std::move(g)));
  }
  return InvalidArgument(path + ": unknown model format '" + ext + "' (expected .onnx or .tflite)");
}

Status Model::Save(const std::string& path) const {
  QF_ASSIGN_OR_RETURN(std::string bytes, Serialize(path));
  return io::WriteFileAtomic(path, bytes);
}

Result<std::string> Model::Serialize(const std::string& path) const {
  const std::string ext = Extension(path);
  Result<std::string> bytes =
      InvalidArgument(path + ": unknown model format '" + ext + "' (expected .onnx or .tflite)");
  if (ext == ".onnx") bytes = io::SerializeOnnx(*graph_);
  if (ext == ".tflite") bytes = io::SerializeTflite(*graph_);
  if (!bytes.ok() && (ext == ".onnx" || ext == ".tflite")) return bytes.status().WithContext(path + ": ");
  return bytes;
}

Result<Model> Model::FromBytes(std::string_view bytes, const std::string& path) {
  const std::string ext = Extension(path);
  if (ext == ".onnx") {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    QF_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> g,
                        io::ReadOnnxFromBytes(bytes, path, dir.empty() ? "." : dir));
    return Model(std::shared_ptr<ir::Graph>(std::move(g)));
  }
  if (ext == ".tflite" || io::HasTfliteIdentifier(bytes.substr(0, 8))) {
    QF_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> g, io::ReadTfliteFromBytes(bytes, path));
    return Model(std::shared_ptr<ir::Graph>(std::move(g)));
  }
  return InvalidArgument(path + ": unknown model format '" + ext + "' (expected .onnx or .tflite)");
}

const std::vector<std::string>& Model::side_files() const { return graph_->side_files; }

std::vector<IoInfo> Model::inputs() const {
  std::vector<IoInfo> v;
  for (ir::ValueId id : graph_->inputs) v.push_back(InfoOf(graph_->value(id)));
  return v;
}

std::vector<IoInfo> Model::outputs() const {
  std::vector<IoInfo> v;
  for (ir::ValueId id : graph_->outputs) v.push_back(InfoOf(graph_->value(id)));
  return v;
}

Status Model::PinInputShape(const std::string& name, const std::vector<int64_t>& dims) {
  std::string names;
  for (ir::ValueId id : graph_->inputs) {
    ir::Value& v = graph_->value(id);
    names += (names.empty() ? "" : ", ") + v.name;
    if (v.name != name) continue;
    const std::string where = "input '" + name + "': ";
    if (!v.type.rank_known || v.type.dims.size() != dims.size()) {
      return InvalidArgument(where + "has rank " +
                             (v.type.rank_known ? std::to_string(v.type.dims.size()) : "?") + ", not " +
                             std::to_string(dims.size()));
    }
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] <= 0) return InvalidArgument(where + "dim " + std::to_string(d) + " must be positive");
      if (v.type.dims[d] >= 0 && v.type.dims[d] != dims[d]) {
        return InvalidArgument(where + "dim " + std::to_string(d) + " is fixed at " +
                               std::to_string(v.type.dims[d]) + ", not " + std::to_string(dims[d]));
      }
    }
    v.type.dims = dims;
    v.type.dim_names.clear();
    // Values after the input keep their dtype and quantization and gain the static dims that follow.
    // A shape the graph cannot take (a window longer than the pinned length) is the caller's error.
    Status s = passes::InferTypes(graph_.get());
    if (!s.ok()) return InvalidArgument(where + "the graph does not take this shape: " + s.message());
    return Status::Ok();
  }
  return InvalidArgument("'" + name + "' is not an input of the model (inputs: " + names + ")");
}

}  // namespace qforge
