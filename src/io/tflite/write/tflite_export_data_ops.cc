// Shape and data-movement ops, reductions and quantization ops of the TFLite
// writer (see tflite_export_ops.h).
#include <algorithm>
#include <numeric>

#include "io/tflite/write/tflite_export_ops.h"
#include "ops/resize.h"
#include "ops/slice_params.h"

namespace qforge::io {

namespace {

using ir::Graph;
using ir::Node;
using ir::ValueId;

int NormAxis(int64_t axis, int rank) { return static_cast<int>(axis < 0 ? axis + rank : axis); }

// True when NCHW dims [N, C, H, W] have the same bytes in NHWC order: the
// channel moves across unit dims only.
bool NhwcIsIrBytes(const ir::TensorType& t) {
  return t.rank() == 4 && (t.dims[1] == 1 || (t.dims[2] == 1 && t.dims[3] == 1));
}

// Flatten / Reshape / Squeeze / Unsqueeze: RESHAPE to the output's shape (a
// dynamic batch as -1). The bytes must be in IR order on both sides: a
// folded Flatten before a fully connected layer (weights permuted instead)
// and NHWC values whose bytes already are in IR order need no TRANSPOSE.
Status ExportReshape(TfliteBuilder& b, const Node& n, ir::NodeId id) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const ir::TensorType& ot = g.value(y).type;
  if (!ot.rank_known) return Unsupported("output of unknown rank");
  const bool folded = b.plan().fold_into_fc[static_cast<size_t>(id)];
  const bool in_stored = folded || !b.nhwc(x) || NhwcIsIrBytes(g.value(x).type);
  const bool out_stored = folded || !b.nhwc(y) || NhwcIsIrBytes(ot);
  QF_ASSIGN_OR_RETURN(const int in, in_stored ? b.Input(x) : b.InputIr(x));
  QF_ASSIGN_OR_RETURN(const int out, out_stored ? b.Output(y) : b.OutputIr(y));
  const std::vector<int64_t> dims = PermuteDims(ot.dims, StoragePerm(ot.rank(), out_stored && b.nhwc(y)));
  std::vector<int32_t> shape;
  int dynamic = 0;
  for (int64_t d : dims) {
    shape.push_back(d < 0 ? -1 : static_cast<int32_t>(d));
    dynamic += d < 0;
  }
  if (dynamic > 1) return Unsupported("more than one dynamic dim in the new shape");
  const int shape_t =
      b.AddInt32Const(b.tensor(out).name + "_shape", shape, {static_cast<int64_t>(shape.size())});
  tflite::ReshapeOptionsT o;
  o.new_shape = shape;
  b.AddOp(tflite::BuiltinOperator_RESHAPE, {in, shape_t}, {out}, Options(std::move(o)));
  return Status::Ok();
}

// An IR Transpose acts on storage as the permutation q with
// storage_out[k] = storage_in[q[k]]; identity means the output aliases the input.
Status ExportTranspose(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const int rank = g.value(x).type.rank();
  std::vector<int64_t> perm = n.attrs.GetInts("perm");
  if (perm.empty()) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  const std::vector<int> pout = StoragePerm(rank, b.nhwc(y));
  std::vector<int32_t> q(static_cast<size_t>(rank));
  bool identity = true;
  for (int k = 0; k < rank; ++k) {
    const int ir_axis = static_cast<int>(perm[static_cast<size_t>(pout[static_cast<size_t>(k)])]);
    q[static_cast<size_t>(k)] = StorageAxis(ir_axis, rank, b.nhwc(x));
    identity = identity && q[static_cast<size_t>(k)] == k;
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(x));
  bool x_is_input = false, y_is_output = false;
  for (ValueId v : g.inputs) x_is_input = x_is_input || v == x;
  for (ValueId v : g.outputs) y_is_output = y_is_output || v == y;
  if (identity && !(x_is_input && y_is_output)) {
    b.Alias(y, in);
    // A graph output keeps its name (TFLite -> IR -> TFLite gives the same tensors).
    if (y_is_output && !x_is_input) b.RenameTensor(in, g.value(y).name);
    return Status::Ok();
  }
  QF_ASSIGN_OR_RETURN(const int out, b.Output(y));
  const int perm_t = b.AddInt32Const(b.tensor(out).name + "_perm", q, {rank});
  b.AddOp(tflite::BuiltinOperator_TRANSPOSE, {in, perm_t}, {out});
  return Status::Ok();
}

// An operand of a layout-free multi-input op (Concat): activations share the
// output's storage; constants are permuted like it.
Result<int> SameStorageOperand(TfliteBuilder& b, ValueId v, ValueId out) {
  const Graph& g = b.graph();
  if (IsConstDerived(g, v)) {
    ConstTransform t;
    if (b.nhwc(out)) t.perm = StoragePerm(4, true);
    return b.ConstInput(v, t);
  }
  if (b.nhwc(v) == b.nhwc(out)) return b.Input(v);
  return b.InputIr(v);
}

Status ExportConcat(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId y = n.outputs[0];
  const int rank = g.value(y).type.rank();
  std::vector<int32_t> ins;
  for (ValueId v : n.inputs) {
    QF_ASSIGN_OR_RETURN(const int t, SameStorageOperand(b, v, y));
    ins.push_back(t);
  }
  QF_ASSIGN_OR_RETURN(const int out, b.Output(y));
  tflite::ConcatenationOptionsT o;
  o.axis = StorageAxis(NormAxis(n.attrs.GetInt("axis", 0), rank), rank, b.nhwc(y));
  b.AddOp(tflite::BuiltinOperator_CONCATENATION, ins, {out}, Options(std::move(o)));
  return Status::Ok();
}

Status ExportSoftmax(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const int rank = g.value(x).type.rank();
  const int axis = NormAxis(n.attrs.GetInt("axis", -1), rank);
  const int stored = StorageAxis(axis, rank, b.nhwc(x));
  if (stored != rank - 1 && !(n.attrs.GetInt("coerce_2d", 0) != 0 && axis == rank - 1)) {
    return Unsupported("softmax over axis " + std::to_string(axis) + ", not the last stored axis");
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(x));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(y));
  tflite::SoftmaxOptionsT o;
  o.beta = 1.0f;
  b.AddOp(tflite::BuiltinOperator_SOFTMAX, {in}, {out}, Options(std::move(o)));
  return Status::Ok();
}

