#include "core/memory_budget.h"

namespace qforge {

bool MemoryBudget::TryCharge(uint64_t bytes) {
  uint64_t total = 0;
  if (!CheckedAdd(used_, bytes, &total) || total > limit_) return false;
  used_ = total;
  return true;
}

Status MemoryBudget::OverLimit(uint64_t bytes, const std::string& what) const {
  return ResourceExhausted(what + ": " + ByteSizeString(bytes) + " on top of the " + ByteSizeString(used_) +
                           " the model holds is over the memory limit of " + ByteSizeString(limit_) +
                           " (--memory-limit)");
}

Result<uint64_t> MemoryBudget::ChargeTensor(DataType dtype, std::span<const int64_t> dims,
                                            const std::string& what) {
  QF_ASSIGN_OR_RETURN(uint64_t bytes, CheckedTensorBytes(dtype, dims, what, limit_));
  QF_RETURN_IF_ERROR(Charge(bytes, what + ": " + DataTypeName(dtype) + DimsToString(dims)));
  return bytes;
}

}  // namespace qforge
