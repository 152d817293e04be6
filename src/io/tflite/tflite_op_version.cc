#include "io/tflite/tflite_op_version.h"

namespace qforge::io {

// Placeholder until the versioning table lands (issue 4, helper H2).
int TfliteOpVersion(const TfliteOpSig& sig) { return 1; }

std::string TfliteMinRuntimeVersion(const std::vector<std::pair<tflite::BuiltinOperator, int>>& ops) {
  return "1.5.0";
}

}  // namespace qforge::io
