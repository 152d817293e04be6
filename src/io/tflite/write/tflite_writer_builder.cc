#include "io/tflite/write/tflite_writer_builder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "qscheme/fused_activation.h"

namespace qforge::io {

namespace {

constexpr const char* kProducer = "qforge 0.1.0";
// TFLite pads the min_runtime_version string to this many bytes.
constexpr size_t kRuntimeVersionBytes = 16;

std::vector<int> NchwToNhwc() { return {0, 2, 3, 1}; }
std::vector<int> NhwcToNchw() { return {0, 3, 1, 2}; }

}  // namespace

tflite::TensorType ToTfliteType(DataType t) {
  switch (t) {
    case DataType::kFloat32:
      return tflite::TensorType_FLOAT32;
    case DataType::kFloat16:
      return tflite::TensorType_FLOAT16;
    case DataType::kFloat64:
      return tflite::TensorType_FLOAT64;
    case DataType::kInt8:
      return tflite::TensorType_INT8;
    case DataType::kUInt8:
      return tflite::TensorType_UINT8;
    case DataType::kInt16:
      return tflite::TensorType_INT16;
    case DataType::kInt32:
      return tflite::TensorType_INT32;
    case DataType::kInt64:
      return tflite::TensorType_INT64;
    case DataType::kBool:
      return tflite::TensorType_BOOL;
    default:
      return tflite::TensorType_FLOAT32;
  }
}

bool FusedActivationFor(const ir::Node& n, tflite::ActivationFunctionType* out) {
  const quant::ActivationRange r = quant::FusedActivation(n);
  if (r.unbounded()) {
    *out = tflite::ActivationFunctionType_NONE;
  } else if (r.min == 0.0f && std::isinf(r.max) && r.max > 0) {
    *out = tflite::ActivationFunctionType_RELU;
  } else if (r.min == 0.0f && r.max == 6.0f) {
    *out = tflite::ActivationFunctionType_RELU6;
  } else if (r.min == -1.0f && r.max == 1.0f) {
    *out = tflite::ActivationFunctionType_RELU_N1_TO_1;
  } else {
    return false;
  }
  return true;
}

TfliteBuilder::TfliteBuilder(const ir::Graph& g, const TfliteLayoutPlan& plan) : g_(g), plan_(plan) {
  model_.version = 3;
  model_.description = kProducer;
  model_.buffers.push_back(std::make_unique<tflite::BufferT>());  // buffer 0: empty, by convention
  model_.subgraphs.push_back(std::make_unique<tflite::SubGraphT>());
  sg_ = model_.subgraphs[0].get();
  sg_->name = g.name.empty() ? "main" : g.name;
  value_tensor_.assign(g.values.size(), -1);
  value_tensor_ir_.assign(g.values.size(), -1);
}

std::string TfliteBuilder::Fresh(const std::string& hint) {
  const std::string base = hint.empty() ? "t" : hint;
  std::string name = base;
  for (int n = 1; names_.count(name) != 0; ++n) name = base + "_" + std::to_string(n);
  names_.emplace(name, 1);
  return name;
}

void TfliteBuilder::RenameTensor(int t, const std::string& name) {
  std::string& current = sg_->tensors[static_cast<size_t>(t)]->name;
  if (current == name || names_.count(name) != 0) return;
  names_.erase(current);
  names_.emplace(name, 1);
  current = name;
}

int TfliteBuilder::AddBuffer(const void* data, size_t size) {
  if (size == 0) return 0;
  std::string key(static_cast<const char*>(data), size);
  auto it = buffer_by_content_.find(key);
  if (it != buffer_by_content_.end()) return it->second;
  auto b = std::make_unique<tflite::BufferT>();
  b->data.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
  model_.buffers.push_back(std::move(b));
  const int index = static_cast<int>(model_.buffers.size()) - 1;
  buffer_bytes_ += size;
  buffer_by_content_.emplace(std::move(key), index);
  return index;
}

int TfliteBuilder::AddTensor(const std::string& name, tflite::TensorType type,
                             const std::vector<int64_t>& dims, const QuantParams& quant, int quant_axis) {
  auto t = std::make_unique<tflite::TensorT>();
  t->name = Fresh(name);
  t->type = type;
  bool dynamic = false;
  for (int64_t d : dims) {
    t->shape.push_back(d < 0 ? 1 : static_cast<int32_t>(d));
    dynamic = dynamic || d < 0;
  }
  if (dynamic) {
    for (int64_t d : dims) t->shape_signature.push_back(d < 0 ? -1 : static_cast<int32_t>(d));
  }
  if (!quant.empty()) {
    auto q = std::make_unique<tflite::QuantizationParametersT>();
    q->scale = quant.scale;
    q->zero_point = quant.zero_point;
    q->quantized_dimension = quant.scale.size() > 1 && quant_axis >= 0 ? quant_axis : 0;
    t->quantization = std::move(q);
  }
  sg_->tensors.push_back(std::move(t));
  return static_cast<int>(sg_->tensors.size()) - 1;
}

int TfliteBuilder::AddConstTensor(const std::string& name, const Tensor& data, const QuantParams& quant,
                                  int quant_axis) {
  const int t = AddTensor(name, ToTfliteType(data.dtype()), data.dims(), quant, quant_axis);
  sg_->tensors[static_cast<size_t>(t)]->buffer =
      static_cast<uint32_t>(AddBuffer(data.raw_data(), data.byte_size()));
  return t;
}

int TfliteBuilder::AddInt32Const(const std::string& name, const std::vector<int32_t>& values,
                                 std::vector<int64_t> dims) {
  Tensor t(DataType::kInt32, std::move(dims));
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(int32_t));
  return AddConstTensor(name, t, {}, -1);
}

