// `quantize --calib` for models of any number of inputs: which data feeds
// which input, and the calibration batches built from it.
//
//   --calib FILE              a model of one input: any data format
//   --calib FILE.npz          one member per model input, named as the input
//   --calib NAME=FILE ...     one data file per input (repeat the flag)
//   --feedback OUT=IN ...     stream: IN takes OUT of the previous batch
//
// A fed-back input (state) needs no data: its first value is zeros, shaped
// as declared with dynamic dims set to the batch size. A rank-0 input (a
// sample rate, a flag) takes the one value of its data for every batch.
// Every other input is read in batches along dim 0, and all hold equally
// many samples.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/progress.h"
#include "io/data/dataset.h"
#include "qforge/model.h"
#include "qforge/quantize.h"

namespace qforge::cli {

struct CalibArgs {
  std::vector<std::string> calib;     // the --calib values
  std::vector<std::string> feedback;  // the --feedback values
  io::DataSpec spec;                  // the data flags (raw shape, image preprocessing)
  int64_t count = 100;
  int64_t batch = 16;
};

// The files the --calib values name (for the output-path check).
std::vector<std::string> CalibFiles(const std::vector<std::string>& calib);

// "OUT=IN" values as the API's feedback pairs; InvalidArgument on a bad value.
Result<std::vector<StateFeedback>> ParseFeedback(const std::vector<std::string>& values);

// The calibration batches of `model`; `bar` is set to the progress bar they
// update. The data sets live as long as the returned function.
Result<CalibrationBatches> OpenCalibration(const CalibArgs& args, const Model& model,
                                           const std::vector<StateFeedback>& feedback,
                                           std::unique_ptr<ProgressBar>* bar);

}  // namespace qforge::cli
