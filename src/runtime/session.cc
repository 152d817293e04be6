#include "qforge/runtime.h"
#include "runtime/interpreter.h"

namespace qforge {

Session::Session(std::unique_ptr<runtime::Interpreter> interp) : interp_(std::move(interp)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

Result<Session> Session::Create(const Model& model, SessionOptions /*options*/) {
  return Session(std::make_unique<runtime::Interpreter>(model.shared_graph()));
}

Result<std::vector<Tensor>> Session::Run(std::span<const Tensor> inputs) { return interp_->Run(inputs); }

size_t Session::arena_bytes() const { return interp_->arena_bytes(); }

}  // namespace qforge