Status ExportReduce(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const int rank = g.value(x).type.rank();
  std::vector<int64_t> axes;
  QF_RETURN_IF_ERROR(ConstInts(g, n, 1, &axes));
  if (n.input(1) == ir::kNoValue) axes = n.attrs.GetInts("axes");
  if (axes.empty()) {
    if (n.attrs.GetInt("noop_with_empty_axes", 0) != 0) return Unsupported("noop_with_empty_axes = 1");
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  }
  const bool keep = n.attrs.GetInt("keepdims", 1) != 0;
  // Without keepdims the kept dims come out in storage order; that is the
  // output's IR order only when the storage permutation keeps them sorted.
  bool use_storage = b.nhwc(x);
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t a : axes) reduced[static_cast<size_t>(NormAxis(a, rank))] = true;
  if (use_storage && !keep) {
    const std::vector<int> p = StoragePerm(rank, true);
    int last = -1;
    for (int i = 0; i < rank; ++i) {
      if (reduced[static_cast<size_t>(p[static_cast<size_t>(i)])]) continue;
      if (p[static_cast<size_t>(i)] < last) use_storage = false;
      last = p[static_cast<size_t>(i)];
    }
  }
  std::vector<int32_t> stored_axes;
  for (int i = 0; i < rank; ++i) {
    if (reduced[static_cast<size_t>(i)]) stored_axes.push_back(use_storage ? StorageAxis(i, rank, true) : i);
  }
  std::sort(stored_axes.begin(), stored_axes.end());
  QF_ASSIGN_OR_RETURN(const int in, use_storage ? b.Input(x) : b.InputIr(x));
  QF_ASSIGN_OR_RETURN(const int out, keep&& use_storage ? b.Output(y) : b.OutputIr(y));
  const int axes_t =
      b.AddInt32Const(b.tensor(out).name + "_axes", stored_axes, {static_cast<int64_t>(stored_axes.size())});
  tflite::ReducerOptionsT o;
  o.keep_dims = keep;
  const tflite::BuiltinOperator op = n.op == OpKind::kReduceMean  ? tflite::BuiltinOperator_MEAN
                                     : n.op == OpKind::kReduceMax ? tflite::BuiltinOperator_REDUCE_MAX
                                                                  : tflite::BuiltinOperator_SUM;
  b.AddOp(op, {in, axes_t}, {out}, Options(std::move(o)));
  return Status::Ok();
}