int TfliteBuilder::AddScalarLike(const std::string& name, int like_tensor, float value) {
  const tflite::TensorT& like = tensor(like_tensor);
  QuantParams q;
  if (like.quantization && !like.quantization->scale.empty()) {
    q.scale = {like.quantization->scale[0]};
    q.zero_point = {like.quantization->zero_point.empty() ? 0 : like.quantization->zero_point[0]};
  }
  if (like.type == tflite::TensorType_INT8 || like.type == tflite::TensorType_UINT8) {
    const bool is_signed = like.type == tflite::TensorType_INT8;
    const double lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
    const double scale = q.scale.empty() ? 1.0 : q.scale[0];
    const double zp = q.zero_point.empty() ? 0.0 : static_cast<double>(q.zero_point[0]);
    double qv = std::round(value / scale) + zp;
    if (std::isinf(value)) qv = value > 0 ? hi : lo;
    qv = std::clamp(qv, lo, hi);
    Tensor t(is_signed ? DataType::kInt8 : DataType::kUInt8, {1});
    if (is_signed) {
      t.data<int8_t>()[0] = static_cast<int8_t>(qv);
    } else {
      t.data<uint8_t>()[0] = static_cast<uint8_t>(qv);
    }
    return AddConstTensor(name, t, q, -1);
  }
  Tensor t(DataType::kFloat32, {1});
  t.data<float>()[0] = value;
  return AddConstTensor(name, t, {}, -1);
}

Result<int> TfliteBuilder::Output(ir::ValueId v) {
  int& slot = value_tensor_[static_cast<size_t>(v)];
  if (slot >= 0) return slot;
  const ir::Value& val = g_.value(v);
  if (!val.type.rank_known) {
    return Unsupported("value '" + val.name + "' has an unknown rank; TFLite needs static ranks");
  }
  const bool is_nhwc = nhwc(v);
  const std::vector<int> perm = StoragePerm(val.type.rank(), is_nhwc);
  const int axis = val.type.quant.axis >= 0 ? StorageAxis(val.type.quant.axis, val.type.rank(), is_nhwc) : -1;
  slot = AddTensor(val.name, ToTfliteType(val.type.dtype), PermuteDims(val.type.dims, perm), val.type.quant,
                   axis);
  return slot;
}

