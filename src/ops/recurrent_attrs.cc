#include "ops/recurrent_attrs.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace qforge::ops {

namespace {

struct ActivationName {
  const char* lower_name;
  RnnActivationKind kind;
  bool takes_alpha, takes_beta;
  // ONNX's recurrent ops default alpha and beta to those of the operator of
  // the same name (LeakyRelu 0.01, HardSigmoid 0.2/0.5, Elu 1, the
  // deprecated Affine 1/0 and ScaledTanh 1/1, ThresholdedRelu 1).
  float default_alpha, default_beta;
};

constexpr ActivationName kActivations[] = {
    {"relu", RnnActivationKind::kRelu, false, false, 0, 0},
    {"tanh", RnnActivationKind::kTanh, false, false, 0, 0},
    {"sigmoid", RnnActivationKind::kSigmoid, false, false, 0, 0},
    {"affine", RnnActivationKind::kAffine, true, true, 1, 0},
    {"leakyrelu", RnnActivationKind::kLeakyRelu, true, false, 0.01f, 0},
    {"thresholdedrelu", RnnActivationKind::kThresholdedRelu, true, false, 1, 0},
    {"scaledtanh", RnnActivationKind::kScaledTanh, true, true, 1, 1},
    {"hardsigmoid", RnnActivationKind::kHardSigmoid, true, true, 0.2f, 0.5f},
    {"elu", RnnActivationKind::kElu, true, false, 1, 0},
    {"softsign", RnnActivationKind::kSoftsign, false, false, 0, 0},
    {"softplus", RnnActivationKind::kSoftplus, false, false, 0, 0},
};

// The default activations per direction: f for RNN, f g for GRU, f g h for LSTM.
std::vector<std::string> DefaultActivations(OpKind op) {
  if (op == OpKind::kLSTM) return {"Sigmoid", "Tanh", "Tanh"};
  if (op == OpKind::kGRU) return {"Sigmoid", "Tanh"};
  return {"Tanh"};
}

template <typename T>
const T* Get(const ir::Attributes& attrs, const std::string& name) {
  auto it = attrs.all().find(name);
  return it == attrs.all().end() ? nullptr : std::get_if<T>(&it->second);
}

// alpha and beta are consumed in the order of the activations, one each
// by the activations that take them (as ONNX Runtime reads them).
Status ParseActivations(OpKind op, const ir::Attributes& attrs, RecurrentAttrs* out) {
  std::vector<std::string> names;
  if (const auto* given = Get<std::vector<std::string>>(attrs, "activations")) {
    names = *given;
  } else {
    for (int d = 0; d < out->num_directions; ++d) {
      for (const std::string& n : DefaultActivations(op)) names.push_back(n);
    }
  }
  const size_t want = static_cast<size_t>(out->acts_per_dir * out->num_directions);
  if (names.size() != want) {
    return InvalidModel("activations lists " + std::to_string(names.size()) + " functions, expected " +
                        std::to_string(want) + " (" + std::to_string(out->acts_per_dir) + " per direction)");
  }
  const std::vector<float> alphas = attrs.GetFloats("activation_alpha");
  const std::vector<float> betas = attrs.GetFloats("activation_beta");
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const ActivationName* found = nullptr;
    for (const ActivationName& a : kActivations) {
      if (lower == a.lower_name) found = &a;
    }
    if (found == nullptr) {
      return Unsupported("activation '" + name +
                         "' (supported: Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, "
                         "HardSigmoid, Elu, Softsign, Softplus)");
    }
    RnnActivation act{found->kind, found->default_alpha, found->default_beta};
    if (found->takes_alpha && next_alpha < alphas.size()) act.alpha = alphas[next_alpha++];
    if (found->takes_beta && next_beta < betas.size()) act.beta = betas[next_beta++];
    out->activations.push_back(act);
  }
  return Status::Ok();
}

}  // namespace

double ApplyRnnActivation(const RnnActivation& a, double x) {
  switch (a.kind) {
    case RnnActivationKind::kRelu:
      return x > 0 ? x : 0.0;
    case RnnActivationKind::kTanh:
      return std::tanh(x);
    case RnnActivationKind::kSigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case RnnActivationKind::kAffine:
      return a.alpha * x + a.beta;
    case RnnActivationKind::kLeakyRelu:
      return x >= 0 ? x : a.alpha * x;
    case RnnActivationKind::kThresholdedRelu:
      return x > a.alpha ? x : 0.0;
    case RnnActivationKind::kScaledTanh:
      return a.alpha * std::tanh(a.beta * x);
    case RnnActivationKind::kHardSigmoid:
      return std::clamp(a.alpha * x + a.beta, 0.0, 1.0);
    case RnnActivationKind::kElu:
      return x >= 0 ? x : a.alpha * (std::exp(x) - 1.0);
    case RnnActivationKind::kSoftsign:
      return x / (1.0 + std::fabs(x));
    case RnnActivationKind::kSoftplus:
      return std::log1p(std::exp(x));
  }
  return x;
}

Status ParseRecurrentAttrs(OpKind op, const ir::Attributes& attrs, RecurrentAttrs* out) {
  *out = RecurrentAttrs{};
  out->gates = op == OpKind::kLSTM ? 4 : op == OpKind::kGRU ? 3 : 1;
  out->acts_per_dir = op == OpKind::kLSTM ? 3 : op == OpKind::kGRU ? 2 : 1;
  const std::string direction = attrs.GetString("direction", "forward");
  if (direction == "forward") {
    out->direction = RnnDirection::kForward;
  } else if (direction == "reverse") {
    out->direction = RnnDirection::kReverse;
  } else if (direction == "bidirectional") {
    out->direction = RnnDirection::kBidirectional;
    out->num_directions = 2;
  } else {
    return InvalidModel("direction '" + direction + "' (must be forward, reverse or bidirectional)");
  }
  if (attrs.Has("hidden_size")) {
    out->hidden_size = attrs.GetInt("hidden_size", 0);
    if (out->hidden_size <= 0)
      return InvalidModel("hidden_size " + std::to_string(out->hidden_size) + " <= 0");
  }
  out->layout = attrs.GetInt("layout", 0);
  if (out->layout != 0 && out->layout != 1) {
    return InvalidModel("layout " + std::to_string(out->layout) + " (must be 0 or 1)");
  }
  if (attrs.Has("clip")) {
    out->has_clip = true;
    out->clip = attrs.GetFloat("clip", 0.0f);
    if (!(out->clip > 0.0f)) return InvalidModel("clip " + std::to_string(out->clip) + " must be positive");
  }
  out->input_forget = op == OpKind::kLSTM && attrs.GetInt("input_forget", 0) != 0;
  out->linear_before_reset = op == OpKind::kGRU && attrs.GetInt("linear_before_reset", 0) != 0;
  return ParseActivations(op, attrs, out);
}

}  // namespace qforge::ops