Status ExportPad(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const std::string mode = n.attrs.GetString("mode", "constant");
  // ONNX reflect is MIRROR_PAD REFLECT (the border is not repeated); edge
  // and wrap repeat values MIRROR_PAD cannot (SYMMETRIC repeats the border
  // once, then mirrors, which is neither).
  if (mode != "constant" && mode != "reflect") {
    return Unsupported("Pad mode '" + mode + "' has no TFLite form (only constant and reflect)");
  }
  const int rank = g.value(x).type.rank();
  std::vector<int64_t> pads;
  QF_RETURN_IF_ERROR(ConstInts(g, n, 1, &pads));
  if (n.input(3) != ir::kNoValue) return Unsupported("Pad with axes");
  if (static_cast<int>(pads.size()) != 2 * rank) return Unsupported("pads of the wrong length");
  const std::vector<int> p = StoragePerm(rank, b.nhwc(x));
  std::vector<int32_t> paddings;
  for (int i = 0; i < rank; ++i) {
    const size_t a = static_cast<size_t>(p[static_cast<size_t>(i)]);
    if (pads[a] < 0 || pads[a + static_cast<size_t>(rank)] < 0)
      return Unsupported("negative pads (cropping)");
    paddings.push_back(static_cast<int32_t>(pads[a]));
    paddings.push_back(static_cast<int32_t>(pads[a + static_cast<size_t>(rank)]));
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(x));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(y));
  const int pad_t = b.AddInt32Const(b.tensor(out).name + "_paddings", paddings, {rank, 2});
  if (mode == "reflect") {
    // MIRROR_PAD REFLECT mirrors once: a pad reaching the far border (which
    // ONNX reflect wraps around again) has no TFLite form.
    const std::vector<int64_t>& dims = g.value(x).type.dims;
    for (int i = 0; i < rank; ++i) {
      const size_t d = static_cast<size_t>(i);
      if (pads[d] == 0 && pads[d + static_cast<size_t>(rank)] == 0) continue;
      if (dims[d] < 0 || std::max(pads[d], pads[d + static_cast<size_t>(rank)]) >= dims[d]) {
        return Unsupported("reflect pads of dim " + std::to_string(i) + " must be below its static size " +
                           std::to_string(dims[d]) + " for MIRROR_PAD");
      }
    }
    tflite::MirrorPadOptionsT o;
    o.mode = tflite::MirrorPadMode_REFLECT;
    b.AddOp(tflite::BuiltinOperator_MIRROR_PAD, {in, pad_t}, {out}, Options(std::move(o)));
    return Status::Ok();
  }
  bool nonzero_value = false;
  if (n.input(2) != ir::kNoValue) {
    const ir::Value& cv = g.value(n.input(2));
    if (!cv.is_constant()) return Unsupported("a non-constant pad value");
    const Tensor& c = *cv.constant;
    const QuantParams& q = cv.type.quant.empty() ? c.quant() : cv.type.quant;
    for (size_t i = 0; i < c.byte_size(); ++i)
      nonzero_value |= static_cast<const uint8_t*>(c.raw_data())[i] != 0;
    // A quantized pad value equal to the zero point pads with real 0, as PAD does.
    if (!q.empty() && c.num_elements() == 1 && c.dtype() == DataType::kInt8) {
      nonzero_value = c.data<int8_t>()[0] != q.zero_point[0];
    } else if (!q.empty() && c.num_elements() == 1 && c.dtype() == DataType::kUInt8) {
      nonzero_value = c.data<uint8_t>()[0] != q.zero_point[0];
    }
  }
  if (nonzero_value) {
    QF_ASSIGN_OR_RETURN(const int value, b.ConstInput(n.input(2), {}));
    b.AddOp(tflite::BuiltinOperator_PADV2, {in, pad_t, value}, {out}, Options(tflite::PadV2OptionsT{}));
  } else {
    b.AddOp(tflite::BuiltinOperator_PAD, {in, pad_t}, {out}, Options(tflite::PadOptionsT{}));
  }
  return Status::Ok();
}

