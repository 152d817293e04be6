// Data sets: how every qforge command that takes data (run, eval, quantize
// --calib) reads its samples. One entry point, OpenDataset, recognises the
// format from the path, fits the samples to the model input's shape and dtype
// and validates them; the caller then reads batches with bounded memory.
//
// Formats:
//   .npy            first dim = samples (v1/v2/v3, little-endian, C order)
//   .npz            one member (`npz_key`, default the first), stored or deflated
//   .idx / *-ubyte  IDX (MNIST) files, optionally gzip'd (.gz)
//   .raw/.bin/.f32  headerless little-endian float32, shape from `DataSpec::shape`
//   a folder        PNG/JPEG/BMP/PPM images, sorted by name; subfolders are classes
//
// Files are untrusted: every header is checked against the file size with
// overflow-checked arithmetic before anything is allocated.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

// Declared preprocessing for image folders, applied in this order: decode
// (RGB, or 1 channel if `grayscale`), resize, center crop, scale, mean/std,
// channel order, layout.
struct ImagePreprocess {
  int resize = 0;                // shorter side to this size (0 = none), bilinear
  int crop_h = 0, crop_w = 0;    // center crop; 0 = model input's H/W (crop_w 0 with crop_h set = square)
  std::vector<float> mean, std;  // per output channel (or one value for all), after scaling
  float scale = 1.0f / 255.0f;   // pixels 0..255 are multiplied by this first
  bool bgr = false;              // channel order
  bool grayscale = false;        // decode as 1 channel
  bool nhwc = false;             // output layout (default NCHW)
};

struct DataSpec {
  std::string path;            // file or folder, format chosen as described above
  std::vector<int64_t> shape;  // raw files: per-sample shape, or full shape (leading sample count)
  std::string npz_key;         // .npz member name without ".npy"; empty = first member
  ImagePreprocess image;
  float idx_scale =
      1.0f / 255.0f;  // IDX uint8 data becomes float32 * idx_scale (unless the model wants uint8)
};

// A sequence of samples of one dtype and shape, read in batches.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;                             // number of samples (> 0)
  virtual const std::vector<int64_t>& sample_dims() const = 0;  // dims of one sample (no batch dim)
  virtual DataType dtype() const = 0;
  // Samples [first, first + count) as one [count, sample_dims...] tensor.
  // Float samples are checked: NaN/Inf is an InvalidArgument naming the file
  // and the sample index.
  virtual Result<Tensor> Read(int64_t first, int64_t count) = 0;
  // Labels that come with the data itself (image folders: the index of the
  // class subfolder in sorted order). NotFound when the data has none.
  virtual Result<std::vector<int64_t>> FolderLabels() const;
  // Class names matching FolderLabels() (subfolder names); empty if none.
  virtual std::vector<std::string> class_names() const { return {}; }
};

// Opens `spec.path`. `model_input_dims` is the model input's shape with -1
// for dynamic dims and the batch first; samples are reshaped to it when only
// size-1 dims differ (IDX 28x28 -> 1x28x28 for [N,1,28,28]) and a mismatch is
// an InvalidArgument naming the file, the sample shape and the expected
// shape. An empty `model_input_dims` means "no model": samples keep the
// file's shape. `model_input_dtype` kUndefined keeps the stored dtype;
// otherwise float data converts between float types and integer data to
// int16/int32/int64 (range-checked); anything else is an InvalidArgument.
Result<std::unique_ptr<Dataset>> OpenDataset(const DataSpec& spec,
                                             const std::vector<int64_t>& model_input_dims,
                                             DataType model_input_dtype);

// Class labels: an .npy of integers (1-D, or [N, 1]), an .npz member
// (`npz_key`, default the first), or an IDX label file (.gz ok).
Result<std::vector<int64_t>> LoadLabels(const std::string& path, const std::string& npz_key = "");

// Writes `t` as an .npy (v1.0, or v2.0 for huge headers) atomically.
Status WriteNpy(const std::string& path, const Tensor& t);
// Reads a whole .npy, keeping its dtype.
Result<Tensor> ReadNpy(const std::string& path);

}  // namespace qforge::io
