// --input-shape NAME=DIMS, which every command takes: the shape of a graph
// input with dynamic dims (a batch, an audio length). run, eval, inspect,
// convert and quantize pin it into the model right after loading
// (Model::PinInputShape); bench takes it as the batch-1 shape and keeps a
// dynamic batch dim free for its throughput run.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "qforge/model.h"

namespace qforge::cli {

// Adds --input-shape to every subcommand of `app`; the values are kept for
// the command that runs (one process runs one command).
void AddInputShapeFlag(CLI::App* app);

// The given shape of each input of `infos`, in order; empty where none was
// given. Values are all NAME=DIMS or all bare DIMS (one per input, in order);
// DIMS is "1,3,224,224" or "1x3x224x224". InvalidArgument for an unknown
// name, another rank, or a dim the model fixes at another size.
Result<std::vector<std::vector<int64_t>>> GivenInputShapes(const std::vector<IoInfo>& infos);

// Model::Load, then pins the given input shapes.
Result<Model> LoadModel(const std::string& path);

}  // namespace qforge::cli
