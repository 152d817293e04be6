#include "io/data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "io/atomic_file.h"
#include "io/data/array_dataset.h"
#include "io/data/image_preprocess.h"
#include "io/data/sample_fit.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

// Image files are read whole; nothing legitimate comes close.
constexpr size_t kMaxImageFileBytes = size_t{256} << 20;

class ImageFolderDataset : public Dataset {
 public:
  ImageFolderDataset(std::string folder, std::vector<std::string> files, std::vector<int64_t> labels,
                     std::vector<std::string> classes, ImagePreprocess pre, int channels, int height,
                     int width, ElementConversion conv)
      : folder_(std::move(folder)),
        files_(std::move(files)),
        labels_(std::move(labels)),
        classes_(std::move(classes)),
        pre_(std::move(pre)),
        channels_(channels),
        height_(height),
        width_(width),
        conv_(conv) {
    sample_dims_ = pre_.nhwc ? std::vector<int64_t>{height, width, channels}
                             : std::vector<int64_t>{channels, height, width};
  }

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  const std::vector<int64_t>& sample_dims() const override { return sample_dims_; }
  DataType dtype() const override { return conv_.out; }
  std::vector<std::string> class_names() const override { return classes_; }

  Result<std::vector<int64_t>> FolderLabels() const override {
    if (classes_.empty()) return Dataset::FolderLabels();
    return labels_;
  }

  Result<Tensor> Read(int64_t first, int64_t count) override {
    QF_RETURN_IF_ERROR(CheckReadRange(first, count, size(), folder_));
    QF_ASSIGN_OR_RETURN(Tensor out, AllocateBatch(conv_.out, count, sample_dims_, folder_));
    const int64_t sample_elements = int64_t{channels_} * height_ * width_;
    std::vector<float> normalized(static_cast<size_t>(sample_elements));
    std::string bytes;
    for (int64_t i = 0; i < count; ++i) {
      const std::string& file = files_[static_cast<size_t>(first + i)];
      QF_RETURN_IF_ERROR(ReadFile(file, &bytes, kMaxImageFileBytes));
      int h = height_, w = width_;
      QF_ASSIGN_OR_RETURN(std::vector<float> hwc, DecodeResizeCrop(bytes, file, pre_, channels_, &h, &w));
      NormalizeImage(hwc, channels_, h, w, pre_, normalized.data());
      if (conv_.out == DataType::kUInt8) {
        // Only reached without scaling or normalization: pixels stay 0..255
        // (resizing may leave fractions, rounded here).
        for (float& v : normalized) v = std::nearbyint(v);
      }
      void* dst = static_cast<uint8_t*>(out.raw_data()) +
                  static_cast<size_t>(i * sample_elements) * DataTypeSize(conv_.out);
      QF_RETURN_IF_ERROR(ConvertSamples(conv_, normalized.data(), dst, 1, sample_elements, first + i, file));
    }
    return out;
  }

 private:
  std::string folder_;
  std::vector<std::string> files_;
  std::vector<int64_t> labels_;
  std::vector<std::string> classes_;
  ImagePreprocess pre_;
  int channels_, height_, width_;
  ElementConversion conv_;
  std::vector<int64_t> sample_dims_;
};

bool Hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

// Sorted image files directly in `dir`, and sorted subfolders.
Status ListFolder(const fs::path& dir, std::vector<std::string>* images, std::vector<fs::path>* subdirs) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return NotFound(dir.string() + ": cannot list folder: " + ec.message());
  for (const fs::directory_entry& e : it) {
    if (Hidden(e.path())) continue;
    if (e.is_directory(ec)) {
      if (subdirs) subdirs->push_back(e.path());
    } else if (IsImageFile(e.path().filename().string())) {
      images->push_back(e.path().string());
    }
  }
  std::sort(images->begin(), images->end());
  if (subdirs) std::sort(subdirs->begin(), subdirs->end());
  return Status::Ok();
}

Status CheckPreprocess(const ImagePreprocess& pre, int channels, const std::string& folder) {
  for (const auto* v : {&pre.mean, &pre.std}) {
    if (!v->empty() && v->size() != 1 && v->size() != static_cast<size_t>(channels)) {
      return InvalidArgument(folder + ": " + std::string(v == &pre.mean ? "mean" : "std") + " has " +
                             std::to_string(v->size()) + " values; expected 1 or " +
                             std::to_string(channels) + " (one per channel)");
    }
    for (float x : *v) {
      if (!std::isfinite(x)) return InvalidArgument(folder + ": mean/std values must be finite");
    }
  }
  for (float s : pre.std) {
    if (s == 0.0f) return InvalidArgument(folder + ": std values must be non-zero");
  }
  if (!std::isfinite(pre.scale) || pre.scale == 0.0f) {
    return InvalidArgument(folder + ": scale must be finite and non-zero");
  }
  if (pre.resize < 0 || pre.crop_h < 0 || pre.crop_w < 0) {
    return InvalidArgument(folder + ": resize and crop sizes must be non-negative");
  }
  return Status::Ok();
}

}  // namespace

