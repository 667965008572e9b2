// Private: the call counter behind `csimd_avx2_call_count()`.
#ifndef CSIMD_AVX2_CALLS_H
#define CSIMD_AVX2_CALLS_H

#include <stdint.h>

extern uint64_t csimd_avx2_call_counter;

// One relaxed atomic add per kernel call (not per element).
#define CSIMD_COUNT_CALL() __atomic_fetch_add(&csimd_avx2_call_counter, 1, __ATOMIC_RELAXED)

#endif
