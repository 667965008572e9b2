// The count of AVX2 kernel calls: every CSimd AVX2 kernel adds 1 when it
// starts, so a test can prove that the `avx2` backend really ran C code.

#include "CSimd.h"
#include "avx2_calls.h"

uint64_t csimd_avx2_call_counter = 0;

uint64_t csimd_avx2_call_count(void) {
    return __atomic_load_n(&csimd_avx2_call_counter, __ATOMIC_RELAXED);
}
