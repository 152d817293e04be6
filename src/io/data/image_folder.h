// A folder of images as a data set. Files are sorted by name; if the folder
// holds subfolders, each is a class (sorted by name, label = its index) and
// its images are the samples. Images are decoded only when read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/data/dataset.h"

namespace qforge::io {

// Accepted file extensions (case-insensitive); other files are ignored.
bool IsImageFile(const std::string& name);

// Opens `folder`. The sample shape is [C, H, W] (or [H, W, C] with
// pre.nhwc): C = 1 if pre.grayscale else 3; H/W = the crop size, else the
// model input's, else (dynamic model dims) the first image's size after
// resizing, which later images are center-cropped to. `model_input_dims` must be
// rank 4 when given. Output dtype: float types, or uint8 when no scaling or
// normalization is declared.
Result<std::unique_ptr<Dataset>> OpenImageFolder(const std::string& folder, const ImagePreprocess& pre,
                                                 const std::vector<int64_t>& model_input_dims,
                                                 DataType model_input_dtype);

}  // namespace qforge::io
