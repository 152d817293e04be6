// The storage plan of the TFLite writer (docs/design/tflite.md, Export):
// which IR values are stored NHWC instead of their IR (NCHW) order, which
// Flatten/Reshape nodes are folded into the weights of the fully connected
// layers they feed, and the element permutations the writer applies to
// constants. Pure functions of the graph, no flatbuffer types.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "qforge/status.h"
#include "qforge/tensor.h"

namespace qforge::io {

struct TfliteLayoutPlan {
  // Per value: stored NHWC (IR dims [N, C, H, W] stored as [N, H, W, C]).
  std::vector<bool> nhwc;
  // Per node: a Flatten/Reshape of an NHWC value that feeds only fully
  // connected layers; written as a RESHAPE of the NHWC bytes, the FC weight
  // columns are permuted from CHW to HWC order instead of transposing.
  std::vector<bool> fold_into_fc;
  // Per node (Gemm/MatMul fed by a folded reshape): the [C, H, W] whose
  // flattening order its weight columns follow in the IR; {0,0,0} = none.
  std::vector<std::array<int64_t, 3>> fc_chw;
};

// Values whose bytes are a constant, possibly through DequantizeLinear (int8
// weights) or Cast (float16 weights): the writer emits them as buffers (plus
// a DEQUANTIZE), never as activations.
bool IsConstDerived(const ir::Graph& g, ir::ValueId v);

Result<TfliteLayoutPlan> PlanTfliteLayout(const ir::Graph& g);

// The storage permutation of a rank-`rank` value: storage dim i holds IR dim
// perm[i]. Identity unless `nhwc` (rank 4: [0, 2, 3, 1]).
std::vector<int> StoragePerm(int rank, bool nhwc);
// The storage index of IR axis `axis` (already normalized).
int StorageAxis(int axis, int rank, bool nhwc);
// dims[perm[i]] for each i.
std::vector<int64_t> PermuteDims(const std::vector<int64_t>& dims, const std::vector<int>& perm);

// An element transform applied to a constant: optional reshape, optional
// permutation (out dim i = in dim perm[i]), optional reshape.
struct ConstTransform {
  std::vector<int64_t> pre_shape;
  std::vector<int> perm;
  std::vector<int64_t> post_shape;
  bool identity() const { return pre_shape.empty() && perm.empty() && post_shape.empty(); }
  std::string Key() const;
};

// Applies `t` to `src` (any dtype: elements are moved as bytes). `axis` is a
// quantization axis of `src` (or -1), returned remapped in *out_axis.
Result<Tensor> ApplyConstTransform(const Tensor& src, const ConstTransform& t, int axis, int* out_axis);

}  // namespace qforge::io
