// Feeding float data to a model with quantized inputs (int8-only models):
// samples are read as float32 with the usual preprocessing, then quantized
// with the input's (scale, zero point) as ONNX QuantizeLinear does, so
// `qforge eval` / `run` take the same data files for float and int8 models.
#pragma once

#include <memory>

#include "io/data/dataset.h"
#include "qforge/model.h"

namespace qforge::io {

// True when `input` is int8/uint8 with per-tensor quantization parameters.
bool IsQuantizedInput(const IoInfo& input);

// x unchanged unless the input is quantized and x is float32; then
// q = clamp(round_half_even(x / S) + Z). NaN/Inf are an InvalidArgument.
Result<Tensor> QuantizeForInput(const Tensor& x, const IoInfo& input);

// OpenDataset for this input; a quantized input reads float32 samples and
// quantizes each batch.
Result<std::unique_ptr<Dataset>> OpenDatasetForInput(const DataSpec& spec, const IoInfo& input);

}  // namespace qforge::io