Status ExportSlice(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const ir::TensorType& xt = g.value(x).type;
  if (!xt.IsStatic()) return Unsupported("Slice of a dynamic shape");
  std::vector<int64_t> starts, ends, axes, steps;
  QF_RETURN_IF_ERROR(ConstInts(g, n, 1, &starts));
  QF_RETURN_IF_ERROR(ConstInts(g, n, 2, &ends));
  QF_RETURN_IF_ERROR(ConstInts(g, n, 3, &axes));
  QF_RETURN_IF_ERROR(ConstInts(g, n, 4, &steps));
  std::vector<ops::SliceAxis> sa;
  std::string error;
  if (!ops::ComputeSlice(xt.dims, starts, ends, axes, steps, &sa, &error)) return InvalidModel(error);
  const int rank = xt.rank();
  const std::vector<int> p = StoragePerm(rank, b.nhwc(x));
  std::vector<int32_t> begin, end, stride;
  int32_t end_mask = 0;
  for (int i = 0; i < rank; ++i) {
    const ops::SliceAxis& s = sa[static_cast<size_t>(p[static_cast<size_t>(i)])];
    const int64_t e = s.start + s.length * s.step;
    begin.push_back(static_cast<int32_t>(s.start));
    stride.push_back(static_cast<int32_t>(s.step));
    if (e < 0) {
      // A negative end would count from the back: run to the start instead.
      end_mask |= 1 << i;
      end.push_back(0);
    } else {
      end.push_back(static_cast<int32_t>(e));
    }
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(x));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(y));
  const std::string name = b.tensor(out).name;
  const int bt = b.AddInt32Const(name + "_begin", begin, {rank});
  const int et = b.AddInt32Const(name + "_end", end, {rank});
  const int st = b.AddInt32Const(name + "_strides", stride, {rank});
  tflite::StridedSliceOptionsT o;
  o.end_mask = end_mask;
  b.AddOp(tflite::BuiltinOperator_STRIDED_SLICE, {in, bt, et, st}, {out}, Options(std::move(o)));
  return Status::Ok();
}

Status ExportSplit(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0);
  const int rank = g.value(x).type.rank();
  const int axis = NormAxis(n.attrs.GetInt("axis", 0), rank);
  std::vector<int32_t> sizes;
  std::vector<int32_t> outs;
  for (ValueId y : n.outputs) {
    const ir::TensorType& t = g.value(y).type;
    if (!t.rank_known || t.dims[static_cast<size_t>(axis)] < 0)
      return Unsupported("Split with dynamic sizes");
    sizes.push_back(static_cast<int32_t>(t.dims[static_cast<size_t>(axis)]));
    QF_ASSIGN_OR_RETURN(const int o, b.Output(y));
    outs.push_back(o);
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(x));
  const std::string name = b.tensor(outs[0]).name;
  const int sizes_t = b.AddInt32Const(name + "_sizes", sizes, {static_cast<int64_t>(sizes.size())});
  const int axis_t = b.AddInt32Const(name + "_axis", {StorageAxis(axis, rank, b.nhwc(x))}, {});
  tflite::SplitVOptionsT o;
  o.num_splits = static_cast<int32_t>(outs.size());
  b.AddOp(tflite::BuiltinOperator_SPLIT_V, {in, sizes_t, axis_t}, outs, Options(std::move(o)));
  return Status::Ok();
}