Result<int> TfliteBuilder::OutputIr(ir::ValueId v) {
  if (!nhwc(v)) return Output(v);
  QF_ASSIGN_OR_RETURN(const int stored, Output(v));
  const ir::Value& val = g_.value(v);
  const int temp = AddTensor(val.name + "_nchw", ToTfliteType(val.type.dtype), val.type.dims, val.type.quant);
  pending_.emplace_back(temp, stored);
  value_tensor_ir_[static_cast<size_t>(v)] = temp;
  return temp;
}

Result<int> TfliteBuilder::Input(ir::ValueId v) {
  if (v == ir::kNoValue) return -1;
  const int slot = value_tensor_[static_cast<size_t>(v)];
  if (slot >= 0) return slot;
  if (IsConstDerived(g_, v)) return ConstInput(v, {});
  return Internal("value '" + g_.value(v).name + "' is read before it is written");
}

Result<int> TfliteBuilder::InputIr(ir::ValueId v) {
  if (v == ir::kNoValue) return -1;
  QF_ASSIGN_OR_RETURN(const int stored, Input(v));
  if (!nhwc(v)) return stored;
  int& ir_slot = value_tensor_ir_[static_cast<size_t>(v)];
  if (ir_slot >= 0) return ir_slot;
  const ir::Value& val = g_.value(v);
  const int temp = AddTensor(val.name + "_nchw", ToTfliteType(val.type.dtype), val.type.dims, val.type.quant);
  const std::vector<int> p = NhwcToNchw();
  // Named after the tensor it writes, as a TRANSPOSE read back and written again names it.
  const int perm = AddInt32Const(tensor(temp).name + "_perm", {p.begin(), p.end()}, {4});
  ir_slot = temp;
  AddOp(tflite::BuiltinOperator_TRANSPOSE, {stored, perm}, {temp});
  return temp;
}

Result<int> TfliteBuilder::ConstInput(ir::ValueId v, const ConstTransform& t) {
  const std::string key = std::to_string(v) + "|" + t.Key();
  auto it = const_cache_.find(key);
  if (it != const_cache_.end()) return it->second;
  QF_ASSIGN_OR_RETURN(const int tensor, WriteConstDerived(v, t));
  const_cache_[key] = tensor;
  if (t.identity()) value_tensor_[static_cast<size_t>(v)] = tensor;
  return tensor;
}

