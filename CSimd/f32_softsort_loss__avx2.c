// SoftSort's cross-entropy, fused: for each row i in [row_begin, row_end),
//   pass 1: e_j = exp(-|c_i - s_j|^p / tau) into the row buffer, Z = sum_j e_j,
//           as 2^(-|c_i - s_j|^p log2(e) / tau) (csimd_exp2_avx2: log2(e)
//           rides on the 1 / tau multiply, four multiplies fewer per vector
//           than the forward's csimd_exp_avx2);
//   loss_i = |c_i - s_(t_i)|^p / tau + log Z          (in double);
//   pass 2: u_j = d'(c_i - s_j) P_ij / tau, P_ij = e_j / Z, read back from the
//           row buffer (L1): column_gradient[j] += u_j, centre -= u_j;
//   the one-hot part of dL/dz = P - onehot at t_i, a scalar fix-up.
// One exp per entry for the loss and its gradient together; nothing of size
// n^2 is written. The row buffer is reused for every row, so it stays in L1.

#include "CSimd.h"

#if defined(__x86_64__)
#include <math.h>
#include "avx2_helpers.h"
#include "exp_avx2.h"

// Rows whose logs are taken together (csimd_softsort_loss).
#define CSIMD_LOSS_LOG_BLOCK 16

// Pass 1 over one row: out[j] = 2^(-|c - s_j|^p scale), scale = log2(e) / tau;
// returns sum_j out[j]. Lanes below 2^-96 flush to 0, as the forward's.
__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_softsort_loss_exp_row(
    const float* s, float centre, float* out, size_t n, __m256 neg_scale, const csimd_exp2_consts* k, int power) {
    const __m256 c = _mm256_set1_ps(centre);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 32 <= n; j += 32) {
        const __m256 e0 = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_scale, power), k);
        const __m256 e1 = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 8), neg_scale, power), k);
        const __m256 e2 = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 16), neg_scale, power), k);
        const __m256 e3 = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 24), neg_scale, power), k);
        _mm256_storeu_ps(out + j, e0);
        _mm256_storeu_ps(out + j + 8, e1);
        _mm256_storeu_ps(out + j + 16, e2);
        _mm256_storeu_ps(out + j + 24, e3);
        acc0 = _mm256_add_ps(acc0, e0);
        acc1 = _mm256_add_ps(acc1, e1);
        acc2 = _mm256_add_ps(acc2, e2);
        acc3 = _mm256_add_ps(acc3, e3);
    }
    for (; j + 8 <= n; j += 8) {
        const __m256 e = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_scale, power), k);
        _mm256_storeu_ps(out + j, e);
        acc0 = _mm256_add_ps(acc0, e);
    }
    if (j < n) {
        const __m256i mask = csimd_tail_mask(n - j);
        __m256 e = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_maskload_ps(s + j, mask), neg_scale, power), k);
        e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
        _mm256_maskstore_ps(out + j, mask, e);
        acc1 = _mm256_add_ps(acc1, e);
    }
    return csimd_hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

// Pass 2 over one row: column_gradient[j] += u_j; returns -sum_j u_j.
__attribute__((target("avx2,fma"), always_inline))
static inline float csimd_softsort_loss_gradient_row(
    const float* s, float centre, const float* e, float* column_gradient, size_t n, __m256 scaled_factor,
    int power) {
    const __m256 c = _mm256_set1_ps(centre);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
        const __m256 u0 = csimd_softsort_dprime_times(
            _mm256_sub_ps(c, _mm256_loadu_ps(s + j)), _mm256_mul_ps(_mm256_loadu_ps(e + j), scaled_factor), power);
        const __m256 u1 = csimd_softsort_dprime_times(
            _mm256_sub_ps(c, _mm256_loadu_ps(s + j + 8)), _mm256_mul_ps(_mm256_loadu_ps(e + j + 8), scaled_factor),
            power);
        _mm256_storeu_ps(column_gradient + j, _mm256_add_ps(_mm256_loadu_ps(column_gradient + j), u0));
        _mm256_storeu_ps(column_gradient + j + 8, _mm256_add_ps(_mm256_loadu_ps(column_gradient + j + 8), u1));
        acc0 = _mm256_add_ps(acc0, u0);
        acc1 = _mm256_add_ps(acc1, u1);
    }
    for (; j + 8 <= n; j += 8) {
        const __m256 u = csimd_softsort_dprime_times(
            _mm256_sub_ps(c, _mm256_loadu_ps(s + j)), _mm256_mul_ps(_mm256_loadu_ps(e + j), scaled_factor), power);
        _mm256_storeu_ps(column_gradient + j, _mm256_add_ps(_mm256_loadu_ps(column_gradient + j), u));
        acc0 = _mm256_add_ps(acc0, u);
    }
    if (j < n) {
        // Masked lanes load 0 (e = 0 gives u = 0) and are not stored.
        const __m256i mask = csimd_tail_mask(n - j);
        const __m256 u = csimd_softsort_dprime_times(
            _mm256_sub_ps(c, _mm256_maskload_ps(s + j, mask)),
            _mm256_mul_ps(_mm256_maskload_ps(e + j, mask), scaled_factor), power);
        _mm256_maskstore_ps(column_gradient + j, mask, _mm256_add_ps(_mm256_maskload_ps(column_gradient + j, mask), u));
        acc1 = _mm256_add_ps(acc1, u);
    }
    return -csimd_hsum(_mm256_add_ps(acc0, acc1));
}

