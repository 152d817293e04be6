// OpenDataset and LoadLabels: recognise the format, then hand the stored
// array to the shared fitting and conversion code (sample_fit.h).
#include "io/data/dataset.h"

#include <cctype>
#include <cstring>
#include <filesystem>

#include "io/data/array_dataset.h"
#include "io/data/idx.h"
#include "io/data/image_folder.h"
#include "io/data/npy.h"
#include "io/data/npz.h"
#include "io/data/sample_fit.h"

namespace qforge::io {
namespace {

namespace fs = std::filesystem;

enum class Format { kNpy, kNpz, kIdx, kRaw, kFolder };

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// By name first; files with unknown names by their first bytes.
Result<Format> DetectFormat(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Format::kFolder;
  if (!fs::exists(path, ec)) return NotFound(path + ": no such file or folder");
  std::string name = Lower(fs::path(path).filename().string());
  if (EndsWith(name, ".npy")) return Format::kNpy;
  if (EndsWith(name, ".npz")) return Format::kNpz;
  if (EndsWith(name, ".raw") || EndsWith(name, ".bin") || EndsWith(name, ".f32")) return Format::kRaw;
  if (EndsWith(name, ".gz")) name.resize(name.size() - 3);
  if (EndsWith(name, ".idx") || EndsWith(name, "-ubyte") || name.find("idx") != std::string::npos) {
    return Format::kIdx;
  }
  char head[6] = {};
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  QF_ASSIGN_OR_RETURN(const size_t got, f.ReadAt(0, head, sizeof head));
  if (got >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0) return Format::kNpy;
  if (got >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return Format::kNpz;
  if (got >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    return Format::kIdx;  // gzip: the only compressed single-array format we read
  }
  if (got >= 4 && head[0] == 0 && head[1] == 0 && head[2] >= 0x08 && head[2] <= 0x0E) return Format::kIdx;
  return Unsupported(path +
                     ": cannot tell the data format; use .npy, .npz, .idx/-ubyte(.gz), "
                     ".raw/.bin/.f32 (float32, with a shape) or a folder of images");
}

Result<std::unique_ptr<Dataset>> Streamed(StreamedArray a, const std::vector<int64_t>& model_dims,
                                          DataType model_dtype, float idx_scale) {
  QF_ASSIGN_OR_RETURN(SampleLayout layout, FitLayout(a.dims, model_dims, a.name));
  QF_ASSIGN_OR_RETURN(ElementConversion conv, ChooseConversion(a.dtype, model_dtype, a.name, idx_scale));
  return std::unique_ptr<Dataset>(new StreamArrayDataset(std::move(a), std::move(layout), conv));
}

Result<std::unique_ptr<Dataset>> OpenNpy(const DataSpec& spec, const std::vector<int64_t>& model_dims,
                                         DataType model_dtype) {
  const std::string& path = spec.path;
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  QF_ASSIGN_OR_RETURN(NpyHeader h, ReadNpyFileHeader(f));
  QF_ASSIGN_OR_RETURN(SampleLayout layout, FitLayout(h.dims, model_dims, path));
  QF_ASSIGN_OR_RETURN(ElementConversion conv, ChooseConversion(h.dtype, model_dtype, path));
  return std::unique_ptr<Dataset>(new FileArrayDataset(std::move(f), h.data_offset, std::move(layout), conv));
}

Result<std::unique_ptr<Dataset>> OpenRaw(const DataSpec& spec, const std::vector<int64_t>& model_dims,
                                         DataType model_dtype) {
  const std::string& path = spec.path;
  QF_ASSIGN_OR_RETURN(ReadOnlyFile f, ReadOnlyFile::Open(path));
  const uint64_t size = f.size();
  if (size == 0) return InvalidArgument(path + ": the data set is empty (0 bytes)");
  std::vector<int64_t> sample = spec.shape;
  if (sample.empty()) {
    if (model_dims.empty() || CheckedElementCount({model_dims.begin() + 1, model_dims.end()}) <= 0) {
      return InvalidArgument(path + ": a raw float32 file needs a sample shape (the model input " +
                             DimsToString(model_dims) + " does not fix one)");
    }
    sample.assign(model_dims.begin() + 1, model_dims.end());
  }
  const int64_t elements = CheckedElementCount(sample);
  if (elements <= 0 || static_cast<uint64_t>(elements) > (uint64_t{1} << 60) / 4) {
    return InvalidArgument(path + ": raw data shape " + DimsToString(sample) + " is invalid");
  }
  const uint64_t sample_bytes = static_cast<uint64_t>(elements) * 4;
  std::vector<int64_t> data_dims;
  if (size == sample_bytes) {
    data_dims = sample;  // a full shape, or one sample: FitLayout tells them apart
  } else if (size % sample_bytes == 0) {
    data_dims = {static_cast<int64_t>(size / sample_bytes)};
    data_dims.insert(data_dims.end(), sample.begin(), sample.end());
  } else {
    return InvalidArgument(path + ": file is " + std::to_string(size) + " bytes, not a multiple of " +
                           std::to_string(sample_bytes) + " bytes (one float32 sample of shape " +
                           DimsToString(sample) + ")");
  }
  QF_ASSIGN_OR_RETURN(SampleLayout layout, FitLayout(data_dims, model_dims, path));
  QF_ASSIGN_OR_RETURN(ElementConversion conv, ChooseConversion(DataType::kFloat32, model_dtype, path));
  return std::unique_ptr<Dataset>(new FileArrayDataset(std::move(f), 0, std::move(layout), conv));
}

}  // namespace

Result<std::vector<int64_t>> Dataset::FolderLabels() const {
  return NotFound("this data set has no labels of its own (only image folders with class subfolders do)");
}

Result<std::unique_ptr<Dataset>> OpenDataset(const DataSpec& spec,
                                             const std::vector<int64_t>& model_input_dims,
                                             DataType model_input_dtype) {
  QF_ASSIGN_OR_RETURN(Format format, DetectFormat(spec.path));
  switch (format) {
    case Format::kFolder:
      return OpenImageFolder(spec.path, spec.image, model_input_dims, model_input_dtype);
    case Format::kNpy:
      return OpenNpy(spec, model_input_dims, model_input_dtype);
    case Format::kRaw:
      return OpenRaw(spec, model_input_dims, model_input_dtype);
    case Format::kNpz: {
      QF_ASSIGN_OR_RETURN(StreamedArray a, OpenNpzMember(spec.path, spec.npz_key));
      return Streamed(std::move(a), model_input_dims, model_input_dtype, 0.0f);
    }
    case Format::kIdx: {
      QF_ASSIGN_OR_RETURN(StreamedArray a, OpenIdx(spec.path));
      return Streamed(std::move(a), model_input_dims, model_input_dtype, spec.idx_scale);
    }
  }
  return Internal(spec.path + ": unhandled data format");
}

Result<std::vector<int64_t>> LoadLabels(const std::string& path, const std::string& npz_key) {
  QF_ASSIGN_OR_RETURN(Format format, DetectFormat(path));
  Result<Tensor> read = Status(Unsupported(path + ": labels must be an .npy, an .npz or an IDX label file"));
  if (format == Format::kNpy) read = ReadNpy(path);
  if (format == Format::kNpz) {
    Result<StreamedArray> a = OpenNpzMember(path, npz_key);
    read = a.ok() ? ReadWholeArray(std::move(a).value()) : Result<Tensor>(a.status());
  }
  if (format == Format::kIdx) {
    Result<StreamedArray> a = OpenIdx(path);
    read = a.ok() ? ReadWholeArray(std::move(a).value()) : Result<Tensor>(a.status());
  }
  if (!read.ok()) return read.status();
  const Tensor& t = read.value();
  if (!IsInteger(t.dtype())) {
    return InvalidArgument(path + ": labels must be integers, got " + DataTypeName(t.dtype()));
  }
  if (!(t.rank() == 1 || (t.rank() == 2 && t.dim(1) == 1))) {
    return InvalidArgument(path + ": labels must be 1-D (or [N, 1]), got shape " + t.ShapeString());
  }
  if (t.num_elements() == 0) return InvalidArgument(path + ": the label file is empty");
  std::vector<int64_t> labels(static_cast<size_t>(t.num_elements()));
  ElementConversion conv{t.dtype(), DataType::kInt64, 0.0f};
  QF_RETURN_IF_ERROR(ConvertSamples(conv, t.raw_data(), labels.data(), t.num_elements(), 1, 0, path));
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) {
      return InvalidArgument(path + ": label " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                             "; labels are non-negative class indices");
    }
  }
  return labels;
}

}  // namespace qforge::io
