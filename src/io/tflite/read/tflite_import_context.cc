#include "io/tflite/read/tflite_import_context.h"

#include <cstring>

#include "io/tflite/read/tflite_verify.h"

namespace qforge::io::tflite_import {

namespace {

// Constants smaller than a page are copied: reading a view faults in its
// page and the kernel maps up to 64 KiB of neighbouring file pages with it
// (fault-around), more resident memory than the copy would take.
constexpr size_t kMinViewBytes = 4096;

bool IsQuantizableInt(DataType t) {
  return t == DataType::kInt8 || t == DataType::kUInt8 || t == DataType::kInt16 || t == DataType::kInt32 ||
         t == DataType::kInt64;
}

}  // namespace

ImportContext::ImportContext(const tflite::Model& model, std::string_view file, ir::Graph* g,
                             std::shared_ptr<const MappedFile> mapping)
    : model_(model), file_(file), mapping_(std::move(mapping)), sg_(*model.subgraphs()->Get(0)), g_(*g) {
  values_.assign(static_cast<size_t>(num_tensors()), ir::kNoValue);
}

int32_t ImportContext::num_tensors() const {
  return sg_.tensors() == nullptr ? 0 : static_cast<int32_t>(sg_.tensors()->size());
}

const tflite::Tensor& ImportContext::tensor(int32_t t) const {
  return *sg_.tensors()->Get(static_cast<flatbuffers::uoffset_t>(t));
}

std::vector<int64_t> ImportContext::StaticShape(int32_t t) const {
  std::vector<int64_t> dims;
  if (tensor(t).shape() != nullptr) {
    for (int32_t d : *tensor(t).shape()) dims.push_back(d);
  }
  return dims;
}

bool ImportContext::IsDynamicDim(int32_t t, int d) const {
  const auto* sig = tensor(t).shape_signature();
  return sig != nullptr && d >= 0 && static_cast<size_t>(d) < sig->size() &&
         sig->Get(static_cast<flatbuffers::uoffset_t>(d)) < 0;
}

bool ImportContext::IsConstant(int32_t t) const {
  return t >= 0 && !BufferBytes(model_, file_, tensor(t).buffer()).empty();
}

DataType ImportContext::Dtype(int32_t t) const { return DataTypeFromTflite(tensor(t).type()); }

QuantParams ImportContext::QuantOf(int32_t t) const {
  QuantParams p;
  const tflite::QuantizationParameters* q = tensor(t).quantization();
  if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0 || !IsQuantizableInt(Dtype(t)))
    return p;
  for (float s : *q->scale()) p.scale.push_back(s);
  for (int64_t z : *q->zero_point()) p.zero_point.push_back(z);
  p.axis = p.scale.size() > 1 ? q->quantized_dimension() : -1;
  return p;
}

ir::TensorType ImportContext::TypeOf(int32_t t) const {
  ir::TensorType type;
  type.dtype = Dtype(t);
  type.quant = QuantOf(t);
  return type;
}

std::string ImportContext::UniqueName(const std::string& hint) {
  std::string name = hint.empty() ? std::string("tensor") : hint;
  const std::string base = name;
  for (int i = 1; names_.count(name) != 0; ++i) name = base + "_" + std::to_string(i);
  names_.insert(name);
  return name;
}

Status ImportContext::DeclareTensors() {
  // Graph inputs keep their declared shapes (dynamic dims from shape_signature).
  if (sg_.inputs() != nullptr) {
    for (int32_t t : *sg_.inputs()) {
      if (IsConstant(t) || values_[static_cast<size_t>(t)] != ir::kNoValue) continue;
      ir::TensorType type = TypeOf(t);
      type.rank_known = true;
      type.dims = StaticShape(t);
      for (size_t d = 0; d < type.dims.size(); ++d) {
        if (IsDynamicDim(t, static_cast<int>(d))) type.dims[d] = ir::kDynamicDim;
      }
      // TFLite's 4-D activations are NHWC by convention: image inputs are channels-last.
      if (type.dims.size() == 4) type.layout = ir::Layout::kNHWC;
      const std::string name = tensor(t).name() != nullptr ? tensor(t).name()->str() : "";
      const ir::ValueId v = NewValue(name.empty() ? "input_" + std::to_string(t) : name, type);
      values_[static_cast<size_t>(t)] = v;
      g_.inputs.push_back(v);
    }
  }
  if (sg_.operators() != nullptr) {
    for (const tflite::Operator* op : *sg_.operators()) {
      if (op->outputs() == nullptr) continue;
      for (int32_t t : *op->outputs()) {
        const std::string name = tensor(t).name() != nullptr ? tensor(t).name()->str() : "";
        values_[static_cast<size_t>(t)] =
            NewValue(name.empty() ? "tensor_" + std::to_string(t) : name, TypeOf(t));
      }
    }
  }
  return Status::Ok();
}

