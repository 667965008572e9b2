// SoftSort row backward: for each row i in [row_begin, row_end), with
// x_ij = c_i - s_j and d'(x) = sign(x) (p = 1, sign(0) = 0) or 2x (p = 2),
//   D_ij                  = P_ij (G_ij - <G_i, P_i>)
//   column_gradient[j]   += sum_i D_ij d'(x_ij) / tau
//   centre_gradient[i]    = -sum_j D_ij d'(x_ij) / tau
// Two passes over a row: the dot <G_i, P_i>, then the update (the row is still
// in L1/L2). `column_gradient` belongs to this call alone (the caller gives
// each concurrent row range its own), so there is no data race; rows are
// added in increasing i, lanes in a fixed order: the result does not depend
// on how a caller splits the rows, only on the row ranges' accumulators.

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"
#include "exp_avx2.h"

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_softsort_bwd(
    const csimd_f32_softsort_bwd_params* params, size_t row_begin, size_t row_end, int power) {
    const float* scores = params->scores;
    const float* centres = params->centres;
    const float* matrix = params->matrix;
    const float* matrix_gradient = params->matrix_gradient;
    float* column_gradient = params->column_gradient;
    float* centre_gradient = params->centre_gradient;
    const size_t n = params->count;
    const float temperature = params->temperature;
    // Applied last, to D d'(x): rescaled huge scores make 1 / tau nearly FLT_MAX,
    // which times D alone (or an FMA residual where x = 0) overflows.
    const __m256 factor = _mm256_set1_ps((power == 2 ? 2.0f : 1.0f) / temperature);
    for (size_t i = row_begin; i < row_end; i++) {
        const float* p = matrix + i * n;
        const float* g = matrix_gradient + i * n;
        const __m256 dot = _mm256_set1_ps(csimd_dot(p, g, n));
        const __m256 c = _mm256_set1_ps(centres[i]);
        __m256 centre0 = _mm256_setzero_ps(), centre1 = _mm256_setzero_ps();
        size_t j = 0;
        for (; j + 16 <= n; j += 16) {
            const __m256 t0 = _mm256_mul_ps(_mm256_loadu_ps(p + j), _mm256_sub_ps(_mm256_loadu_ps(g + j), dot));
            const __m256 t1 = _mm256_mul_ps(_mm256_loadu_ps(p + j + 8), _mm256_sub_ps(_mm256_loadu_ps(g + j + 8), dot));
            const __m256 u0 = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, _mm256_loadu_ps(scores + j)), t0, power), factor);
            const __m256 u1 = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, _mm256_loadu_ps(scores + j + 8)), t1, power), factor);
            _mm256_storeu_ps(column_gradient + j, _mm256_add_ps(_mm256_loadu_ps(column_gradient + j), u0));
            _mm256_storeu_ps(column_gradient + j + 8, _mm256_add_ps(_mm256_loadu_ps(column_gradient + j + 8), u1));
            centre0 = _mm256_sub_ps(centre0, u0);
            centre1 = _mm256_sub_ps(centre1, u1);
        }
        for (; j + 8 <= n; j += 8) {
            const __m256 t = _mm256_mul_ps(_mm256_loadu_ps(p + j), _mm256_sub_ps(_mm256_loadu_ps(g + j), dot));
            const __m256 u = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, _mm256_loadu_ps(scores + j)), t, power), factor);
            _mm256_storeu_ps(column_gradient + j, _mm256_add_ps(_mm256_loadu_ps(column_gradient + j), u));
            centre0 = _mm256_sub_ps(centre0, u);
        }
        if (j < n) {
            // Masked lanes load 0 for P, so t and u are 0 there.
            const __m256i mask = csimd_tail_mask(n - j);
            const __m256 t = _mm256_mul_ps(_mm256_maskload_ps(p + j, mask),
                _mm256_sub_ps(_mm256_maskload_ps(g + j, mask), dot));
            const __m256 u = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, _mm256_maskload_ps(scores + j, mask)), t, power), factor);
            _mm256_maskstore_ps(column_gradient + j, mask,
                _mm256_add_ps(_mm256_maskload_ps(column_gradient + j, mask), u));
            centre1 = _mm256_sub_ps(centre1, u);
        }
        centre_gradient[i] = csimd_hsum(_mm256_add_ps(centre0, centre1));
    }
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_bwd_p1__avx2_u16(
    const csimd_f32_softsort_bwd_params* params, size_t row_begin, size_t row_end) {
    csimd_softsort_bwd(params, row_begin, row_end, 1);
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_bwd_p2__avx2_u16(
    const csimd_f32_softsort_bwd_params* params, size_t row_begin, size_t row_end) {
    csimd_softsort_bwd(params, row_begin, row_end, 2);
}

#endif