Result<int> TfliteBuilder::WriteConstDerived(ir::ValueId v, const ConstTransform& t) {
  const ir::Value& val = g_.value(v);
  if (val.is_constant()) {
    QuantParams q = val.type.quant.empty() ? val.constant->quant() : val.type.quant;
    int axis = -1;
    QF_ASSIGN_OR_RETURN(Tensor data, ApplyConstTransform(*val.constant, t, q.axis, &axis));
    return AddConstTensor(val.name, data, q, axis);
  }
  const ir::Node& p = g_.node(val.producer);
  const ir::Value& src = g_.value(p.input(0));
  if (p.op == OpKind::kCast && src.constant->dtype() != DataType::kFloat16) {
    return Unsupported(g_.Describe(p) + ": Cast of a " + DataTypeName(src.constant->dtype()) +
                       " constant (only float16 weights are cast in TFLite files)");
  }
  QuantParams q;
  if (p.op == OpKind::kDequantizeLinear) {
    q = src.type.quant.empty() ? src.constant->quant() : src.type.quant;
    if (q.empty()) {
      const ir::Value& s = g_.value(p.input(1));
      if (s.constant->dtype() != DataType::kFloat32)
        return Unsupported(g_.Describe(p) + ": non-float32 scale");
      for (float f : s.constant->span<float>()) q.scale.push_back(f);
      if (p.input(2) != ir::kNoValue) {
        const Tensor& z = *g_.value(p.input(2)).constant;
        for (int64_t i = 0; i < z.num_elements(); ++i) {
          switch (z.dtype()) {
            case DataType::kInt8:
              q.zero_point.push_back(z.data<int8_t>()[i]);
              break;
            case DataType::kUInt8:
              q.zero_point.push_back(z.data<uint8_t>()[i]);
              break;
            case DataType::kInt32:
              q.zero_point.push_back(z.data<int32_t>()[i]);
              break;
            default:
              return Unsupported(g_.Describe(p) + ": zero point of type " + DataTypeName(z.dtype()));
          }
        }
      } else {
        q.zero_point.assign(q.scale.size(), 0);
      }
      if (q.scale.size() > 1) {
        int64_t axis = p.attrs.GetInt("axis", 1);
        if (axis < 0) axis += src.constant->rank();
        q.axis = static_cast<int>(axis);
      }
    }
  }
  int axis = -1;
  QF_ASSIGN_OR_RETURN(Tensor data, ApplyConstTransform(*src.constant, t, q.axis, &axis));
  const int in = AddConstTensor(src.name, data, q, axis);
  const int out = AddTensor(val.name, ToTfliteType(val.type.dtype), data.dims());
  AddOp(tflite::BuiltinOperator_DEQUANTIZE, {in}, {out});
  return out;
}

TfliteOpSig TfliteBuilder::MakeSig(tflite::BuiltinOperator op, const std::vector<int32_t>& inputs,
                                   const std::vector<int32_t>& outputs) const {
  TfliteOpSig sig;
  sig.op = op;
  auto describe = [this](int32_t i) {
    TfliteTensorSig ts;
    if (i < 0) {
      ts.present = false;
      return ts;
    }
    const tflite::TensorT& t = tensor(i);
    ts.type = t.type;
    ts.rank = static_cast<int>(t.shape.size());
    ts.is_const = t.buffer != 0;
    ts.per_channel = t.quantization && t.quantization->scale.size() > 1;
    // Broadcast rules look at shapes, int16 rules at "quantized", MUL's
    // version at its rescale in1 * in2 / out.
    ts.shape = t.shape;
    ts.quantized = t.quantization && !t.quantization->scale.empty();
    ts.scale = ts.quantized ? t.quantization->scale[0] : 0.0f;
    return ts;
  };
  for (int32_t i : inputs) sig.inputs.push_back(describe(i));
  for (int32_t i : outputs) sig.outputs.push_back(describe(i));
  return sig;
}

void TfliteBuilder::AddOp(tflite::BuiltinOperator op, std::vector<int32_t> inputs,
                          std::vector<int32_t> outputs, tflite::BuiltinOptionsUnion options) {
  TfliteOpSig sig = MakeSig(op, inputs, outputs);
  AddOp(op, std::move(inputs), std::move(outputs), std::move(options), std::move(sig));
}

void TfliteBuilder::AddOp(tflite::BuiltinOperator op, std::vector<int32_t> inputs,
                          std::vector<int32_t> outputs, tflite::BuiltinOptionsUnion options,
                          TfliteOpSig sig) {
  auto o = std::make_unique<tflite::OperatorT>();
  o->inputs = std::move(inputs);
  o->outputs = std::move(outputs);
  o->builtin_options = std::move(options);
  sg_->operators.push_back(std::move(o));
  op_codes_.push_back(op);
  op_sigs_.push_back(std::move(sig));
  FlushPendingTransposes();
}

void TfliteBuilder::FlushPendingTransposes() {
  std::vector<std::pair<int, int>> pending;
  pending.swap(pending_);
  for (auto [temp, stored] : pending) {
    const std::vector<int> p = NchwToNhwc();
    const int perm = AddInt32Const(tensor(stored).name + "_perm", {p.begin(), p.end()}, {4});
    AddOp(tflite::BuiltinOperator_TRANSPOSE, {temp, perm}, {stored});
  }
}

