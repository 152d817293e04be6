#include "eval/classification.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "qscheme/arithmetic.h"

namespace qforge::eval {

Status AccumulateTopK(const Tensor& quantized_or_float, std::span<const int64_t> labels, TopKCounts* counts) {
  // Quantized logits (int8-only models) rank as their real values do.
  Tensor dequantized;
  const Tensor* in = &quantized_or_float;
  const QuantParams& q = quantized_or_float.quant();
  if ((in->dtype() == DataType::kInt8 || in->dtype() == DataType::kUInt8) && q.scale.size() == 1) {
    dequantized = Tensor(DataType::kFloat32, in->dims());
    const int64_t z = q.zero_point.empty() ? 0 : q.zero_point[0];
    for (int64_t i = 0; i < in->num_elements(); ++i) {
      const int64_t v = in->dtype() == DataType::kInt8 ? in->data<int8_t>()[i] : in->data<uint8_t>()[i];
      dequantized.data<float>()[i] = quant::DequantizeValue(v, q.scale[0], z);
    }
    in = &dequantized;
  }
  const Tensor& scores = *in;
  if (scores.dtype() != DataType::kFloat32) {
    return InvalidArgument(std::string("classifier output must be float32, got ") +
                           DataTypeName(scores.dtype()));
  }
  if (scores.rank() < 2)
    return InvalidArgument("classifier output must be [batch, classes], got " + scores.ShapeString());
  const int64_t batch = scores.dim(0);
  const int64_t classes = scores.num_elements() / std::max<int64_t>(batch, 1);
  for (int i = 2; i < scores.rank(); ++i) {
    if (scores.dim(i) != 1) {
      return InvalidArgument("classifier output must be [batch, classes], got " + scores.ShapeString());
    }
  }
  if (static_cast<int64_t>(labels.size()) != batch) {
    return Internal("label count does not match batch");
  }
  for (int64_t b = 0; b < batch; ++b) {
    const float* row = scores.data<float>() + b * classes;
    const int64_t label = labels[static_cast<size_t>(b)];
    if (label < 0 || label >= classes) {
      return InvalidArgument("label " + std::to_string(label) + " of sample " +
                             std::to_string(counts->total + b) + " is outside the model's " +
                             std::to_string(classes) + " classes");
    }
    // Rank of the true class: classes scoring strictly higher, or equal with a lower index.
    int64_t rank = 0;
    for (int64_t c = 0; c < classes; ++c) {
      if (row[c] > row[label] || (row[c] == row[label] && c < label) || std::isnan(row[c])) ++rank;
    }
    if (rank < 1) ++counts->top1;
    if (rank < 5) ++counts->top5;
  }
  counts->total += batch;
  return Status::Ok();
}

Status CheckLabelCount(size_t labels, int64_t samples, const std::string& labels_source,
                       const std::string& data_source) {
  if (static_cast<int64_t>(labels) == samples) return Status::Ok();
  return InvalidArgument(labels_source + ": has " + std::to_string(labels) + " labels but " + data_source +
                         " has " + std::to_string(samples) + " samples; there must be one label per sample");
}

Result<TopKCounts> EvaluateClassifier(Session& session, io::Dataset& data, std::span<const int64_t> labels,
                                      const EvalOptions& options) {
  int64_t n = data.size();
  if (options.limit >= 0) n = std::min(n, options.limit);
  QF_RETURN_IF_ERROR(CheckLabelCount(labels.size(), data.size(), "the labels", "the data"));
  if (n == 0) return InvalidArgument("the data set is empty");
  TopKCounts counts;
  for (int64_t first = 0; first < n; first += options.batch) {
    const int64_t count = std::min(options.batch, n - first);
    QF_ASSIGN_OR_RETURN(Tensor x, data.Read(first, count));
    std::vector<Tensor> inputs;
    inputs.push_back(std::move(x));
    QF_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, session.RunStacked(inputs));
    QF_RETURN_IF_ERROR(AccumulateTopK(
        outputs[0], labels.subspan(static_cast<size_t>(first), static_cast<size_t>(count)), &counts));
    if (options.progress) options.progress(first + count, n);
  }
  return counts;
}

}  // namespace qforge::eval
