// Flags shared by every command that reads data (run, eval, later quantize
// --calib): how to interpret raw files and preprocess image folders.
#pragma once

#include <CLI/CLI.hpp>

#include "io/data/dataset.h"

namespace qforge::cli {

void AddDataFlags(CLI::App* sub, io::DataSpec* spec);

// Rejects NaN/Inf in float input data, naming the file and element.
Status CheckFinite(const Tensor& t, const std::string& source);

}  // namespace qforge::cli
