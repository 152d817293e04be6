// The array-backed data sets behind .npy, .npz, IDX and raw files: one reads
// samples from a region of a regular file (random access), the other from a
// ByteStream (compressed sources), inflating no further than the last sample
// asked for. Both hold one batch at a time, allocated within the memory
// budget (MemoryLimit()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/data/byte_stream.h"
#include "io/data/dataset.h"
#include "io/data/sample_fit.h"
#include "io/regular_file.h"

namespace qforge::io {

// The output tensor of one Read(first, count): [count, sample_dims...] of
// `dtype`, ResourceExhausted naming `file` over the memory budget.
Result<Tensor> AllocateBatch(DataType dtype, int64_t count, const std::vector<int64_t>& sample_dims,
                             const std::string& file);

// Samples stored back to back from byte `data_offset` of `file`. The caller
// has checked that the file holds layout.count whole samples.
class FileArrayDataset : public Dataset {
 public:
  FileArrayDataset(ReadOnlyFile file, uint64_t data_offset, SampleLayout layout, ElementConversion conv);

  int64_t size() const override { return layout_.count; }
  const std::vector<int64_t>& sample_dims() const override { return layout_.sample_dims; }
  DataType dtype() const override { return conv_.out; }
  Result<Tensor> Read(int64_t first, int64_t count) override;

 private:
  ReadOnlyFile file_;
  uint64_t data_offset_;
  SampleLayout layout_;
  ElementConversion conv_;
};

// An array a container reader found: its header is read, the stream stands
// at `position` (its data starts at `data_offset`, which may be ahead).
struct StreamedArray {
  std::string name;  // names errors: "file" or "file:member"
  DataType dtype = DataType::kUndefined;
  std::vector<int64_t> dims;
  ByteStreamOpener open;
  std::unique_ptr<ByteStream> stream;
  uint64_t position = 0;
  uint64_t data_offset = 0;
  bool big_endian = false;  // IDX: elements are stored most significant byte first
};

// Samples read in order from a stream. Reading backwards reopens the stream.
// Reading the last sample reads the stream to its end: data past what the
// header promised is an error, and the container's checksum is verified.
class StreamArrayDataset : public Dataset {
 public:
  StreamArrayDataset(StreamedArray array, SampleLayout layout, ElementConversion conv);

  int64_t size() const override { return layout_.count; }
  const std::vector<int64_t>& sample_dims() const override { return layout_.sample_dims; }
  DataType dtype() const override { return conv_.out; }
  Result<Tensor> Read(int64_t first, int64_t count) override;

 private:
  // Moves the stream to `offset` (reopening it if behind), reads `n` bytes.
  Status ReadExactly(uint64_t offset, uint8_t* dst, uint64_t n);
  Status CheckEnd();

  StreamedArray array_;
  SampleLayout layout_;
  ElementConversion conv_;
  std::vector<uint8_t> buffer_;
};

// The whole array as a tensor of its stored dtype and dims (label files).
Result<Tensor> ReadWholeArray(StreamedArray array);

}  // namespace qforge::io