ir::ValueId ImportContext::Value(int32_t t) {
  if (t < 0) return ir::kNoValue;
  ir::ValueId& v = values_[static_cast<size_t>(t)];
  if (v != ir::kNoValue) return v;
  const std::string name = tensor(t).name() != nullptr ? tensor(t).name()->str() : "";
  const std::string hint = name.empty() ? "tensor_" + std::to_string(t) : name;
  if (IsConstant(t)) {
    v = AddConstant(hint, ConstantData(t));
  } else {
    // Read but never written and not a graph input: TFLite would read
    // uninitialized memory; the graph verifier reports the dangling value.
    v = NewValue(hint, TypeOf(t));
  }
  return v;
}

Tensor ImportContext::ConstantData(int32_t t) const {
  const std::string_view bytes = BufferBytes(model_, file_, tensor(t).buffer());
  const DataType dtype = Dtype(t);
  const size_t elem = DataTypeSize(dtype);
  // VerifyTflite checked bytes.size() == the tensor's byte size.
  if (mapping_ != nullptr && bytes.size() >= kMinViewBytes && elem > 0 &&
      reinterpret_cast<uintptr_t>(bytes.data()) % elem == 0) {
    // The view's owner aliases the mapping: the mapping lives as long as any constant viewing it.
    void* data = const_cast<char*>(bytes.data());  // read only: PROT_READ faults on any write
    Tensor view = Tensor::View(dtype, StaticShape(t), data, std::shared_ptr<void>(mapping_, data));
    view.set_quant(QuantOf(t));
    return view;
  }
  Tensor out(dtype, StaticShape(t));
  if (!bytes.empty()) std::memcpy(out.raw_data(), bytes.data(), out.byte_size());
  out.set_quant(QuantOf(t));
  return out;
}

ir::ValueId ImportContext::PermutedConstant(int32_t t, const std::vector<int64_t>& perm) {
  auto key = std::make_pair(t, perm);
  auto it = permuted_.find(key);
  if (it != permuted_.end()) return it->second;
  const std::string name = tensor(t).name() != nullptr ? tensor(t).name()->str() : "";
  const Tensor source = ConstantData(t);
  Tensor permuted = PermuteTensor(source, perm);
  // A copied weight no longer needs its mapped pages resident (they refault if read again).
  if (mapping_ != nullptr && permuted.raw_data() != source.raw_data()) {
    mapping_->Release(BufferBytes(model_, file_, tensor(t).buffer()));
  }
  const ir::ValueId v = AddConstant(name.empty() ? "tensor_" + std::to_string(t) : name, std::move(permuted));
  permuted_.emplace(std::move(key), v);
  return v;
}

Result<std::vector<int64_t>> ImportContext::ConstantInts(int32_t t, const std::string& where) const {
  if (t < 0 || !IsConstant(t)) {
    return Unsupported(where + "needs a constant " +
                       (t < 0 ? std::string("tensor") : DescribeTensor(sg_, t)));
  }
  const Tensor data = ConstantData(t);
  std::vector<int64_t> v;
  if (data.dtype() == DataType::kInt32) {
    for (int32_t x : data.span<int32_t>()) v.push_back(x);
  } else if (data.dtype() == DataType::kInt64) {
    for (int64_t x : data.span<int64_t>()) v.push_back(x);
  } else {
    return InvalidModel(where + DescribeTensor(sg_, t) + " has type " + DataTypeName(data.dtype()) +
                        ", expected int32 or int64");
  }
  return v;
}

