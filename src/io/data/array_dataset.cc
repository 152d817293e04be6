#include "io/data/array_dataset.h"

#include <utility>

namespace qforge::io {
namespace {

std::vector<int64_t> BatchDims(int64_t count, const std::vector<int64_t>& sample_dims) {
  std::vector<int64_t> dims = {count};
  dims.insert(dims.end(), sample_dims.begin(), sample_dims.end());
  return dims;
}

}  // namespace

FileArrayDataset::FileArrayDataset(std::string file, uint64_t data_offset, SampleLayout layout,
                                   ElementConversion conv)
    : file_(std::move(file)), data_offset_(data_offset), layout_(std::move(layout)), conv_(conv) {}

Result<Tensor> FileArrayDataset::Read(int64_t first, int64_t count) {
  QF_RETURN_IF_ERROR(CheckReadRange(first, count, layout_.count, file_));
  const uint64_t sample_bytes = static_cast<uint64_t>(layout_.sample_elements) * DataTypeSize(conv_.stored);
  Tensor out(conv_.out, BatchDims(count, layout_.sample_dims));
  if (count == 0) return out;
  if (!in_.is_open()) {
    in_.open(file_, std::ios::binary);
    if (!in_) return NotFound(file_ + ": cannot open");
  }
  in_.clear();
  buffer_.resize(static_cast<size_t>(sample_bytes * static_cast<uint64_t>(count)));
  in_.seekg(static_cast<std::streamoff>(data_offset_ + sample_bytes * static_cast<uint64_t>(first)));
  if (!in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()))) {
    // The size was checked at open; a short read means the file changed since.
    return IoError(file_ + ": short read at sample " + std::to_string(first) +
                   " (file truncated while open?)");
  }
  QF_RETURN_IF_ERROR(
      ConvertSamples(conv_, buffer_.data(), out.raw_data(), count, layout_.sample_elements, first, file_));
  return out;
}

MemoryArrayDataset::MemoryArrayDataset(std::string file, Tensor stored, SampleLayout layout,
                                       ElementConversion conv)
    : file_(std::move(file)), stored_(std::move(stored)), layout_(std::move(layout)), conv_(conv) {}

Result<Tensor> MemoryArrayDataset::Read(int64_t first, int64_t count) {
  QF_RETURN_IF_ERROR(CheckReadRange(first, count, layout_.count, file_));
  Tensor out(conv_.out, BatchDims(count, layout_.sample_dims));
  const size_t offset = static_cast<size_t>(first * layout_.sample_elements) * DataTypeSize(conv_.stored);
  QF_RETURN_IF_ERROR(ConvertSamples(conv_, static_cast<const uint8_t*>(stored_.raw_data()) + offset,
                                    out.raw_data(), count, layout_.sample_elements, first, file_));
  return out;
}

}  // namespace qforge::io
