// Element-type dispatch for the reference kernels: turn a runtime DataType
// into a C++ type so a kernel body is written once as a template.
#pragma once

#include <cstdint>

#include "qforge/tensor.h"

namespace qforge::kernels::ref {

// Calls fn(T{}) for the numeric types whose C++ type stores the value
// directly. Returns false (without calling fn) for float16, bool and
// undefined: callers handle or reject those explicitly.
template <typename Fn>
bool VisitNumeric(DataType t, Fn&& fn) {
  switch (t) {
    case DataType::kFloat32:
      fn(float{});
      return true;
    case DataType::kFloat64:
      fn(double{});
      return true;
    case DataType::kInt8:
      fn(int8_t{});
      return true;
    case DataType::kUInt8:
      fn(uint8_t{});
      return true;
    case DataType::kInt16:
      fn(int16_t{});
      return true;
    case DataType::kInt32:
      fn(int32_t{});
      return true;
    case DataType::kInt64:
      fn(int64_t{});
      return true;
    default:
      return false;
  }
}

// Calls fn(U{}) with an unsigned integer type of `size` bytes, for kernels
// that only move elements and never look at their values.
template <typename Fn>
bool VisitElementSize(size_t size, Fn&& fn) {
  switch (size) {
    case 1:
      fn(uint8_t{});
      return true;
    case 2:
      fn(uint16_t{});
      return true;
    case 4:
      fn(uint32_t{});
      return true;
    case 8:
      fn(uint64_t{});
      return true;
    default:
      return false;
  }
}

// float16 tensors are computed in float32: widen before, narrow after
// (round to nearest even). A result may differ from native float16
// arithmetic by double rounding in the last bit.
Tensor HalfToFloatTensor(const Tensor& t);
void FloatToHalfTensor(const Tensor& src, Tensor* dst);

}  // namespace qforge::kernels::ref
