// Exhaustive ULP sweep of csimd_f32_expminus_u2__avx2_u32: every float x in
// [lo, 0] (default lo = -87.3) against the double-precision exp, in ULP of
// the float nearest the true value. Built and run by perf/exp-ulp-sweep.sh.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "CSimd.h"

static double ulp_error(float got, double want) {
    int e;
    frexp(want, &e);                        // want = m 2^e, m in [0.5, 1)
    double ulp = ldexp(1.0, e - 24);        // a float's ULP at that binade
    if (ulp < 0x1p-149) ulp = 0x1p-149;     // subnormal range
    return fabs((double)got - want) / ulp;
}

int main(int argc, char** argv) {
    const float lo = argc > 1 ? strtof(argv[1], NULL) : -87.3f;
    if (!csimd_cpu_has_avx2_fma()) { fprintf(stderr, "no AVX2+FMA on this CPU\n"); return 2; }
    enum { chunk = 1 << 16 };
    static float xs[chunk], ys[chunk];
    double worst = 0; float worst_x = 0; uint64_t checked = 0, over1 = 0;
    // Walk the bit patterns from -0 (0x80000000) down to lo: negative floats
    // grow in magnitude with their bit pattern.
    uint32_t bits = 0x80000000u, last;
    memcpy(&last, &lo, 4);
    while (bits <= last) {
        size_t m = 0;
        for (; m < chunk && bits <= last; m++, bits++) memcpy(&xs[m], &bits, 4);
        csimd_f32_expminus_u2__avx2_u32(xs, ys, m);
        for (size_t i = 0; i < m; i++) {
            double e = ulp_error(ys[i], exp((double)xs[i]));
            if (e > 1) over1++;
            if (e > worst) { worst = e; worst_x = xs[i]; }
        }
        checked += m;
    }
    printf("{\"checked\": %llu, \"maxULP\": %.4f, \"at\": %.9g, \"over1ULP\": %llu, \"range\": [%.9g, 0]}\n",
           (unsigned long long)checked, worst, worst_x, (unsigned long long)over1, lo);
    return worst <= 2.0 ? 0 : 1;
}