ir::ValueId ImportContext::NewValue(const std::string& hint, ir::TensorType type) {
  return g_.AddValue(UniqueName(hint), std::move(type));
}

std::string ImportContext::TensorName(int32_t t, const std::string& fallback) const {
  if (t < 0 || tensor(t).name() == nullptr || tensor(t).name()->size() == 0) return fallback;
  return tensor(t).name()->str();
}

void ImportContext::RenameValue(ir::ValueId v, const std::string& hint) {
  names_.erase(g_.value(v).name);
  g_.value(v).name = UniqueName(hint);
}

ir::ValueId ImportContext::AddConstant(const std::string& hint, Tensor t) {
  return g_.AddConstant(UniqueName(hint), std::move(t));
}

ir::ValueId ImportContext::AddInt64Constant(const std::string& hint, const std::vector<int64_t>& v) {
  Tensor t(DataType::kInt64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return AddConstant(hint, std::move(t));
}

ir::ValueId ImportContext::AddFloatScalar(const std::string& hint, float v) {
  Tensor t(DataType::kFloat32, {});
  t.data<float>()[0] = v;
  return AddConstant(hint, std::move(t));
}

void ImportContext::AddNode(const std::string& name, OpKind op, std::vector<ir::ValueId> inputs,
                            std::vector<ir::ValueId> outputs, ir::Attributes attrs) {
  ir::Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(inputs);
  while (!n.inputs.empty() && n.inputs.back() == ir::kNoValue) n.inputs.pop_back();
  n.outputs = std::move(outputs);
  n.attrs = std::move(attrs);
  g_.AddNode(std::move(n));
}

namespace {

// The quant parameters of `in` with the axis following its dim through `perm`.
QuantParams PermutedQuant(const Tensor& in, const std::vector<int64_t>& perm) {
  QuantParams q = in.quant();
  if (q.axis >= 0) {
    for (size_t i = 0; i < perm.size(); ++i) {
      if (perm[i] == q.axis) {
        q.axis = static_cast<int>(i);
        break;
      }
    }
  }
  return q;
}

// True when `perm` keeps the relative order of the dims of size > 1, so the
// row-major bytes of the output equal the input's.
bool KeepsMemoryOrder(const Tensor& in, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t p : perm) {
    if (in.dim(static_cast<int>(p)) == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

}  // namespace

Tensor PermuteTensor(const Tensor& in, const std::vector<int64_t>& perm) {
  const int rank = in.rank();
  std::vector<int64_t> out_dims(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i)
    out_dims[static_cast<size_t>(i)] = in.dim(static_cast<int>(perm[static_cast<size_t>(i)]));
  if (KeepsMemoryOrder(in, perm)) {
    Tensor same = in.Reshaped(std::move(out_dims));
    same.set_quant(PermutedQuant(in, perm));
    return same;
  }
  Tensor out(in.dtype(), out_dims);
  const size_t elem = DataTypeSize(in.dtype());
  // Row-major strides of the input, gathered in output order.
  std::vector<int64_t> in_strides(static_cast<size_t>(rank), 1);
  for (int i = rank - 2; i >= 0; --i)
    in_strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(i) + 1] * in.dim(i + 1);
  std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
  const auto* src = static_cast<const char*>(in.raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  const int64_t n = out.num_elements();
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    for (int i = 0; i < rank; ++i)
      off += idx[static_cast<size_t>(i)] * in_strides[static_cast<size_t>(perm[static_cast<size_t>(i)])];
    std::memcpy(dst + static_cast<size_t>(o) * elem, src + static_cast<size_t>(off) * elem, elem);
    for (int i = rank - 1; i >= 0; --i) {
      if (++idx[static_cast<size_t>(i)] < out_dims[static_cast<size_t>(i)]) break;
      idx[static_cast<size_t>(i)] = 0;
    }
  }
  out.set_quant(PermutedQuant(in, perm));
  return out;
}

}  // namespace qforge::io::tflite_import