Status ExportGather(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const int rank = g.value(x).type.rank();
  const int axis = NormAxis(n.attrs.GetInt("axis", 0), rank);
  QF_ASSIGN_OR_RETURN(const int in, b.InputIr(x));
  int indices = -1;
  const ir::Value& iv = g.value(n.input(1));
  if (iv.is_constant()) {
    // TFLite has no negative indices: normalize them against the axis size.
    std::vector<int64_t> idx;
    QF_RETURN_IF_ERROR(ConstInts(g, n, 1, &idx));
    const int64_t size = g.value(x).type.dims[static_cast<size_t>(axis)];
    std::vector<int32_t> norm;
    for (int64_t i : idx) norm.push_back(static_cast<int32_t>(i < 0 && size > 0 ? i + size : i));
    indices = b.AddInt32Const(iv.name, norm, iv.type.dims);
  } else {
    QF_ASSIGN_OR_RETURN(indices, b.InputIr(n.input(1)));
  }
  QF_ASSIGN_OR_RETURN(const int out, b.OutputIr(y));
  tflite::GatherOptionsT o;
  o.axis = axis;
  b.AddOp(tflite::BuiltinOperator_GATHER, {in, indices}, {out}, Options(std::move(o)));
  return Status::Ok();
}

Status ExportResize(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  const ValueId x = n.input(0), y = n.outputs[0];
  const ir::TensorType& xt = g.value(x).type;
  const ir::TensorType& yt = g.value(y).type;
  if (xt.rank() != 4 || yt.rank() != 4 || yt.dims[2] < 0 || yt.dims[3] < 0) {
    return Unsupported("only 2-D resizes of static output size");
  }
  if (yt.dims[0] != xt.dims[0] || yt.dims[1] != xt.dims[1]) return Unsupported("resizing batch or channels");
  ops::ResizeAttrs ra;
  QF_RETURN_IF_ERROR(ops::ParseResizeAttrs(n.attrs, &ra));
  bool align = false, half = false;
  const bool integer_upscale =
      xt.dims[2] > 0 && xt.dims[3] > 0 && yt.dims[2] % xt.dims[2] == 0 && yt.dims[3] % xt.dims[3] == 0;
  if (ra.mode == ops::ResizeMode::kNearest) {
    if (ra.coord == ops::CoordMode::kAsymmetric && ra.nearest == ops::NearestMode::kFloor) {
    } else if (ra.coord == ops::CoordMode::kTfHalfPixelForNearest && ra.nearest == ops::NearestMode::kFloor) {
      half = true;
    } else if (ra.coord == ops::CoordMode::kHalfPixel &&
               (ra.nearest == ops::NearestMode::kRoundPreferCeil ||
                (ra.nearest == ops::NearestMode::kRoundPreferFloor && integer_upscale))) {
      // TFLite's half-pixel nearest is floor((x + 0.5) * in / out), which is
      // ONNX's round_prefer_ceil; round_prefer_floor only differs on ties,
      // which an integer upscale never has.
      half = true;
    } else {
      return Unsupported("nearest resize with these coordinate and rounding modes");
    }
  } else {
    if (ra.coord == ops::CoordMode::kAlignCorners) {
      align = true;
    } else if (ra.coord == ops::CoordMode::kHalfPixel ||
               (ra.coord == ops::CoordMode::kPytorchHalfPixel && yt.dims[2] > 1 && yt.dims[3] > 1)) {
      half = true;
    } else if (ra.coord != ops::CoordMode::kAsymmetric) {
      return Unsupported("linear resize with this coordinate mode");
    }
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(x));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(y));
  const int size_t_ =
      b.AddInt32Const(b.tensor(out).name + "_size",
                      {static_cast<int32_t>(yt.dims[2]), static_cast<int32_t>(yt.dims[3])}, {2});
  TfliteOpSig sig;
  if (ra.mode == ops::ResizeMode::kNearest) {
    tflite::ResizeNearestNeighborOptionsT o;
    o.align_corners = align;
    o.half_pixel_centers = half;
    sig = b.MakeSig(tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, {in, size_t_}, {out});
    sig.align_corners = align;
    sig.half_pixel_centers = half;
    b.AddOp(tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, {in, size_t_}, {out}, Options(std::move(o)),
            sig);
  } else {
    tflite::ResizeBilinearOptionsT o;
    o.align_corners = align;
    o.half_pixel_centers = half;
    sig = b.MakeSig(tflite::BuiltinOperator_RESIZE_BILINEAR, {in, size_t_}, {out});
    sig.align_corners = align;
    sig.half_pixel_centers = half;
    b.AddOp(tflite::BuiltinOperator_RESIZE_BILINEAR, {in, size_t_}, {out}, Options(std::move(o)), sig);
  }
  return Status::Ok();
}

