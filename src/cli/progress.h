// A progress bar on stderr, drawn only when stderr is a terminal or
// QFORGE_PROGRESS=1 (so logs and CI output stay clean otherwise).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace qforge::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  void Update(int64_t done);
  void Finish();

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace qforge::cli
