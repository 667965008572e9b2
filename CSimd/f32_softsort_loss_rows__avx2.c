// SoftSort's cross-entropy for short rows, lanes across batch rows: eight
// batch rows per call, one per AVX lane, so every vector operation is full
// whatever the row length n (at most CSIMD_SOFTSORT_LOSS_ROWS_MAX_COUNT).
// With S[j] the vector of the eight rows' j-th scores, in a tile in scratch:
//   rank[j]   = #{k : (s_k, k) sorts before (s_j, j)}, n^2 compares, no branch;
//   target[j] = t[rank[j]], the target of the row of P centred on s_j (the
//               row of P at rank r is centred on the score of rank r, so rows
//               indexed by their centre's column need no sorted copy, and the
//               centre's gradient lands on its own column);
//   pass 1:  e_j = 2^(-|s_i - s_j|^p log2(e) / tau) into the tile, Z = sum_j e_j;
//   pass 2:  u_j = d'(s_i - s_j) (e_j / Z - [j = target[i]]) / tau,
//            grad[j] += u_j, grad[i] -= sum_j u_j;
//   loss     = sum_i |s_i - s_(target[i])|^p / tau + log prod_i Z_i, per lane
//              in double (each Z_i is in [1, n], so the product of at most 64
//              stays below 2^384): one vector log (log_avx2.h) per call.
// The tile is loaded eight columns at a time by 8 x 8 transposes.
// One exp per entry for the loss and the whole gradient; the sort, the
// targets and the one-hot part run in the lanes too.

#include "CSimd.h"

#if defined(__x86_64__)
#include "avx2_helpers.h"
#include "exp_avx2.h"
#include "log_avx2.h"

// Pass 2 at column j of the row centred on c: u = d'(c - s_j) (e_j / Z -
// [j = t]) / tau added to grad[j]; returns u. `factor` is derivative_scale / Z.
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 csimd_softsort_loss_rows_gradient(
    const float* tile, const float* e, float* g, size_t j, __m256 c, __m256i t, __m256 factor,
    __m256 derivative_scale, int power) {
    const __m256 x = _mm256_sub_ps(c, _mm256_loadu_ps(tile + 8 * j));
    // The one-hot lanes lose derivative_scale: (P - onehot) d'-scale.
    const __m256 picked = _mm256_castsi256_ps(_mm256_cmpeq_epi32(t, _mm256_set1_epi32((int32_t)j)));
    const __m256 scaled = _mm256_sub_ps(
        _mm256_mul_ps(_mm256_loadu_ps(e + 8 * j), factor), _mm256_and_ps(picked, derivative_scale));
    const __m256 u = csimd_softsort_dprime_times(x, scaled, power);
    _mm256_storeu_ps(g + 8 * j, _mm256_add_ps(_mm256_loadu_ps(g + 8 * j), u));
    return u;
}

