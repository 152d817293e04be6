#include "io/tflite/tflite_reader.h"

#include <fstream>
#include <sstream>

namespace qforge::io {

bool HasTfliteIdentifier(std::string_view head) { return head.size() >= 8 && head.substr(4, 4) == "TFL3"; }

Result<std::unique_ptr<ir::Graph>> ReadTfliteFromBytes(std::string_view bytes, const std::string& source) {
  return Unsupported(source + ": reading .tflite is not implemented yet");
}

Result<std::unique_ptr<ir::Graph>> ReadTflite(const std::string& path) {
  return ReadTfliteFromBytes({}, path);
}

}  // namespace qforge::io
