// Shared test helpers: building one-node graphs, running them, comparing.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/tensor.h"

namespace qforge::testing {

// Path of a file in the source tree.
std::string SourcePath(const std::string& rel);

// A tensor filled from `values` (converted to dtype).
Tensor MakeTensor(DataType dtype, std::vector<int64_t> dims, const std::vector<double>& values);

// Runs one node (op + attrs) on `inputs` through shape inference and the
// reference kernel, without a model file. nullptr inputs are omitted
// optional inputs.
Result<std::vector<Tensor>> RunSingleOp(OpKind op, const ir::Attributes& attrs,
                                        const std::vector<const Tensor*>& inputs, int num_outputs = 1);

// Max |a - b| / max(1, |b|) over elements, as doubles; -1 if shapes/dtypes differ.
double MaxRelError(const Tensor& a, const Tensor& b);

}  // namespace qforge::testing
