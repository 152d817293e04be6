#include "io/data/sample_fit.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace qforge::io {
namespace {

bool Compatible(const std::vector<int64_t>& dims, const std::vector<int64_t>& want) {
  if (dims.size() != want.size()) return false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (want[i] >= 0 && want[i] != dims[i]) return false;
  }
  return true;
}

std::vector<int64_t> DropOnes(const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  for (int64_t d : dims) {
    if (d != 1) out.push_back(d);
  }
  return out;
}

// The output dims for a stored sample `dims` fed to a model sample `want`, or
// empty-and-false when they do not fit (see FitLayout).
bool FitSample(const std::vector<int64_t>& dims, const std::vector<int64_t>& want,
               std::vector<int64_t>* out) {
  if (Compatible(dims, want)) {
    *out = dims;
    return true;
  }
  const std::vector<int64_t> a = DropOnes(dims);
  if (Compatible(a, DropOnes(want))) {
    // Take `want`, filling its non-1 dims (some maybe dynamic) from `a` in order.
    out->clear();
    size_t next = 0;
    for (int64_t w : want) out->push_back(w == 1 ? 1 : a[next++]);
    return true;
  }
  const int64_t n = CheckedElementCount(dims);
  const int64_t m = CheckedElementCount(want);  // -1 if `want` has dynamic dims
  if ((dims.size() == 1 || want.size() == 1) && m >= 0 && n == m) {
    *out = want;
    return true;
  }
  return false;
}

std::vector<int64_t> Tail(const std::vector<int64_t>& dims) { return {dims.begin() + 1, dims.end()}; }

}  // namespace

Result<SampleLayout> FitLayout(const std::vector<int64_t>& data_dims, const std::vector<int64_t>& model_dims,
                               const std::string& file) {
  SampleLayout l;
  const int64_t total = CheckedElementCount(data_dims);
  if (total < 0) return InvalidArgument(file + ": data shape " + DimsToString(data_dims) + " is invalid");
  if (total == 0) {
    return InvalidArgument(file + ": the data set is empty (shape " + DimsToString(data_dims) + ")");
  }
  bool fits = false;
  if (model_dims.empty()) {
    l.count = data_dims.empty() ? 1 : data_dims[0];
    l.sample_dims = data_dims.empty() ? data_dims : Tail(data_dims);
    fits = true;
  } else {
    const std::vector<int64_t> want = Tail(model_dims);
    if (!data_dims.empty() && FitSample(Tail(data_dims), want, &l.sample_dims)) {
      l.count = data_dims[0];
      fits = true;
    } else if (FitSample(data_dims, want, &l.sample_dims)) {
      l.count = 1;
      fits = true;
    }
  }
  if (!fits) {
    return InvalidArgument(file + ": sample shape " +
                           DimsToString(data_dims.empty() ? data_dims : Tail(data_dims)) + " (data shape " +
                           DimsToString(data_dims) + ") does not match the expected sample shape " +
                           DimsToString(Tail(model_dims)) + " of model input " + DimsToString(model_dims));
  }
  l.sample_elements = CheckedElementCount(l.sample_dims);
  return l;
}

namespace {

// Integer data may move between int16/int32/int64 (range-checked: numpy's
// default int64 for an int32 input is common) and widen from 8 bits. Into
// int8/uint8 only the same type: uint8 pixels for an int8 input would need a
// zero-point shift, not a copy.
bool WideInteger(DataType stored, DataType model) {
  auto wide = [](DataType t) {
    return t == DataType::kInt16 || t == DataType::kInt32 || t == DataType::kInt64;
  };
  return IsInteger(stored) && wide(model);
}

}  // namespace

Result<ElementConversion> ChooseConversion(DataType stored, DataType model, const std::string& file,
                                           float uint8_to_float_scale) {
  ElementConversion c;
  c.stored = stored;
  const bool scaled = uint8_to_float_scale != 0.0f && stored == DataType::kUInt8;
  if (model == DataType::kUndefined) {
    c.out = scaled ? DataType::kFloat32 : stored;
  } else if (model == stored || (IsFloat(stored) && IsFloat(model)) || WideInteger(stored, model) ||
             (scaled && IsFloat(model))) {
    c.out = model;
  } else {
    std::string hint;
    if (IsInteger(stored) && IsFloat(model)) hint = " (convert and normalize it to float first)";
    return InvalidArgument(file + ": " + DataTypeName(stored) + " data cannot feed a " + DataTypeName(model) +
                           " model input" + hint);
  }
  if (scaled && IsFloat(c.out)) c.int_scale = uint8_to_float_scale;
  return c;
}

