// Reading and writing one element of an integer tensor whatever its dtype:
// the single helpers of the reference integer kernels, QDQ folding and the
// tests.
#pragma once

#include <cstdint>

#include "core/check.h"
#include "qforge/tensor.h"

namespace qforge {

// Element i of t converted to Int: int8, uint8, int16, int32, int64, and bool
// (as 0 or 1); 0 for any other dtype (callers check dtypes before, so that is
// never a value they use). Int = int32_t is for the quantized dtypes, at most
// 32 bits (values, zero points), where the conversion is exact. i is not
// checked against the element count.
template <typename Int = int64_t>
inline Int IntElement(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kInt8:
      return static_cast<Int>(t.data<int8_t>()[i]);
    case DataType::kUInt8:
    case DataType::kBool:
      return static_cast<Int>(t.data<uint8_t>()[i]);
    case DataType::kInt16:
      return static_cast<Int>(t.data<int16_t>()[i]);
    case DataType::kInt32:
      return static_cast<Int>(t.data<int32_t>()[i]);
    case DataType::kInt64:
      return static_cast<Int>(t.data<int64_t>()[i]);
    default:
      return 0;
  }
}

// Stores v into element i of an int8, uint8, int16 or int32 tensor,
// truncating to the dtype (callers clamp to its range first). Any other
// dtype is a programmer error: shape inference admits only these as
// integer kernel outputs. i is not checked against the element count.
inline void SetIntElement(Tensor* t, int64_t i, int32_t v) {
  switch (t->dtype()) {
    case DataType::kInt8:
      t->data<int8_t>()[i] = static_cast<int8_t>(v);
      return;
    case DataType::kUInt8:
      t->data<uint8_t>()[i] = static_cast<uint8_t>(v);
      return;
    case DataType::kInt16:
      t->data<int16_t>()[i] = static_cast<int16_t>(v);
      return;
    case DataType::kInt32:
      t->data<int32_t>()[i] = v;
      return;
    default:
      QF_CHECK(false && "SetIntElement: not an integer output dtype");
  }
}

}  // namespace qforge
