// NeuralSort (Grover et al. 2019) rows, the O(n^2) association:
//   c_j     = sum_k |s_j - s_k|                         (column sums)
//   z_ij    = (a_i s_j - c_j) / tau,  a_i = sign (n - 1 - 2 i)
//   P[i, j] = softmax_j(z_ij)
// Backward over rows, with D_ij = P_ij (G_ij - <G_i, P_i>):
//   score_gradient[j]      += sum_i D_ij a_i / tau   (private accumulator)
//   column_sum_gradient[j] -= sum_i D_ij / tau       (private accumulator)

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"

__attribute__((target("avx2,fma")))
void csimd_f32_neuralsort_bwd__avx2_u8(
    const csimd_f32_neuralsort_bwd_params* params, size_t row_begin, size_t row_end) {
    const float* matrix = params->matrix;
    const float* matrix_gradient = params->matrix_gradient;
    float* score_gradient = params->score_gradient;
    float* column_sum_gradient = params->column_sum_gradient;
    const size_t n = params->count;
    const float sign = params->sign;
    const __m256 inv_tau = _mm256_set1_ps(1.0f / params->temperature);
    for (size_t i = row_begin; i < row_end; i++) {
        const float* p = matrix + i * n;
        const float* g = matrix_gradient + i * n;
        const __m256 dot = _mm256_set1_ps(csimd_dot(p, g, n));
        const __m256 a = _mm256_set1_ps(sign * (float)((ptrdiff_t)n - 1 - 2 * (ptrdiff_t)i));
        size_t j = 0;
        for (; j + 8 <= n; j += 8) {
            const __m256 t = _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(p + j), _mm256_sub_ps(_mm256_loadu_ps(g + j), dot)), inv_tau);
            _mm256_storeu_ps(score_gradient + j, _mm256_fmadd_ps(a, t, _mm256_loadu_ps(score_gradient + j)));
            _mm256_storeu_ps(column_sum_gradient + j, _mm256_sub_ps(_mm256_loadu_ps(column_sum_gradient + j), t));
        }
        if (j < n) {
            const __m256i mask = csimd_tail_mask(n - j);
            const __m256 t = _mm256_mul_ps(_mm256_mul_ps(_mm256_maskload_ps(p + j, mask),
                _mm256_sub_ps(_mm256_maskload_ps(g + j, mask), dot)), inv_tau);
            _mm256_maskstore_ps(score_gradient + j, mask, _mm256_fmadd_ps(a, t, _mm256_maskload_ps(score_gradient + j, mask)));
            _mm256_maskstore_ps(column_sum_gradient + j, mask, _mm256_sub_ps(_mm256_maskload_ps(column_sum_gradient + j, mask), t));
        }
    }
}

#endif
