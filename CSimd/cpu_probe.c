// The cached CPU probe: AVX2, FMA and the operating system's support for the
// YMM state (XGETBV), in the style of simdjson's runtime dispatch.

#include "CSimd.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static int csimd_probe_avx2_fma(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
    if ((ecx & (fma | osxsave | avx)) != (fma | osxsave | avx)) return 0;
    // XGETBV(0): bits 1 (SSE state) and 2 (AVX state) must be saved by the OS.
    unsigned int xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6u) != 0x6u) return 0;
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned int avx2 = 1u << 5;
    return (ebx & avx2) != 0;
}

// -1: not probed yet; 0 or 1: the probe's answer.
static int csimd_cpu_probe_cache = -1;

bool csimd_cpu_has_avx2_fma(void) {
    // Relaxed atomics are enough: the cache publishes nothing but its own
    // value, and that value is the same from every thread (CPUID and XGETBV
    // answer the same on every core), so threads that race on the first call
    // each probe and store the same 0 or 1. Atomic, not volatile, so the race
    // is not a data race (undefined behaviour in C11) and a load never sees a
    // torn value.
    int value = __atomic_load_n(&csimd_cpu_probe_cache, __ATOMIC_RELAXED);
    if (value < 0) {
        value = csimd_probe_avx2_fma();
        __atomic_store_n(&csimd_cpu_probe_cache, value, __ATOMIC_RELAXED);
    }
    return value != 0;
}

#else

bool csimd_cpu_has_avx2_fma(void) { return false; }

#endif
