#include "io/data/array_dataset.h"

#include <algorithm>
#include <utility>

#include "core/size_math.h"

namespace qforge::io {
namespace {

constexpr size_t kSkipChunkBytes = size_t{64} << 10;

// Sizes `buffer` for `count` stored samples, within the memory budget.
Status SizeStoredBuffer(const SampleLayout& layout, DataType stored, int64_t count, const std::string& file,
                        std::vector<uint8_t>* buffer) {
  QF_ASSIGN_OR_RETURN(uint64_t bytes, CheckedTensorBytes(stored, {{count, layout.sample_elements}}, file));
  buffer->resize(static_cast<size_t>(bytes));
  return Status::Ok();
}

void SwapElementBytes(uint8_t* data, size_t bytes, size_t elem) {
  for (size_t at = 0; at + elem <= bytes; at += elem) std::reverse(data + at, data + at + elem);
}

}  // namespace

Result<Tensor> AllocateBatch(DataType dtype, int64_t count, const std::vector<int64_t>& sample_dims,
                             const std::string& file) {
  std::vector<int64_t> dims = {count};
  dims.insert(dims.end(), sample_dims.begin(), sample_dims.end());
  return Tensor::Create(dtype, std::move(dims), file);
}

FileArrayDataset::FileArrayDataset(ReadOnlyFile file, uint64_t data_offset, SampleLayout layout,
                                   ElementConversion conv)
    : file_(std::move(file)), data_offset_(data_offset), layout_(std::move(layout)), conv_(conv) {}

Result<Tensor> FileArrayDataset::Read(int64_t first, int64_t count) {
  const std::string& name = file_.path();
  QF_RETURN_IF_ERROR(CheckReadRange(first, count, layout_.count, name));
  QF_ASSIGN_OR_RETURN(Tensor out, AllocateBatch(conv_.out, count, layout_.sample_dims, name));
  if (count == 0) return out;
  std::vector<uint8_t> buffer;
  QF_RETURN_IF_ERROR(SizeStoredBuffer(layout_, conv_.stored, count, name, &buffer));
  const uint64_t sample_bytes = buffer.size() / static_cast<uint64_t>(count);
  QF_ASSIGN_OR_RETURN(size_t got, file_.ReadAt(data_offset_ + sample_bytes * static_cast<uint64_t>(first),
                                               buffer.data(), buffer.size()));
  if (got != buffer.size()) {
    // The size was checked at open; a short read means the file changed since.
    return IoError(name + ": short read at sample " + std::to_string(first) +
                   " (file truncated while open?)");
  }
  QF_RETURN_IF_ERROR(
      ConvertSamples(conv_, buffer.data(), out.raw_data(), count, layout_.sample_elements, first, name));
  return out;
}

StreamArrayDataset::StreamArrayDataset(StreamedArray array, SampleLayout layout, ElementConversion conv)
    : array_(std::move(array)), layout_(std::move(layout)), conv_(conv) {}

Status StreamArrayDataset::ReadExactly(uint64_t offset, uint8_t* dst, uint64_t n) {
  if (array_.stream == nullptr || array_.position > offset) {
    QF_ASSIGN_OR_RETURN(array_.stream, array_.open());
    array_.position = 0;
  }
  // Skipped bytes go through a small scratch buffer, never held.
  std::vector<uint8_t> scratch;
  while (array_.position < offset) {
    scratch.resize(std::min<uint64_t>(offset - array_.position, kSkipChunkBytes));
    QF_ASSIGN_OR_RETURN(size_t got, array_.stream->Read(scratch.data(), scratch.size()));
    array_.position += got;
    if (got < scratch.size()) break;
  }
  uint64_t done = 0;
  if (array_.position == offset) {
    QF_ASSIGN_OR_RETURN(done, array_.stream->Read(dst, static_cast<size_t>(n)));
    array_.position += done;
  }
  if (done != n) {
    array_.stream.reset();
    return InvalidArgument(array_.name + ": truncated data: shape " + DimsToString(array_.dims) + " needs " +
                           std::to_string(offset + n) + " bytes, the data ends after " +
                           std::to_string(array_.position));
  }
  return Status::Ok();
}

Status StreamArrayDataset::CheckEnd() {
  uint8_t extra = 0;
  QF_ASSIGN_OR_RETURN(size_t got, array_.stream->Read(&extra, 1));
  if (got != 0) {
    array_.stream.reset();
    return InvalidArgument(array_.name + ": has data after the " + std::to_string(array_.position) +
                           " bytes of shape " + DimsToString(array_.dims));
  }
  return Status::Ok();
}

Result<Tensor> StreamArrayDataset::Read(int64_t first, int64_t count) {
  QF_RETURN_IF_ERROR(CheckReadRange(first, count, layout_.count, array_.name));
  QF_ASSIGN_OR_RETURN(Tensor out, AllocateBatch(conv_.out, count, layout_.sample_dims, array_.name));
  if (count == 0) return out;
  QF_RETURN_IF_ERROR(SizeStoredBuffer(layout_, conv_.stored, count, array_.name, &buffer_));
  const uint64_t sample_bytes = buffer_.size() / static_cast<uint64_t>(count);
  QF_RETURN_IF_ERROR(ReadExactly(array_.data_offset + sample_bytes * static_cast<uint64_t>(first),
                                 buffer_.data(), buffer_.size()));
  if (first + count == layout_.count) QF_RETURN_IF_ERROR(CheckEnd());
  const size_t elem = DataTypeSize(conv_.stored);
  if (array_.big_endian && elem > 1) SwapElementBytes(buffer_.data(), buffer_.size(), elem);
  QF_RETURN_IF_ERROR(ConvertSamples(conv_, buffer_.data(), out.raw_data(), count, layout_.sample_elements,
                                    first, array_.name));
  return out;
}

Result<Tensor> ReadWholeArray(StreamedArray array) {
  const std::string name = array.name;
  const DataType dtype = array.dtype;
  const std::vector<int64_t> dims = array.dims;
  QF_ASSIGN_OR_RETURN(SampleLayout layout, FitLayout(dims, {}, name));
  StreamArrayDataset data(std::move(array), layout, ElementConversion{dtype, dtype, 0.0f});
  QF_ASSIGN_OR_RETURN(Tensor t, data.Read(0, data.size()));
  return t.Reshaped(dims);
}

}  // namespace qforge::io