Status ExportQuantOp(TfliteBuilder& b, const Node& n) {
  QF_ASSIGN_OR_RETURN(const int in, b.Input(n.input(0)));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  if (n.op == OpKind::kDequantizeLinear) {
    b.AddOp(tflite::BuiltinOperator_DEQUANTIZE, {in}, {out});
  } else {
    b.AddOp(tflite::BuiltinOperator_QUANTIZE, {in}, {out});
  }
  return Status::Ok();
}

Status ExportCast(TfliteBuilder& b, const Node& n) {
  QF_ASSIGN_OR_RETURN(const int in, b.Input(n.input(0)));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  tflite::CastOptionsT o;
  o.in_data_type = b.tensor(in).type;
  o.out_data_type = b.tensor(out).type;
  b.AddOp(tflite::BuiltinOperator_CAST, {in}, {out}, Options(std::move(o)));
  return Status::Ok();
}

}  // namespace

bool ExportDataOp(TfliteBuilder& b, ir::NodeId id, Status* status) {
  const Node& n = b.graph().node(id);
  switch (n.op) {
    case OpKind::kFlatten:
    case OpKind::kReshape:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      *status = ExportReshape(b, n, id);
      return true;
    case OpKind::kTranspose:
      *status = ExportTranspose(b, n);
      return true;
    case OpKind::kConcat:
      *status = ExportConcat(b, n);
      return true;
    case OpKind::kSoftmax:
      *status = ExportSoftmax(b, n);
      return true;
    case OpKind::kReduceMean:
    case OpKind::kReduceMax:
    case OpKind::kReduceSum:
      *status = ExportReduce(b, n);
      return true;
    case OpKind::kPad:
      *status = ExportPad(b, n);
      return true;
    case OpKind::kSlice:
      *status = ExportSlice(b, n);
      return true;
    case OpKind::kSplit:
      *status = ExportSplit(b, n);
      return true;
    case OpKind::kGather:
      *status = ExportGather(b, n);
      return true;
    case OpKind::kResize:
      *status = ExportResize(b, n);
      return true;
    case OpKind::kQuantizeLinear:
    case OpKind::kDequantizeLinear:
    case OpKind::kRequantize:
      *status = ExportQuantOp(b, n);
      return true;
    case OpKind::kCast:
      *status = ExportCast(b, n);
      return true;
    default:
      return false;
  }
}

}  // namespace qforge::io
