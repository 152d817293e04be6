#include "kernels/x86/cpu_features.h"

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace qforge::kernels::x86 {

namespace {

Isa DetectIsa() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx2") &&
      __builtin_cpu_supports("fma")) {
    return Isa::kAvx512Vnni;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kPortable;
}

Isa DetectedIsa() {
  static const Isa detected = DetectIsa();
  return detected;
}

Isa CappedIsa() {
  Isa best = DetectedIsa();
  const char* env = std::getenv("QFORGE_ISA");
  if (env == nullptr) return best;
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512Vnni}) {
    if (std::strcmp(env, IsaName(isa)) == 0 && isa < best) best = isa;
  }
  return best;
}

}  // namespace

bool IsaSupported(Isa isa) { return isa <= DetectedIsa(); }

Isa BestIsa() {
  static const Isa best = CappedIsa();
  return best;
}

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable:
      return "portable";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512Vnni:
      return "avx512vnni";
  }
  return "unknown";
}

}  // namespace qforge::kernels::x86
