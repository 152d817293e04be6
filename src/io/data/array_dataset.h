// The two array-backed data sets behind .npy, .npz, IDX and raw files: one
// reads samples lazily from a file region (memory bounded by the batch), the
// other serves an array already in memory (compressed sources).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "io/data/dataset.h"
#include "io/data/sample_fit.h"

namespace qforge::io {

// Samples stored back to back from byte `data_offset` of `file`. The caller
// has checked that the file holds layout.count whole samples.
class FileArrayDataset : public Dataset {
 public:
  FileArrayDataset(std::string file, uint64_t data_offset, SampleLayout layout, ElementConversion conv);

  int64_t size() const override { return layout_.count; }
  const std::vector<int64_t>& sample_dims() const override { return layout_.sample_dims; }
  DataType dtype() const override { return conv_.out; }
  Result<Tensor> Read(int64_t first, int64_t count) override;

 private:
  std::string file_;
  uint64_t data_offset_;
  SampleLayout layout_;
  ElementConversion conv_;
  std::ifstream in_;  // opened on first Read, kept for sequential batches
  std::vector<uint8_t> buffer_;
};

// Samples in `stored` (dims = [count, ...] or any dims with the same element
// count as layout.count samples).
class MemoryArrayDataset : public Dataset {
 public:
  MemoryArrayDataset(std::string file, Tensor stored, SampleLayout layout, ElementConversion conv);

  int64_t size() const override { return layout_.count; }
  const std::vector<int64_t>& sample_dims() const override { return layout_.sample_dims; }
  DataType dtype() const override { return conv_.out; }
  Result<Tensor> Read(int64_t first, int64_t count) override;

 private:
  std::string file_;
  Tensor stored_;
  SampleLayout layout_;
  ElementConversion conv_;
};

}  // namespace qforge::io