__attribute__((target("avx2,fma"), always_inline))
static inline double csimd_softsort_loss(
    const csimd_f32_softsort_loss_params* params, size_t row_begin, size_t row_end, int power) {
    const float* s = params->scores;
    const size_t n = params->count;
    if (row_begin >= row_end || n == 0) return 0.0;
    const csimd_exp2_consts k = csimd_exp2_consts_make(CSIMD_EXP2_CUTOFF_KERNEL);
    const float inv_tau = 1.0f / params->temperature;
    const __m256 neg_scale = _mm256_set1_ps((float)(-1.4426950408889634 / (double)params->temperature));  // -log2(e) / tau
    const double tau = (double)params->temperature;
    // d'(x) = sign(x) (p = 1) or 2 x (p = 2): the factor 2 rides on the scale.
    const float derivative_scale = power == 1 ? inv_tau : 2.0f * inv_tau;
    double loss = 0.0;
    // The rows' terms |c_i - s_(t_i)|^p / tau and sums Z_i, added to the loss
    // (in row order) a block at a time: the block's logs are independent
    // calls, not each one waiting for its row's sum.
    double distances[CSIMD_LOSS_LOG_BLOCK], sums[CSIMD_LOSS_LOG_BLOCK];
    size_t pending = 0;
    for (size_t i = row_begin; i < row_end; i++) {
        const float centre = params->centres[i];
        const float sum = csimd_softsort_loss_exp_row(s, centre, params->scratch, n, neg_scale, &k, power);
        const ptrdiff_t t = params->targets[i];
        const double x = (double)centre - (double)s[t];
        distances[pending] = (power == 1 ? fabs(x) : x * x) / tau;
        sums[pending] = (double)sum;
        if (++pending == CSIMD_LOSS_LOG_BLOCK || i + 1 == row_end) {
            for (size_t r = 0; r < pending; r++) loss += distances[r] + log(sums[r]);
            pending = 0;
        }
        const float centre_gradient = csimd_softsort_loss_gradient_row(
            s, centre, params->scratch, params->column_gradient, n,
            _mm256_mul_ps(_mm256_set1_ps(1.0f / sum), _mm256_set1_ps(derivative_scale)), power);
        // The one-hot part of dL/dz = P - onehot.
        const float xt = centre - s[t];
        const float u = power == 1 ? (xt > 0 ? inv_tau : (xt < 0 ? -inv_tau : 0.0f)) : xt * derivative_scale;
        params->column_gradient[t] -= u;
        params->centre_gradient[i] = centre_gradient + u;
    }
    return loss;
}

__attribute__((target("avx2,fma")))
double csimd_f32_softsort_loss_p1__avx2_u32(
    const csimd_f32_softsort_loss_params* params, size_t row_begin, size_t row_end) {
    return csimd_softsort_loss(params, row_begin, row_end, 1);
}

__attribute__((target("avx2,fma")))
double csimd_f32_softsort_loss_p2__avx2_u32(
    const csimd_f32_softsort_loss_params* params, size_t row_begin, size_t row_end) {
    return csimd_softsort_loss(params, row_begin, row_end, 2);
}

#endif
