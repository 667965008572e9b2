// The backward of the fused SoftSort apply Y = P V (f32_softsort_apply_fwd__avx2.c),
// P recomputed tile by tile and never stored. Given G = dL/dY and
// dot_i = <G_i, Y_i>, with e_ij = exp(-|c_i - s_j|^p / tau), P_ij = e_ij / Z_i:
//   D_ij                     = P_ij (<G_i, V_j> - dot_i)
//   score_gradient[j]       += sum_i D_ij d'(c_i - s_j) / tau   (private accumulator)
//   centre_gradient[i]       = -sum_j D_ij d'(c_i - s_j) / tau
//   values_t_gradient[k, j] += sum_i P_ij G_ik                   (private accumulator)
// Rows go in blocks of CSIMD_APPLY_ROW_BLOCK against column tiles, as in
// the forward. d = 1 has a fused single-pass loop; other d go through two
// tile buffers (P and <G_i, V_j> for the tile), the caller's `scratch`
// (csimd_f32_softsort_apply_bwd_scratch_count floats).

#include "CSimd.h"

#if defined(__x86_64__)
#include <string.h>
#include "avx2_helpers.h"
#include "exp_avx2.h"
#include "softsort_apply_avx2.h"

// y[j] += a x[j] over w elements.
__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_axpy(float a, const float* x, float* y, size_t w) {
    const __m256 va = _mm256_set1_ps(a);
    size_t j = 0;
    for (; j + 8 <= w; j += 8) _mm256_storeu_ps(y + j, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j)));
    if (j < w) {
        const __m256i mask = csimd_tail_mask(w - j);
        _mm256_maskstore_ps(y + j, mask, _mm256_fmadd_ps(va, _mm256_maskload_ps(x + j, mask), _mm256_maskload_ps(y + j, mask)));
    }
}

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_apply_bwd(
    const csimd_f32_softsort_apply_bwd_params* params, size_t row_begin, size_t row_end, int power) {
    const float* scores = params->scores;
    const float* centres = params->centres;
    const float* values_t = params->values_t;
    const float* normalizers = params->normalizers;
    const float* output_dots = params->output_dots;
    const float* output_gradient = params->output_gradient;
    float* score_gradient = params->score_gradient;
    float* values_t_gradient = params->values_t_gradient;
    float* centre_gradient = params->centre_gradient;
    const size_t n = params->count;
    const size_t d = params->dimension;
    const float temperature = params->temperature;
    if (row_begin >= row_end) return;
    const size_t tile = csimd_f32_softsort_apply_tile_count(n, params->column_tile);
    const csimd_exp_consts k = csimd_exp_consts_make(CSIMD_EXP_CUTOFF_KERNEL);
    const __m256 neg_inv_tau = _mm256_set1_ps(-(1.0f / temperature));
    // Applied last, to D d'(x): rescaled huge scores make 1 / tau nearly FLT_MAX,
    // which times D alone (or an FMA residual where x = 0) overflows.
    const __m256 factor = _mm256_set1_ps((power == 2 ? 2.0f : 1.0f) / temperature);
    // d != 1: a tile of P and a tile of <G_i, V_j>, `2 tile` floats of the
    // caller's scratch; unused for d = 1.
    float* p_buffer = params->scratch;
    float* gv_buffer = d == 1 ? NULL : params->scratch + tile;
    for (size_t block = row_begin; block < row_end; block += CSIMD_APPLY_ROW_BLOCK) {
        const size_t block_end = block + CSIMD_APPLY_ROW_BLOCK < row_end ? block + CSIMD_APPLY_ROW_BLOCK : row_end;
        for (size_t i = block; i < block_end; i++) centre_gradient[i] = 0;
        for (size_t j0 = 0; j0 < n; j0 += tile) {
            const size_t w = n - j0 < tile ? n - j0 : tile;
            const float* s = scores + j0;
            float* ds = score_gradient + j0;
            for (size_t i = block; i < block_end; i++) {
                const __m256 c = _mm256_set1_ps(centres[i]);
                const __m256 inv_z = _mm256_set1_ps(1.0f / normalizers[i]);
                const __m256 dot = _mm256_set1_ps(output_dots[i]);
                __m256 centre0 = _mm256_setzero_ps(), centre1 = _mm256_setzero_ps();
                if (d == 1) {
                    const float* v = values_t + j0;
                    float* dv = values_t_gradient + j0;
                    const __m256 g = _mm256_set1_ps(output_gradient[i]);
                    size_t j = 0;
                    for (; j + 8 <= w; j += 8) {
                        const __m256 sj = _mm256_loadu_ps(s + j);
                        const __m256 p = _mm256_mul_ps(csimd_exp_avx2(csimd_softsort_logit(c, sj, neg_inv_tau, power), &k), inv_z);
                        const __m256 t = _mm256_mul_ps(p, _mm256_fmsub_ps(g, _mm256_loadu_ps(v + j), dot));
                        const __m256 u = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, sj), t, power), factor);
                        _mm256_storeu_ps(ds + j, _mm256_add_ps(_mm256_loadu_ps(ds + j), u));
                        _mm256_storeu_ps(dv + j, _mm256_fmadd_ps(g, p, _mm256_loadu_ps(dv + j)));
                        centre0 = _mm256_sub_ps(centre0, u);
                    }
                    if (j < w) {
                        const __m256i mask = csimd_tail_mask(w - j);
                        const __m256 fmask = _mm256_castsi256_ps(mask);
                        const __m256 sj = _mm256_maskload_ps(s + j, mask);
                        const __m256 p = _mm256_and_ps(_mm256_mul_ps(csimd_exp_avx2(csimd_softsort_logit(c, sj, neg_inv_tau, power), &k), inv_z), fmask);
                        const __m256 t = _mm256_mul_ps(p, _mm256_fmsub_ps(g, _mm256_maskload_ps(v + j, mask), dot));
                        const __m256 u = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, sj), t, power), factor);
                        _mm256_maskstore_ps(ds + j, mask, _mm256_add_ps(_mm256_maskload_ps(ds + j, mask), u));
                        _mm256_maskstore_ps(dv + j, mask, _mm256_fmadd_ps(g, p, _mm256_maskload_ps(dv + j, mask)));
                        centre1 = _mm256_sub_ps(centre1, u);
                    }
                } else {
                    // P for the tile, then <G_i, V_j> for the tile, then the update.
                    csimd_apply_exp_tile(s, c, p_buffer, w, neg_inv_tau, inv_z, &k, power);
                    memset(gv_buffer, 0, w * sizeof(float));
                    const float* g = output_gradient + i * d;
                    for (size_t kk = 0; kk < d; kk++) csimd_axpy(g[kk], values_t + kk * n + j0, gv_buffer, w);
                    size_t j = 0;
                    for (; j + 8 <= w; j += 8) {
                        const __m256 sj = _mm256_loadu_ps(s + j);
                        const __m256 t = _mm256_mul_ps(_mm256_loadu_ps(p_buffer + j),
                            _mm256_sub_ps(_mm256_loadu_ps(gv_buffer + j), dot));
                        const __m256 u = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, sj), t, power), factor);
                        _mm256_storeu_ps(ds + j, _mm256_add_ps(_mm256_loadu_ps(ds + j), u));
                        centre0 = _mm256_sub_ps(centre0, u);
                    }
                    if (j < w) {
                        const __m256i mask = csimd_tail_mask(w - j);
                        const __m256 sj = _mm256_maskload_ps(s + j, mask);
                        const __m256 t = _mm256_mul_ps(_mm256_maskload_ps(p_buffer + j, mask),
                            _mm256_sub_ps(_mm256_maskload_ps(gv_buffer + j, mask), dot));
                        const __m256 u = _mm256_mul_ps(csimd_softsort_dprime_times(_mm256_sub_ps(c, sj), t, power), factor);
                        _mm256_maskstore_ps(ds + j, mask, _mm256_add_ps(_mm256_maskload_ps(ds + j, mask), u));
                        centre1 = _mm256_sub_ps(centre1, u);
                    }
                    for (size_t kk = 0; kk < d; kk++) csimd_axpy(g[kk], p_buffer, values_t_gradient + kk * n + j0, w);
                }
                centre_gradient[i] += csimd_hsum(_mm256_add_ps(centre0, centre1));
            }
        }
    }
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_apply_bwd_p1__avx2_u8(
    const csimd_f32_softsort_apply_bwd_params* params, size_t row_begin, size_t row_end) {
    csimd_apply_bwd(params, row_begin, row_end, 1);
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_apply_bwd_p2__avx2_u8(
    const csimd_f32_softsort_apply_bwd_params* params, size_t row_begin, size_t row_end) {
    csimd_apply_bwd(params, row_begin, row_end, 2);
}

#endif
