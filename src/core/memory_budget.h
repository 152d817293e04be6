// The per-model memory budget: one counter of the bytes a model holds. A
// hostile file can stay under any per-tensor cap and still ask for many
// tensors (a 96-byte model made `inspect` take 4 GB in 64 tensors of 64 MB),
// so every allocation a model causes is charged here against MemoryLimit().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/size_math.h"
#include "qforge/limits.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge {

class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit = MemoryLimit()) : limit_(limit) {}

  // Adds `bytes` and returns true, or returns false (nothing charged) when
  // the total would pass the limit. Allocates nothing: Run charges with it.
  bool TryCharge(uint64_t bytes);
  // The error for `bytes` more than TryCharge took, naming `what`.
  Status OverLimit(uint64_t bytes, const std::string& what) const;
  // TryCharge, or the OverLimit error.
  Status Charge(uint64_t bytes, const std::string& what) {
    return TryCharge(bytes) ? Status::Ok() : OverLimit(bytes, what);
  }
  // CheckedTensorBytes(dtype, dims) against the limit, then Charge; the bytes.
  Result<uint64_t> ChargeTensor(DataType dtype, std::span<const int64_t> dims, const std::string& what);
  // Gives back bytes charged before (a tensor freed).
  void Release(uint64_t bytes) { used_ = bytes < used_ ? used_ - bytes : 0; }

  uint64_t used() const { return used_; }
  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
};

// Tensor::Create charged to `budget` (unless null; then only the per-tensor
// check against MemoryLimit()): the checked allocation of a tensor whose
// shape a model chose. `what()` names it and is called only for an error,
// so that a Run allocates nothing but its tensors.
template <typename What>
Result<Tensor> CreateCharged(DataType dtype, std::vector<int64_t> dims, MemoryBudget* budget,
                             const What& what) {
  const uint64_t limit = budget != nullptr ? budget->limit() : MemoryLimit();
  Result<uint64_t> bytes = CheckedTensorBytes(dtype, dims, std::string(), limit);
  if (!bytes.ok()) return CheckedTensorBytes(dtype, dims, what(), limit).status();
  if (budget != nullptr && !budget->TryCharge(*bytes)) {
    return budget->OverLimit(*bytes, what() + ": " + DataTypeName(dtype) + DimsToString(dims));
  }
  Result<Tensor> t = Tensor::Create(dtype, std::move(dims), std::string());
  if (!t.ok()) {
    if (budget != nullptr) budget->Release(*bytes);
    return t.status().WithContext(what());
  }
  return t;
}

}  // namespace qforge