namespace {

double LoadFloat(DataType t, const uint8_t* p, int64_t i) {
  switch (t) {
    case DataType::kFloat32: {
      float v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    case DataType::kFloat64: {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
    case DataType::kFloat16: {
      uint16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      return HalfToFloat(v);
    }
    case DataType::kUInt8:
      return p[i];
    default:
      return 0;
  }
}

int64_t LoadInt(DataType t, const uint8_t* p, int64_t i) {
  switch (t) {
    case DataType::kInt8:
      return static_cast<int8_t>(p[i]);
    case DataType::kUInt8:
      return p[i];
    case DataType::kInt16: {
      int16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      return v;
    }
    case DataType::kInt32: {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      return v;
    }
    case DataType::kInt64: {
      int64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      return v;
    }
    default:
      return 0;
  }
}

void IntRange(DataType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case DataType::kInt8:
      *lo = -128;
      *hi = 127;
      return;
    case DataType::kUInt8:
      *lo = 0;
      *hi = 255;
      return;
    case DataType::kInt16:
      *lo = -32768;
      *hi = 32767;
      return;
    case DataType::kInt32:
      *lo = std::numeric_limits<int32_t>::min();
      *hi = std::numeric_limits<int32_t>::max();
      return;
    default:
      *lo = std::numeric_limits<int64_t>::min();
      *hi = std::numeric_limits<int64_t>::max();
      return;
  }
}

void StoreInt(DataType t, uint8_t* p, int64_t i, int64_t v) {
  switch (t) {
    case DataType::kInt8: {
      int8_t x = static_cast<int8_t>(v);
      std::memcpy(p + i, &x, 1);
      return;
    }
    case DataType::kUInt8:
      p[i] = static_cast<uint8_t>(v);
      return;
    case DataType::kInt16: {
      int16_t x = static_cast<int16_t>(v);
      std::memcpy(p + 2 * i, &x, 2);
      return;
    }
    case DataType::kInt32: {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(p + 4 * i, &x, 4);
      return;
    }
    case DataType::kInt64:
      std::memcpy(p + 8 * i, &v, 8);
      return;
    default:
      return;
  }
}

Status BadValue(const std::string& file, int64_t sample, int64_t element, double v, DataType out) {
  const std::string what = std::isnan(v) ? "NaN; input data must be finite"
                           : std::isinf(v)
                               ? "Inf; input data must be finite"
                               : std::to_string(v) + ", not representable as " + DataTypeName(out);
  return InvalidArgument(file + ": sample " + std::to_string(sample) + " element " + std::to_string(element) +
                         " is " + what);
}

}  // namespace

Status ConvertSamples(const ElementConversion& c, const void* src, void* dst, int64_t num_samples,
                      int64_t sample_elements, int64_t first_sample, const std::string& file) {
  const auto* in = static_cast<const uint8_t*>(src);
  auto* out = static_cast<uint8_t*>(dst);
  const int64_t n = num_samples * sample_elements;
  if (c.out == DataType::kBool) {
    // Only bool -> bool reaches here; normalize to the 0/1 the kernels rely on.
    for (int64_t i = 0; i < n; ++i) out[i] = in[i] != 0 ? 1 : 0;
    return Status::Ok();
  }
  if (IsFloat(c.out)) {
    const double scale = c.int_scale != 0.0f ? c.int_scale : 1.0;
    for (int64_t i = 0; i < n; ++i) {
      const double v = LoadFloat(c.stored, in, i) * scale;
      if (!std::isfinite(v)) {
        return BadValue(file, first_sample + i / sample_elements, i % sample_elements, v, c.out);
      }
      switch (c.out) {
        case DataType::kFloat32: {
          const float f = static_cast<float>(v);
          if (!std::isfinite(f)) {
            return BadValue(file, first_sample + i / sample_elements, i % sample_elements, v, c.out);
          }
          std::memcpy(out + 4 * i, &f, 4);
          break;
        }
        case DataType::kFloat64:
          std::memcpy(out + 8 * i, &v, 8);
          break;
        default: {
          const uint16_t h = FloatToHalf(static_cast<float>(v));
          if (!std::isfinite(HalfToFloat(h))) {
            return BadValue(file, first_sample + i / sample_elements, i % sample_elements, v, c.out);
          }
          std::memcpy(out + 2 * i, &h, 2);
          break;
        }
      }
    }
    return Status::Ok();
  }
  if (IsFloat(c.stored)) {
    // Float pixels for an integer input (image folders feeding uint8): the
    // producer has rounded; values must be whole and in range.
    int64_t lo = 0, hi = 0;
    IntRange(c.out, &lo, &hi);
    for (int64_t i = 0; i < n; ++i) {
      const double v = LoadFloat(c.stored, in, i);
      if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || v != std::trunc(v)) {
        return BadValue(file, first_sample + i / sample_elements, i % sample_elements, v, c.out);
      }
      StoreInt(c.out, out, i, static_cast<int64_t>(v));
    }
    return Status::Ok();
  }
  if (c.stored == c.out) {
    std::memcpy(out, in, static_cast<size_t>(n) * DataTypeSize(c.out));
    return Status::Ok();
  }
  int64_t lo = 0, hi = 0;
  IntRange(c.out, &lo, &hi);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = LoadInt(c.stored, in, i);
    if (v < lo || v > hi) {
      return InvalidArgument(file + ": sample " + std::to_string(first_sample + i / sample_elements) +
                             " element " + std::to_string(i % sample_elements) + " = " + std::to_string(v) +
                             " is out of range for the " + DataTypeName(c.out) + " model input");
    }
    StoreInt(c.out, out, i, v);
  }
  return Status::Ok();
}

Status CheckReadRange(int64_t first, int64_t count, int64_t size, const std::string& file) {
  if (first < 0 || count < 0 || first > size || count > size - first) {
    return InvalidArgument(file + ": cannot read " + std::to_string(count) + " samples from sample " +
                           std::to_string(first) + " of a data set of " + std::to_string(size));
  }
  return Status::Ok();
}

}  // namespace qforge::io
