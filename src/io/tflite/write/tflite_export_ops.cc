#include "io/tflite/write/tflite_export_ops.h"

#include <cmath>
#include <limits>

#include "ops/conv_attrs.h"
#include "qscheme/fused_activation.h"

namespace qforge::io {

namespace {

using ir::Graph;
using ir::Node;
using ir::ValueId;
using tflite::BuiltinOperator;

// Gemm / MatMul with a constant weight: FULLY_CONNECTED with weights [N, K]
// (columns permuted to HWC order behind a folded Flatten).
Status ExportFullyConnected(TfliteBuilder& b, const Node& n, ir::NodeId id) {
  const Graph& g = b.graph();
  const ir::TensorType& at = g.value(n.input(0)).type;
  const ir::TensorType& wt = g.value(n.input(1)).type;
  bool trans_b = false;
  if (n.op == OpKind::kGemm) {
    if (n.attrs.GetInt("transA", 0) != 0) return Unsupported("Gemm with transA = 1");
    if (n.attrs.GetFloat("alpha", 1.0f) != 1.0f || n.attrs.GetFloat("beta", 1.0f) != 1.0f) {
      return Unsupported("Gemm with alpha or beta other than 1");
    }
    trans_b = n.attrs.GetInt("transB", 0) != 0;
  }
  if (wt.rank() != 2 || !at.rank_known || at.rank() < 2)
    return Unsupported("fully connected of rank != 2 weights");
  const int64_t units = trans_b ? wt.dims[0] : wt.dims[1];
  const auto chw = b.plan().fc_chw[static_cast<size_t>(id)];
  ConstTransform t;
  if (chw[0] > 0) {
    if (trans_b) {
      t.pre_shape = {units, chw[0], chw[1], chw[2]};
      t.perm = {0, 2, 3, 1};
    } else {
      t.pre_shape = {chw[0], chw[1], chw[2], units};
      t.perm = {3, 1, 2, 0};
    }
    t.post_shape = {units, chw[0] * chw[1] * chw[2]};
  } else if (!trans_b) {
    t.perm = {1, 0};
  }
  const bool folded = chw[0] > 0;
  QF_ASSIGN_OR_RETURN(const int in, folded ? b.Input(n.input(0)) : b.InputIr(n.input(0)));
  QF_ASSIGN_OR_RETURN(const int w, b.ConstInput(n.input(1), t));
  int bias = -1;
  if (n.input(2) != ir::kNoValue) {
    const ir::Value& bv = g.value(n.input(2));
    if (!IsConstDerived(g, n.input(2)) || CheckedElementCount(bv.type.dims) != units) {
      return Unsupported("a bias that is not a constant vector of the output width");
    }
    ConstTransform bt;
    if (bv.type.rank() != 1) bt.post_shape = {units};
    QF_ASSIGN_OR_RETURN(bias, b.ConstInput(n.input(2), bt));
  }
  QF_ASSIGN_OR_RETURN(const int out, b.OutputIr(n.outputs[0]));
  tflite::ActivationFunctionType act;
  quant::ActivationRange clamp;
  const int op_out = PlanActivation(b, n, out, &act, &clamp);
  tflite::FullyConnectedOptionsT o;
  o.fused_activation_function = act;
  o.keep_num_dims = at.rank() != 2;
  // Hybrid (dynamic range): float activations, int8 weights quantized per
  // inference, asymmetrically, as ONNX DynamicQuantizeLinear does.
  const bool hybrid =
      b.tensor(in).type == tflite::TensorType_FLOAT32 && b.tensor(w).type == tflite::TensorType_INT8;
  o.asymmetric_quantize_inputs = hybrid;
  TfliteOpSig sig = b.MakeSig(tflite::BuiltinOperator_FULLY_CONNECTED, {in, w, bias}, {op_out});
  sig.keep_num_dims = o.keep_num_dims;
  sig.asymmetric_quantize_inputs = hybrid;
  sig.fused_activation = act != tflite::ActivationFunctionType_NONE;
  b.AddOp(tflite::BuiltinOperator_FULLY_CONNECTED, {in, w, bias}, {op_out}, Options(std::move(o)), sig);
  FinishActivation(b, op_out, out, clamp);
  return Status::Ok();
}

Status ExportMatMul(TfliteBuilder& b, const Node& n, ir::NodeId id) {
  const Graph& g = b.graph();
  if (IsConstDerived(g, n.input(1)) && g.value(n.input(1)).type.rank() == 2) {
    return ExportFullyConnected(b, n, id);
  }
  QF_ASSIGN_OR_RETURN(const int x, b.InputIr(n.input(0)));
  QF_ASSIGN_OR_RETURN(const int y, b.InputIr(n.input(1)));
  QF_ASSIGN_OR_RETURN(const int out, b.OutputIr(n.outputs[0]));
  // BATCH_MATMUL has no fused activation: a clamp is written after it.
  const quant::ActivationRange clamp = quant::FusedActivation(n);
  const int op_out = clamp.unbounded() ? out : AddTensorLike(b, b.tensor(out).name + "_unclamped", out);
  tflite::BatchMatMulOptionsT o;
  o.asymmetric_quantize_inputs =
      b.tensor(x).type == tflite::TensorType_FLOAT32 && b.tensor(y).type == tflite::TensorType_INT8;
  TfliteOpSig sig = b.MakeSig(tflite::BuiltinOperator_BATCH_MATMUL, {x, y}, {op_out});
  sig.asymmetric_quantize_inputs = o.asymmetric_quantize_inputs;
  b.AddOp(tflite::BuiltinOperator_BATCH_MATMUL, {x, y}, {op_out}, Options(std::move(o)), sig);
  FinishActivation(b, op_out, out, clamp);
  return Status::Ok();
}

// A binary operand in the output's storage: constants are broadcast-shaped
// to the output's rank and permuted like it.
Result<int> BinaryOperand(TfliteBuilder& b, ValueId v, ValueId out) {
  const Graph& g = b.graph();
  const ir::TensorType& t = g.value(v).type;
  const int rank = g.value(out).type.rank();
  const bool out_nhwc = b.nhwc(out);
  if (IsConstDerived(g, v)) {
    ConstTransform tr;
    if (out_nhwc && t.rank() > 0) {
      if (t.rank() < rank) {
        tr.pre_shape.assign(static_cast<size_t>(rank - t.rank()), 1);
        tr.pre_shape.insert(tr.pre_shape.end(), t.dims.begin(), t.dims.end());
      }
      tr.perm = StoragePerm(rank, true);
    }
    return b.ConstInput(v, tr);
  }
  if (b.nhwc(v) == out_nhwc) return b.Input(v);
  if (!out_nhwc) return b.InputIr(v);
  return Unsupported("broadcasting a rank-" + std::to_string(t.rank()) + " activation against an NHWC one");
}

Status ExportBinary(TfliteBuilder& b, const Node& n) {
  if (n.inputs.size() != 2) return Unsupported("only two operands");
  QF_ASSIGN_OR_RETURN(const int x, BinaryOperand(b, n.input(0), n.outputs[0]));
  QF_ASSIGN_OR_RETURN(const int y, BinaryOperand(b, n.input(1), n.outputs[0]));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  if (n.op == OpKind::kMax || n.op == OpKind::kMin || n.op == OpKind::kPow) {
    const BuiltinOperator op = n.op == OpKind::kMax   ? tflite::BuiltinOperator_MAXIMUM
                               : n.op == OpKind::kMin ? tflite::BuiltinOperator_MINIMUM
                                                      : tflite::BuiltinOperator_POW;
    tflite::BuiltinOptionsUnion u;
    if (n.op == OpKind::kPow) {
      u = Options(tflite::PowOptionsT{});
    } else {
      u = Options(tflite::MaximumMinimumOptionsT{});
    }
    b.AddOp(op, {x, y}, {out}, std::move(u));
    return Status::Ok();
  }
  tflite::ActivationFunctionType act;
  quant::ActivationRange clamp;
  const int op_out = PlanActivation(b, n, out, &act, &clamp);
  BuiltinOperator op;
  tflite::BuiltinOptionsUnion u;
  switch (n.op) {
    case OpKind::kAdd: {
      tflite::AddOptionsT o;
      o.fused_activation_function = act;
      u = Options(std::move(o));
      op = tflite::BuiltinOperator_ADD;
      break;
    }
    case OpKind::kSub: {
      tflite::SubOptionsT o;
      o.fused_activation_function = act;
      u = Options(std::move(o));
      op = tflite::BuiltinOperator_SUB;
      break;
    }
    case OpKind::kMul: {
      tflite::MulOptionsT o;
      o.fused_activation_function = act;
      u = Options(std::move(o));
      op = tflite::BuiltinOperator_MUL;
      break;
    }
    default: {
      tflite::DivOptionsT o;
      o.fused_activation_function = act;
      u = Options(std::move(o));
      op = tflite::BuiltinOperator_DIV;
      break;
    }
  }
  TfliteOpSig sig = b.MakeSig(op, {x, y}, {op_out});
  sig.fused_activation = act != tflite::ActivationFunctionType_NONE;
  b.AddOp(op, {x, y}, {op_out}, std::move(u), sig);
  FinishActivation(b, op_out, out, clamp);
  return Status::Ok();
}

Status ConstFloat(const Graph& g, ValueId v, float def, float* out) {
  *out = def;
  if (v == ir::kNoValue) return Status::Ok();
  const ir::Value& val = g.value(v);
  if (!val.is_constant() || val.constant->num_elements() != 1)
    return Unsupported("Clip bounds that are not constant");
  const Tensor& t = *val.constant;
  const QuantParams& q = val.type.quant.empty() ? t.quant() : val.type.quant;
  switch (t.dtype()) {
    case DataType::kFloat32:
      *out = t.data<float>()[0];
      return Status::Ok();
    case DataType::kInt8:
      *out = q.empty() ? t.data<int8_t>()[0]
                       : q.scale[0] * static_cast<float>(t.data<int8_t>()[0] - q.zero_point[0]);
      return Status::Ok();
    case DataType::kUInt8:
      *out = q.empty() ? t.data<uint8_t>()[0]
                       : q.scale[0] * static_cast<float>(t.data<uint8_t>()[0] - q.zero_point[0]);
      return Status::Ok();
    default:
      return Unsupported(std::string("Clip bounds of type ") + DataTypeName(t.dtype()));
  }
}

// Clip with a bound computed in the graph (melspectrogram's top_db floor:
// max - 80): MAXIMUM / MINIMUM with the bound tensor, broadcast. Float only:
// TFLite's integer MAXIMUM needs both operands at one scale.
Status ExportTensorClip(TfliteBuilder& b, const Node& n, int in, int out) {
  if (b.tensor(in).type != tflite::TensorType_FLOAT32)
    return Unsupported("integer Clip with computed bounds");
  const std::string name = b.tensor(out).name;
  const bool has_max = n.input(2) != ir::kNoValue;
  int cur = in;
  if (n.input(1) != ir::kNoValue) {
    QF_ASSIGN_OR_RETURN(const int lo, b.Input(n.input(1)));
    const int dst = has_max ? AddTensorLike(b, name + "_lower_bounded", out) : out;
    b.AddOp(tflite::BuiltinOperator_MAXIMUM, {cur, lo}, {dst}, Options(tflite::MaximumMinimumOptionsT{}));
    cur = dst;
  }
  if (has_max) {
    QF_ASSIGN_OR_RETURN(const int hi, b.Input(n.input(2)));
    b.AddOp(tflite::BuiltinOperator_MINIMUM, {cur, hi}, {out}, Options(tflite::MaximumMinimumOptionsT{}));
  }
  return Status::Ok();
}

Status ExportUnary(TfliteBuilder& b, const Node& n) {
  const Graph& g = b.graph();
  if (n.op == OpKind::kIdentity || n.op == OpKind::kDropout) {
    QF_ASSIGN_OR_RETURN(const int in, b.Input(n.input(0)));
    b.Alias(n.outputs[0], in);
    return Status::Ok();
  }
  QF_ASSIGN_OR_RETURN(const int in, b.Input(n.input(0)));
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  switch (n.op) {
    case OpKind::kRelu:
      b.AddOp(tflite::BuiltinOperator_RELU, {in}, {out});
      return Status::Ok();
    case OpKind::kClip: {
      const auto computed = [&](ValueId v) { return v != ir::kNoValue && !g.value(v).is_constant(); };
      if (computed(n.input(1)) || computed(n.input(2))) return ExportTensorClip(b, n, in, out);
      float lo, hi;
      QF_RETURN_IF_ERROR(ConstFloat(g, n.input(1), -std::numeric_limits<float>::infinity(), &lo));
      QF_RETURN_IF_ERROR(ConstFloat(g, n.input(2), std::numeric_limits<float>::infinity(), &hi));
      if (lo == 0.0f && hi == 6.0f) {
        b.AddOp(tflite::BuiltinOperator_RELU6, {in}, {out});
      } else if (lo == -1.0f && hi == 1.0f) {
        b.AddOp(tflite::BuiltinOperator_RELU_N1_TO_1, {in}, {out});
      } else if (lo == 0.0f && std::isinf(hi)) {
        b.AddOp(tflite::BuiltinOperator_RELU, {in}, {out});
      } else {
        EmitClamp(b, in, out, lo, hi);
      }
      return Status::Ok();
    }
    case OpKind::kLeakyRelu: {
      tflite::LeakyReluOptionsT o;
      o.alpha = n.attrs.GetFloat("alpha", 0.01f);
      b.AddOp(tflite::BuiltinOperator_LEAKY_RELU, {in}, {out}, Options(std::move(o)));
      return Status::Ok();
    }
    case OpKind::kSigmoid:
      b.AddOp(tflite::BuiltinOperator_LOGISTIC, {in}, {out});
      return Status::Ok();
    case OpKind::kTanh:
      b.AddOp(tflite::BuiltinOperator_TANH, {in}, {out});
      return Status::Ok();
    case OpKind::kHardSwish:
      b.AddOp(tflite::BuiltinOperator_HARD_SWISH, {in}, {out}, Options(tflite::HardSwishOptionsT{}));
      return Status::Ok();
    case OpKind::kHardSigmoid: {
      // No TFLite builtin (MobileNetV3's gates): min(max(alpha * x + beta, 0), 1)
      // as MUL, ADD and a clamp. Float only: the int8 form is one table in
      // qforge and would need invented scales for the steps in TFLite.
      if (b.tensor(in).type != tflite::TensorType_FLOAT32) {
        return Unsupported("an integer HardSigmoid has no TFLite form; keep it float (--exclude " + n.name +
                           ")");
      }
      const std::string name = b.tensor(out).name;
      const int scaled = AddTensorLike(b, name + "_scaled", out);
      const int alpha = b.AddScalarLike(name + "_alpha", out, n.attrs.GetFloat("alpha", 0.2f));
      b.AddOp(tflite::BuiltinOperator_MUL, {in, alpha}, {scaled}, Options(tflite::MulOptionsT{}));
      const int shifted = AddTensorLike(b, name + "_shifted", out);
      const int beta = b.AddScalarLike(name + "_beta", out, n.attrs.GetFloat("beta", 0.5f));
      b.AddOp(tflite::BuiltinOperator_ADD, {scaled, beta}, {shifted}, Options(tflite::AddOptionsT{}));
      EmitClamp(b, shifted, out, 0.0f, 1.0f);
      return Status::Ok();
    }
    case OpKind::kExp:
      b.AddOp(tflite::BuiltinOperator_EXP, {in}, {out}, Options(tflite::ExpOptionsT{}));
      return Status::Ok();
    case OpKind::kSqrt:
      b.AddOp(tflite::BuiltinOperator_SQRT, {in}, {out});
      return Status::Ok();
    case OpKind::kReciprocal: {
      // No TFLite builtin: DIV(1, x), as TFLite's converter writes 1 / x. A
      // read RSQRT (Sqrt, Reciprocal) so writes back as SQRT, DIV.
      if (b.tensor(in).type != tflite::TensorType_FLOAT32) {
        return Unsupported("an integer Reciprocal has no TFLite form; keep it float (--exclude " + n.name +
                           ")");
      }
      const int one = b.AddScalarLike(b.tensor(out).name + "_one", out, 1.0f);
      b.AddOp(tflite::BuiltinOperator_DIV, {one, in}, {out}, Options(tflite::DivOptionsT{}));
      return Status::Ok();
    }
    case OpKind::kLog:
      b.AddOp(tflite::BuiltinOperator_LOG, {in}, {out});
      return Status::Ok();
    case OpKind::kAbs:
      b.AddOp(tflite::BuiltinOperator_ABS, {in}, {out}, Options(tflite::AbsOptionsT{}));
      return Status::Ok();
    case OpKind::kNeg:
      b.AddOp(tflite::BuiltinOperator_NEG, {in}, {out}, Options(tflite::NegOptionsT{}));
      return Status::Ok();
    default:
      return Unsupported("no TFLite builtin");
  }
}

// Comparisons and boolean logic: TFLite has a builtin for each (Xor of bools
// is NOT_EQUAL), bool outputs and no options.
Status ExportComparisonOrLogic(TfliteBuilder& b, const Node& n) {
  BuiltinOperator op;
  switch (n.op) {
    case OpKind::kEqual:
      op = tflite::BuiltinOperator_EQUAL;
      break;
    case OpKind::kGreater:
      op = tflite::BuiltinOperator_GREATER;
      break;
    case OpKind::kGreaterOrEqual:
      op = tflite::BuiltinOperator_GREATER_EQUAL;
      break;
    case OpKind::kLess:
      op = tflite::BuiltinOperator_LESS;
      break;
    case OpKind::kLessOrEqual:
      op = tflite::BuiltinOperator_LESS_EQUAL;
      break;
    case OpKind::kAnd:
      op = tflite::BuiltinOperator_LOGICAL_AND;
      break;
    case OpKind::kOr:
      op = tflite::BuiltinOperator_LOGICAL_OR;
      break;
    case OpKind::kXor:
      op = tflite::BuiltinOperator_NOT_EQUAL;
      break;
    case OpKind::kNot:
      op = tflite::BuiltinOperator_LOGICAL_NOT;
      break;
    default:
      return Unsupported("not a comparison");
  }
  std::vector<int> ins;
  for (ValueId v : n.inputs) {
    QF_ASSIGN_OR_RETURN(const int in, BinaryOperand(b, v, n.outputs[0]));
    ins.push_back(in);
  }
  QF_ASSIGN_OR_RETURN(const int out, b.Output(n.outputs[0]));
  b.AddOp(op, ins, {out});
  return Status::Ok();
}

Status ExportNodeImpl(TfliteBuilder& b, ir::NodeId id) {
  const Node& n = b.graph().node(id);
  switch (n.op) {
    case OpKind::kGemm:
      if (!IsConstDerived(b.graph(), n.input(1))) return Unsupported("Gemm with a non-constant weight");
      return ExportFullyConnected(b, n, id);
    case OpKind::kMatMul:
      return ExportMatMul(b, n, id);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kMax:
    case OpKind::kMin:
    case OpKind::kPow:
      return ExportBinary(b, n);
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kLeakyRelu:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kHardSwish:
    case OpKind::kHardSigmoid:
    case OpKind::kExp:
    case OpKind::kSqrt:
    case OpKind::kReciprocal:
    case OpKind::kLog:
    case OpKind::kAbs:
    case OpKind::kNeg:
    case OpKind::kIdentity:
    case OpKind::kDropout:
      return ExportUnary(b, n);
    case OpKind::kEqual:
    case OpKind::kGreater:
    case OpKind::kGreaterOrEqual:
    case OpKind::kLess:
    case OpKind::kLessOrEqual:
    case OpKind::kAnd:
    case OpKind::kOr:
    case OpKind::kXor:
    case OpKind::kNot:
      return ExportComparisonOrLogic(b, n);
    case OpKind::kIf:
      return Unsupported(
          "its condition is computed at run time and TFLite files hold no control flow here "
          "(only an If with a constant condition is written, inlined)");
    default: {
      Status s;
      if (ExportConvOrPool(b, id, &s) || ExportDataOp(b, id, &s)) return s;
      return Unsupported("no TFLite mapping for this op");
    }
  }
}

}  // namespace

// The fused activation of `n`, or NONE plus a clamp written after the op:
// returns the tensor the op itself must write.
int PlanActivation(TfliteBuilder& b, const Node& n, int out, tflite::ActivationFunctionType* act,
                   quant::ActivationRange* clamp) {
  if (FusedActivationFor(n, act)) return out;
  *act = tflite::ActivationFunctionType_NONE;
  *clamp = quant::FusedActivation(n);
  return AddTensorLike(b, b.tensor(out).name + "_unclamped", out);
}

void FinishActivation(TfliteBuilder& b, int op_out, int out, const quant::ActivationRange& clamp) {
  if (op_out != out) EmitClamp(b, op_out, out, clamp.min, clamp.max);
}

int AddTensorLike(TfliteBuilder& b, const std::string& name, int like) {
  const tflite::TensorT& t = b.tensor(like);
  std::vector<int64_t> dims(t.shape.begin(), t.shape.end());
  for (size_t i = 0; i < t.shape_signature.size() && i < dims.size(); ++i) {
    if (t.shape_signature[i] < 0) dims[i] = -1;
  }
  QuantParams q;
  if (t.quantization && !t.quantization->scale.empty()) {
    q.scale = t.quantization->scale;
    q.zero_point = t.quantization->zero_point;
  }
  return b.AddTensor(name, t.type, dims, q, t.quantization ? t.quantization->quantized_dimension : -1);
}

void EmitClamp(TfliteBuilder& b, int in, int out, float min, float max) {
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  const std::string name = b.tensor(out).name;
  int cur = in;
  if (has_min) {
    const int dst = has_max ? AddTensorLike(b, name + "_lower_bounded", out) : out;
    const int c = b.AddScalarLike(name + "_min", out, min);
    b.AddOp(tflite::BuiltinOperator_MAXIMUM, {cur, c}, {dst}, Options(tflite::MaximumMinimumOptionsT{}));
    cur = dst;
  }
  if (has_max) {
    const int c = b.AddScalarLike(name + "_max", out, max);
    b.AddOp(tflite::BuiltinOperator_MINIMUM, {cur, c}, {out}, Options(tflite::MaximumMinimumOptionsT{}));
  }
  if (!has_min && !has_max) {
    // Nothing to clamp; a RESHAPE to the same shape keeps `out` produced.
    const tflite::TensorT& t = b.tensor(out);
    const int shape = b.AddInt32Const(name + "_shape", t.shape, {static_cast<int64_t>(t.shape.size())});
    b.AddOp(tflite::BuiltinOperator_RESHAPE, {in, shape}, {out});
  }
}

Status ConstInts(const ir::Graph& g, const ir::Node& n, size_t input, std::vector<int64_t>* out) {
  out->clear();
  const ValueId v = n.input(input);
  if (v == ir::kNoValue) return Status::Ok();
  const ir::Value& val = g.value(v);
  if (!val.is_constant()) return Unsupported("input " + std::to_string(input) + " is not a constant");
  const Tensor& t = *val.constant;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (t.dtype() == DataType::kInt64) {
      out->push_back(t.data<int64_t>()[i]);
    } else if (t.dtype() == DataType::kInt32) {
      out->push_back(t.data<int32_t>()[i]);
    } else {
      return Unsupported("input " + std::to_string(input) + " is not an integer constant");
    }
  }
  return Status::Ok();
}

Status ExportTfliteNode(TfliteBuilder& b, ir::NodeId id) {
  const Node& n = b.graph().node(id);
  Status s = ExportNodeImpl(b, id);
  if (s.ok()) return s;
  return Status(s.code(), b.graph().Describe(n) + ": " + s.message());
}

}  // namespace qforge::io
