// Tensors as the public API and the runtime see them: a dtype, concrete dims,
// optional quantization parameters and a (possibly shared) byte buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "qforge/status.h"

namespace qforge {

enum class DataType : uint8_t {
  kUndefined = 0,
  kFloat32,
  kFloat16,
  kFloat64,
  kInt8,
  kUInt8,
  kInt16,
  kInt32,
  kInt64,
  kBool,
};

size_t DataTypeSize(DataType t);
const char* DataTypeName(DataType t);
bool IsFloat(DataType t);
bool IsInteger(DataType t);

// Maps C++ element types to DataType for typed accessors.
template <typename T>
struct DataTypeOf;
template <>
struct DataTypeOf<float> {
  static constexpr DataType value = DataType::kFloat32;
};
template <>
struct DataTypeOf<double> {
  static constexpr DataType value = DataType::kFloat64;
};
template <>
struct DataTypeOf<int8_t> {
  static constexpr DataType value = DataType::kInt8;
};
template <>
struct DataTypeOf<uint8_t> {
  static constexpr DataType value = DataType::kUInt8;
};
template <>
struct DataTypeOf<int16_t> {
  static constexpr DataType value = DataType::kInt16;
};
template <>
struct DataTypeOf<int32_t> {
  static constexpr DataType value = DataType::kInt32;
};
template <>
struct DataTypeOf<int64_t> {
  static constexpr DataType value = DataType::kInt64;
};
template <>
struct DataTypeOf<bool> {
  static constexpr DataType value = DataType::kBool;
};

// r = scale * (q - zero_point). Per-tensor when axis < 0 (one scale), per-axis
// otherwise (one scale and zero point per index along `axis`).
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int axis = -1;

  bool empty() const { return scale.empty(); }
  bool per_axis() const { return axis >= 0; }
  bool operator==(const QuantParams&) const = default;
};

// Overflow-checked element count; returns -1 on overflow or a negative dim.
int64_t CheckedElementCount(std::span<const int64_t> dims);

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-filled, 64-byte aligned storage. Dims must be valid and
  // small (a programmer's shape); aborts otherwise.
  Tensor(DataType dtype, std::vector<int64_t> dims);
  // The checked path for every shape a file or a user can influence: an
  // error (naming `what`) instead of an abort for a negative dim, an
  // overflowing product, a size over the memory budget or a failed allocation.
  static Result<Tensor> Create(DataType dtype, std::vector<int64_t> dims, const std::string& what);
  // A non-owning view over `data` (the arena or a mapped file); `owner` keeps
  // the memory alive if given.
  static Tensor View(DataType dtype, std::vector<int64_t> dims, void* data,
                     std::shared_ptr<void> owner = nullptr);

  DataType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[static_cast<size_t>(i)]; }
  int64_t num_elements() const;
  size_t byte_size() const { return static_cast<size_t>(num_elements()) * DataTypeSize(dtype_); }
  bool defined() const { return dtype_ != DataType::kUndefined; }

  void* raw_data() { return data_; }
  const void* raw_data() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  template <typename T>
  std::span<T> span() {
    return {data<T>(), static_cast<size_t>(num_elements())};
  }
  template <typename T>
  std::span<const T> span() const {
    return {data<T>(), static_cast<size_t>(num_elements())};
  }

  const QuantParams& quant() const { return quant_; }
  void set_quant(QuantParams q) { quant_ = std::move(q); }

  // Same bytes, new dims (element count must match).
  Tensor Reshaped(std::vector<int64_t> dims) const;
  // Deep copy into fresh storage.
  Tensor Clone() const;

  std::string ShapeString() const;

 private:
  DataType dtype_ = DataType::kUndefined;
  std::vector<int64_t> dims_;
  std::shared_ptr<void> owner_;
  void* data_ = nullptr;
  QuantParams quant_;
};

std::string DimsToString(std::span<const int64_t> dims);

// IEEE half <-> float, round to nearest even.
uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);

}  // namespace qforge
