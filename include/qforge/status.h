// Status and Result: the error channel of every qforge API that can fail on
// user input or model files. Programmer bugs use QF_CHECK instead.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace qforge {

// Codes are stable: the CLI maps each to an exit code (see cli/exit_codes.h).
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,    // bad flags, data, shapes from the user
  kInvalidModel = 2,       // a model file that breaks its format's rules
  kUnsupported = 3,        // valid, but qforge does not implement it
  kNotFound = 4,           // missing file, tensor or name
  kIoError = 5,            // read/write failure
  kInternal = 6,           // a bug surfaced as an error (never for user input)
  kResourceExhausted = 7,  // over a memory or work limit (raise it with --memory-limit)
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code: message" for logs and the CLI.
  std::string ToString() const;
  // Prepends context ("file.onnx: ") to the message, keeping the code.
  Status WithContext(const std::string& prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status InvalidModel(std::string m) { return {StatusCode::kInvalidModel, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }

// A value or a non-OK Status. GCC 12 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) std::abort();   // an OK status carries no value
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace qforge

#define QF_CONCAT_INNER(a, b) a##b
#define QF_CONCAT(a, b) QF_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define QF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::qforge::Status qf_status_ = (expr);    \
    if (!qf_status_.ok()) return qf_status_; \
  } while (0)

// `QF_ASSIGN_OR_RETURN(auto x, MakeX());`
#define QF_ASSIGN_OR_RETURN(lhs, expr) QF_ASSIGN_OR_RETURN_IMPL(QF_CONCAT(qf_result_, __LINE__), lhs, expr)
#define QF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
