#include "io/data/quantized_input.h"

#include <cmath>

#include "qscheme/arithmetic.h"

namespace qforge::io {

namespace {

class QuantizingDataset : public Dataset {
 public:
  QuantizingDataset(std::unique_ptr<Dataset> inner, IoInfo input)
      : inner_(std::move(inner)), input_(std::move(input)) {}
  int64_t size() const override { return inner_->size(); }
  const std::vector<int64_t>& sample_dims() const override { return inner_->sample_dims(); }
  DataType dtype() const override { return input_.dtype; }
  Result<Tensor> Read(int64_t first, int64_t count) override {
    QF_ASSIGN_OR_RETURN(Tensor x, inner_->Read(first, count));
    return QuantizeForInput(x, input_);
  }
  Result<std::vector<int64_t>> FolderLabels() const override { return inner_->FolderLabels(); }
  std::vector<std::string> class_names() const override { return inner_->class_names(); }

 private:
  std::unique_ptr<Dataset> inner_;
  IoInfo input_;
};

}  // namespace

bool IsQuantizedInput(const IoInfo& input) {
  return (input.dtype == DataType::kInt8 || input.dtype == DataType::kUInt8) && input.quant.scale.size() == 1;
}

Result<Tensor> QuantizeForInput(const Tensor& x, const IoInfo& input) {
  if (!IsQuantizedInput(input) || x.dtype() != DataType::kFloat32) return x;
  QF_ASSIGN_OR_RETURN(quant::QuantLimits lim, quant::LimitsOf(input.dtype));
  const float s = input.quant.scale[0];
  const int32_t z = input.quant.zero_point.empty() ? 0 : static_cast<int32_t>(input.quant.zero_point[0]);
  Tensor q(input.dtype, x.dims());
  q.set_quant(input.quant);
  const float* in = x.data<float>();
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    if (!std::isfinite(in[i])) {
      return InvalidArgument("input '" + input.name + "': element " + std::to_string(i) + " is NaN or Inf");
    }
    const int32_t v = quant::QuantizeValue(in[i], s, z, lim.qmin, lim.qmax, quant::RoundingRule::kHalfToEven);
    if (input.dtype == DataType::kInt8) {
      q.data<int8_t>()[i] = static_cast<int8_t>(v);
    } else {
      q.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    }
  }
  return q;
}

Result<std::unique_ptr<Dataset>> OpenDatasetForInput(const DataSpec& given, const IoInfo& input) {
  // An NHWC model input (TFLite) takes images channels-last without --nhwc.
  DataSpec spec = given;
  spec.image.nhwc = spec.image.nhwc || input.channels_last;
  if (!IsQuantizedInput(input)) return OpenDataset(spec, input.dims, input.dtype);
  QF_ASSIGN_OR_RETURN(std::unique_ptr<Dataset> inner, OpenDataset(spec, input.dims, DataType::kFloat32));
  return std::unique_ptr<Dataset>(new QuantizingDataset(std::move(inner), input));
}

}  // namespace qforge::io