bool IsImageFile(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp" || ext == "ppm" || ext == "pgm";
}

Result<std::unique_ptr<Dataset>> OpenImageFolder(const std::string& folder, const ImagePreprocess& pre,
                                                 const std::vector<int64_t>& model_input_dims,
                                                 DataType model_input_dtype) {
  const int channels = pre.grayscale ? 1 : 3;
  QF_RETURN_IF_ERROR(CheckPreprocess(pre, channels, folder));
  int height = pre.crop_h;
  int width = pre.crop_w != 0 ? pre.crop_w : pre.crop_h;
  if (!model_input_dims.empty()) {
    if (model_input_dims.size() != 4) {
      return InvalidArgument(folder + ": image folders feed rank-4 inputs, the model input is " +
                             DimsToString(model_input_dims));
    }
    const int64_t mc = pre.nhwc ? model_input_dims[3] : model_input_dims[1];
    const int64_t mh = pre.nhwc ? model_input_dims[1] : model_input_dims[2];
    const int64_t mw = pre.nhwc ? model_input_dims[2] : model_input_dims[3];
    if (mc >= 0 && mc != channels) {
      return InvalidArgument(folder + ": images give " + std::to_string(channels) +
                             " channel(s) but model input " + DimsToString(model_input_dims) + " (" +
                             (pre.nhwc ? "NHWC" : "NCHW") + ") wants " + std::to_string(mc) +
                             (mc == 1 ? " (use grayscale)" : ""));
    }
    if ((height != 0 && mh >= 0 && mh != height) || (width != 0 && mw >= 0 && mw != width)) {
      return InvalidArgument(folder + ": crop " + std::to_string(width) + "x" + std::to_string(height) +
                             " does not match the model input " + DimsToString(model_input_dims));
    }
    if (height == 0 && mh > 0) height = static_cast<int>(std::min<int64_t>(mh, 1 << 20));
    if (width == 0 && mw > 0) width = static_cast<int>(std::min<int64_t>(mw, 1 << 20));
  }
  const bool plain = pre.scale == 1.0f && pre.mean.empty() && pre.std.empty();
  ElementConversion conv;
  conv.stored = DataType::kFloat32;
  if (model_input_dtype == DataType::kUndefined || IsFloat(model_input_dtype)) {
    conv.out = model_input_dtype == DataType::kUndefined ? DataType::kFloat32 : model_input_dtype;
  } else if (model_input_dtype == DataType::kUInt8 && plain) {
    conv.out = DataType::kUInt8;
  } else {
    return InvalidArgument(
        folder + ": images cannot feed a " + std::string(DataTypeName(model_input_dtype)) + " model input" +
        (model_input_dtype == DataType::kUInt8 ? " unless scale is 1 and no mean/std is set" : ""));
  }

  std::vector<std::string> files, classes;
  std::vector<int64_t> labels;
  std::vector<fs::path> subdirs;
  QF_RETURN_IF_ERROR(ListFolder(folder, &files, &subdirs));
  if (!subdirs.empty()) {
    if (!files.empty()) {
      return InvalidArgument(folder + ": has both images (" + files.front() +
                             ") and class subfolders; put every image in a class folder");
    }
    for (const fs::path& dir : subdirs) {
      std::vector<std::string> class_files;
      QF_RETURN_IF_ERROR(ListFolder(dir, &class_files, nullptr));
      for (std::string& f : class_files) {
        files.push_back(std::move(f));
        labels.push_back(static_cast<int64_t>(classes.size()));
      }
      classes.push_back(dir.filename().string());
    }
  }
  if (files.empty()) {
    return InvalidArgument(folder + ": the data set is empty (no .png/.jpg/.jpeg/.bmp/.ppm/.pgm files)");
  }
  if (height == 0 || width == 0) {
    // Dynamic model H/W and no crop: the first image sets the size the
    // others are center-cropped to.
    std::string bytes;
    QF_RETURN_IF_ERROR(ReadFile(files.front(), &bytes, kMaxImageFileBytes));
    QF_ASSIGN_OR_RETURN(std::vector<float> first,
                        DecodeResizeCrop(bytes, files.front(), pre, channels, &height, &width));
  }
  return std::unique_ptr<Dataset>(new ImageFolderDataset(
      folder, std::move(files), std::move(labels), std::move(classes), pre, channels, height, width, conv));
}

}  // namespace qforge::io