Result<std::string> TfliteBuilder::Finish(uint64_t max_bytes) {
  for (ir::ValueId v : g_.inputs) {
    QF_ASSIGN_OR_RETURN(const int t, Input(v));
    sg_->inputs.push_back(t);
  }
  for (ir::ValueId v : g_.outputs) {
    QF_ASSIGN_OR_RETURN(const int t, Input(v));
    sg_->outputs.push_back(t);
  }
  auto sig = std::make_unique<tflite::SignatureDefT>();
  sig->signature_key = "serving_default";
  sig->subgraph_index = 0;
  for (size_t i = 0; i < g_.inputs.size(); ++i) {
    auto m = std::make_unique<tflite::TensorMapT>();
    m->name = g_.value(g_.inputs[i]).name;
    m->tensor_index = static_cast<uint32_t>(sg_->inputs[i]);
    sig->inputs.push_back(std::move(m));
  }
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    auto m = std::make_unique<tflite::TensorMapT>();
    m->name = g_.value(g_.outputs[i]).name;
    m->tensor_index = static_cast<uint32_t>(sg_->outputs[i]);
    sig->outputs.push_back(std::move(m));
  }
  model_.signature_defs.push_back(std::move(sig));

  // One operator code per builtin, at the highest version any use needs.
  std::vector<std::pair<tflite::BuiltinOperator, int>> codes;
  std::vector<int> op_index(op_codes_.size());
  for (size_t i = 0; i < op_codes_.size(); ++i) {
    const int version = TfliteOpVersion(op_sigs_[i]);
    size_t c = 0;
    while (c < codes.size() && codes[c].first != op_codes_[i]) ++c;
    if (c == codes.size()) codes.emplace_back(op_codes_[i], version);
    codes[c].second = std::max(codes[c].second, version);
    op_index[i] = static_cast<int>(c);
  }
  for (auto [op, version] : codes) {
    auto oc = std::make_unique<tflite::OperatorCodeT>();
    oc->builtin_code = op;
    oc->deprecated_builtin_code = static_cast<int8_t>(std::min<int>(op, 127));
    oc->version = version;
    model_.operator_codes.push_back(std::move(oc));
  }
  for (size_t i = 0; i < op_index.size(); ++i) {
    sg_->operators[i]->opcode_index = static_cast<uint32_t>(op_index[i]);
  }

  std::string runtime = TfliteMinRuntimeVersion(codes);
  runtime.resize(std::max(runtime.size(), kRuntimeVersionBytes), '\0');
  const std::string producer = kProducer;
  for (auto [name, bytes] : {std::pair<std::string, const std::string*>{"min_runtime_version", &runtime},
                             {"producer", &producer}}) {
    auto b = std::make_unique<tflite::BufferT>();
    b->data.assign(bytes->begin(), bytes->end());
    model_.buffers.push_back(std::move(b));
    auto m = std::make_unique<tflite::MetadataT>();
    m->name = name;
    m->buffer = static_cast<uint32_t>(model_.buffers.size() - 1);
    model_.metadata.push_back(std::move(m));
  }

  if (buffer_bytes_ > max_bytes) {
    return Unsupported("the model's weights take " + std::to_string(buffer_bytes_) +
                       " bytes; a .tflite flatbuffer holds at most " + std::to_string(max_bytes));
  }
  flatbuffers::FlatBufferBuilder fbb(1024 + buffer_bytes_ + buffer_bytes_ / 8);
  tflite::FinishModelBuffer(fbb, tflite::Model::Pack(fbb, &model_));
  if (fbb.GetSize() > max_bytes) {
    return Unsupported("the .tflite file would take " + std::to_string(fbb.GetSize()) + " bytes, more than " +
                       std::to_string(max_bytes));
  }
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

}  // namespace qforge::io
