// Which instruction sets the optimized x86 kernels may use on this CPU.
//
// Detection runs once (GCC's __builtin_cpu_supports, which also checks that
// the OS saves the AVX/AVX-512 register state). The environment variable
// QFORGE_ISA=portable|avx2|avx512vnni caps the choice, so tests and users can
// force a slower path on a fast CPU; it never raises it above what the CPU
// has, and an unknown value is ignored.
#pragma once

namespace qforge::kernels::x86 {

// Ordered from least to most capable: a kernel set needs every feature of
// the ones before it.
enum class Isa {
  kPortable,    // plain C++ (baseline x86-64 / any CPU)
  kAvx2,        // AVX2 + FMA
  kAvx512Vnni,  // AVX-512 F, BW, DQ, VL and VNNI
};

// True when the CPU (and OS) supports `isa`, ignoring QFORGE_ISA.
bool IsaSupported(Isa isa);

// The most capable supported ISA, capped by QFORGE_ISA (read once).
Isa BestIsa();

// "portable", "avx2", "avx512vnni".
const char* IsaName(Isa isa);

}  // namespace qforge::kernels::x86