__attribute__((target("avx2,fma"), always_inline))
static inline double csimd_softsort_loss_rows(const csimd_f32_softsort_loss_rows_params* params, int power) {
    const size_t n = params->count, batch = params->batch, first = params->first;
    if (n == 0 || first >= batch) return 0.0;
    const size_t lanes = batch - first < 8 ? batch - first : 8;
    float* tile = params->scratch;                 // S[j], 8 floats each
    float* e = tile + 8 * n;                       // one row of P's exps
    float* g = tile + 16 * n;                      // the gradient, lane-major
    int32_t* target = (int32_t*)(tile + 24 * n);   // rank, then target
    // Lane l holds batch row first + l; lanes past the batch repeat its last
    // row (computed, never stored).
    // Eight columns at a time by transposes, the rest one by one.
    const float* rows[8];
    for (size_t l = 0; l < 8; l++) rows[l] = params->scores + (first + (l < lanes ? l : lanes - 1)) * n;
    size_t columns = 0;
    for (; columns + 8 <= n; columns += 8) {
        __m256 r[8];
        for (size_t l = 0; l < 8; l++) r[l] = _mm256_loadu_ps(rows[l] + columns);
        csimd_transpose8x8(r);
        for (size_t k = 0; k < 8; k++) _mm256_storeu_ps(tile + 8 * (columns + k), r[k]);
    }
    for (size_t l = 0; l < 8; l++) {
        for (size_t j = columns; j < n; j++) tile[8 * j + l] = rows[l][j];
    }
    // Ranks by (value, index): k < j sorts first on >= (descending) or <=,
    // k > j on > or <. Ordered compares: -0 and +0 tie, as `==` has them.
    const int descending = params->descending;
    for (size_t j = 0; j < n; j++) {
        const __m256 sj = _mm256_loadu_ps(tile + 8 * j);
        __m256i count = _mm256_setzero_si256();
        for (size_t k = 0; k < j; k++) {
            const __m256 sk = _mm256_loadu_ps(tile + 8 * k);
            const __m256 before = descending ? _mm256_cmp_ps(sk, sj, _CMP_GE_OQ) : _mm256_cmp_ps(sk, sj, _CMP_LE_OQ);
            count = _mm256_sub_epi32(count, _mm256_castps_si256(before));
        }
        for (size_t k = j + 1; k < n; k++) {
            const __m256 sk = _mm256_loadu_ps(tile + 8 * k);
            const __m256 before = descending ? _mm256_cmp_ps(sk, sj, _CMP_GT_OQ) : _mm256_cmp_ps(sk, sj, _CMP_LT_OQ);
            count = _mm256_sub_epi32(count, _mm256_castps_si256(before));
        }
        _mm256_storeu_si256((__m256i*)(target + 8 * j), count);
    }
    for (size_t l = 0; l < 8; l++) {
        const ptrdiff_t* t = params->targets + (first + (l < lanes ? l : lanes - 1)) * n;
        for (size_t j = 0; j < n; j++) target[8 * j + l] = (int32_t)t[target[8 * j + l]];
    }
    for (size_t j = 0; j < 8 * n; j++) g[j] = 0.0f;

    const csimd_exp2_consts k = csimd_exp2_consts_make(CSIMD_EXP2_CUTOFF_KERNEL);
    const float inv_tau = 1.0f / params->temperature;
    const __m256 neg_scale = _mm256_set1_ps((float)(-1.4426950408889634 / (double)params->temperature));  // -log2(e) / tau
    // d'(x) = sign(x) (p = 1) or 2 x (p = 2): the factor 2 rides on the scale.
    const __m256 derivative_scale = _mm256_set1_ps(power == 1 ? inv_tau : 2.0f * inv_tau);
    const __m256i lane_index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
    __m256d product_lo = _mm256_set1_pd(1.0), product_hi = _mm256_set1_pd(1.0);
    __m256d distance_lo = _mm256_setzero_pd(), distance_hi = _mm256_setzero_pd();
    for (size_t i = 0; i < n; i++) {
        const __m256 c = _mm256_loadu_ps(tile + 8 * i);
        __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
        size_t j = 0;
        for (; j + 2 <= n; j += 2) {
            const __m256 e0 = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(tile + 8 * j), neg_scale, power), &k);
            const __m256 e1 = csimd_exp2_avx2(
                csimd_softsort_logit(c, _mm256_loadu_ps(tile + 8 * j + 8), neg_scale, power), &k);
            _mm256_storeu_ps(e + 8 * j, e0);
            _mm256_storeu_ps(e + 8 * j + 8, e1);
            sum0 = _mm256_add_ps(sum0, e0);
            sum1 = _mm256_add_ps(sum1, e1);
        }
        if (j < n) {
            const __m256 e0 = csimd_exp2_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(tile + 8 * j), neg_scale, power), &k);
            _mm256_storeu_ps(e + 8 * j, e0);
            sum0 = _mm256_add_ps(sum0, e0);
        }
        const __m256 sum = _mm256_add_ps(sum0, sum1);
        const __m256 factor = _mm256_div_ps(derivative_scale, sum);
        const __m256i t = _mm256_loadu_si256((const __m256i*)(target + 8 * i));
        __m256 centre0 = _mm256_setzero_ps(), centre1 = _mm256_setzero_ps();
        for (j = 0; j + 2 <= n; j += 2) {
            centre0 = _mm256_add_ps(centre0, csimd_softsort_loss_rows_gradient(tile, e, g, j, c, t, factor, derivative_scale, power));
            centre1 = _mm256_add_ps(centre1, csimd_softsort_loss_rows_gradient(tile, e, g, j + 1, c, t, factor, derivative_scale, power));
        }
        if (j < n) {
            centre0 = _mm256_add_ps(centre0, csimd_softsort_loss_rows_gradient(tile, e, g, j, c, t, factor, derivative_scale, power));
        }
        _mm256_storeu_ps(g + 8 * i, _mm256_sub_ps(_mm256_loadu_ps(g + 8 * i), _mm256_add_ps(centre0, centre1)));
        // The picked distance, in double: s_(target) gathered from the tile.
        const __m256 st = _mm256_i32gather_ps(tile, _mm256_add_epi32(_mm256_slli_epi32(t, 3), lane_index), 4);
        __m256d x_lo = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(c)), _mm256_cvtps_pd(_mm256_castps256_ps128(st)));
        __m256d x_hi = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(c, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(st, 1)));
        if (power == 1) {
            x_lo = _mm256_and_pd(x_lo, abs_mask);
            x_hi = _mm256_and_pd(x_hi, abs_mask);
        } else {
            x_lo = _mm256_mul_pd(x_lo, x_lo);
            x_hi = _mm256_mul_pd(x_hi, x_hi);
        }
        distance_lo = _mm256_add_pd(distance_lo, x_lo);
        distance_hi = _mm256_add_pd(distance_hi, x_hi);
        product_lo = _mm256_mul_pd(product_lo, _mm256_cvtps_pd(_mm256_castps256_ps128(sum)));
        product_hi = _mm256_mul_pd(product_hi, _mm256_cvtps_pd(_mm256_extractf128_ps(sum, 1)));
    }
    // The gradient out one element at a time: 8 x 8 transposes here made the
    // whole kernel up to 6% slower at p = 2, n = 32 (measured; the loop's code changes).
    for (size_t l = 0; l < lanes; l++) {
        float* row = params->gradient + (first + l) * n;
        for (size_t j = 0; j < n; j++) row[j] = g[8 * j + l];
    }
    double distance[8], logs[8];
    _mm256_storeu_pd(distance, distance_lo);
    _mm256_storeu_pd(distance + 4, distance_hi);
    _mm256_storeu_pd(logs, csimd_log_from_one_pd_avx2(product_lo));
    _mm256_storeu_pd(logs + 4, csimd_log_from_one_pd_avx2(product_hi));
    const double tau = (double)params->temperature;
    double loss = 0.0;
    for (size_t l = 0; l < lanes; l++) loss += distance[l] / tau + logs[l];
    return loss;
}

__attribute__((target("avx2,fma")))
double csimd_f32_softsort_loss_rows_p1__avx2_x8(const csimd_f32_softsort_loss_rows_params* params) {
    return csimd_softsort_loss_rows(params, 1);
}

__attribute__((target("avx2,fma")))
double csimd_f32_softsort_loss_rows_p2__avx2_x8(const csimd_f32_softsort_loss_rows_params* params) {
    return csimd_softsort_loss_rows(params, 2);
}

#endif
