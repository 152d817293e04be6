// Axis resolution shared by the ReduceMean / ReduceSum / ReduceMax shape
// inference and kernel.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/attribute.h"
#include "qforge/status.h"

namespace qforge::ops {

// Which dims of a rank-`rank` input a reduction reduces, given its axes (from
// the optional `axes` input; `have_axes` false when it is omitted) and the
// noop_with_empty_axes attribute. Sets *noop when the op is an identity
// (empty axes with noop_with_empty_axes=1). Errors (axis out of range,
// repeated axis) carry no node prefix.
Status ResolveReduceAxes(const ir::Attributes& attrs, bool have_axes, const std::vector<int64_t>& axes,
                         int rank, std::vector<bool>* reduced, bool* noop);

}  // namespace qforge::ops
