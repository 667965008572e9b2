#ifndef CSIMD_H
#define CSIMD_H

// CSimd: the C half of SoftSortKit. Not a stable API: every symbol is an
// implementation detail of SoftSortKit, prefixed `csimd_`.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// True when the CPU and the operating system support AVX2 and FMA
/// (CPUID leaf 7 AVX2, leaf 1 FMA + OSXSAVE + AVX, and XGETBV showing the OS
/// saves the XMM and YMM state). Probed once and cached; always false on
/// architectures other than x86-64.
bool csimd_cpu_has_avx2_fma(void);

#ifdef __cplusplus
}
#endif

#endif // CSIMD_H
