#include "cli/data_flags.h"

#include <cmath>

namespace qforge::cli {

void AddDataFlags(CLI::App* sub, io::DataSpec* spec) {
  sub->add_option("--shape", spec->shape, "Shape of one sample in a raw float32 file (e.g. --shape 1 28 28)");
  sub->add_option("--npz-key", spec->npz_key, "Array name inside an .npz (default: the first)");
  sub->add_option("--resize", spec->image.resize, "Images: resize the shorter side to this many pixels");
  sub->add_option("--crop", spec->image.crop_h,
                  "Images: center crop to this square size (default: model input)");
  sub->add_option("--mean", spec->image.mean, "Images: per-channel mean subtracted after scaling");
  sub->add_option("--std", spec->image.std, "Images: per-channel std divided after the mean");
  sub->add_option("--scale", spec->image.scale,
                  "Images: multiply 0..255 pixels by this first (default 1/255)");
  sub->add_flag("--bgr", spec->image.bgr, "Images: BGR channel order (default RGB)");
  sub->add_flag("--grayscale", spec->image.grayscale, "Images: decode as one channel");
  sub->add_flag("--nhwc", spec->image.nhwc, "Images: NHWC layout (default NCHW)");
  sub->add_option("--idx-scale", spec->idx_scale,
                  "IDX images: multiply uint8 pixels by this (default 1/255)");
}

Status CheckFinite(const Tensor& t, const std::string& source) {
  if (t.dtype() != DataType::kFloat32) return Status::Ok();
  auto values = t.span<float>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return InvalidArgument(source + ": element " + std::to_string(i) + " is " +
                             (std::isnan(values[i]) ? "NaN" : "Inf") + "; inputs must be finite");
    }
  }
  return Status::Ok();
}

}  // namespace qforge::cli
