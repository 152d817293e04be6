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

#include <map>
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

// Whether data flag values (--calib, run's --input) name the model's inputs:
// NAME=FILE pairs, or one .npz for a model of several inputs.
bool NamesInputs(const std::vector<std::string>& values, const std::vector<IoInfo>& inputs);

// Which file (and .npz member) feeds each input that is not fed back, from
// the values of `flag`: one file (any format) for a model of one input to
// feed, one .npz with a member per input name, or NAME=FILE per input.
Result<std::map<std::string, io::DataSpec>> AssignInputFiles(const std::string& flag,
                                                             const std::vector<std::string>& values,
                                                             const io::DataSpec& spec,
                                                             const std::vector<IoInfo>& inputs,
                                                             const std::vector<bool>& fed_back);

// The one value of a rank-0 input's data (`file` names it in errors).
Result<Tensor> ScalarOf(io::Dataset& data, const IoInfo& input, const std::string& file);

// The files data flag values (--calib, run's --input) name, for the
// output-path check: each value whole and, for NAME=FILE, FILE (checked
// before the model is loaded, when it is not known which reading holds).
std::vector<std::string> InputFilesOf(const std::vector<std::string>& calib);

// "OUT=IN" values as the API's feedback pairs; InvalidArgument on a bad value.
Result<std::vector<StateFeedback>> ParseFeedback(const std::vector<std::string>& values);

// The calibration batches of `model`; `bar` is set to the progress bar they
// update. The data sets live as long as the returned function.
Result<CalibrationBatches> OpenCalibration(const CalibArgs& args, const Model& model,
                                           const std::vector<StateFeedback>& feedback,
                                           std::unique_ptr<ProgressBar>* bar);

}  // namespace qforge::cli
