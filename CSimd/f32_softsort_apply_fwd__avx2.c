// The fused SoftSort apply Y = P V, P computed tile by tile and never
// stored: O(n d) memory for any n.
//
//   e_ij = exp(-|c_i - s_j|^p / tau),  Z_i = sum_j e_ij,  Y_i = sum_j e_ij V_j / Z_i
//
// V is given transposed (`values_t`, d x n: column k of V at values_t + k n)
// so the column loop is contiguous for every d. Rows [row_begin, row_end)
// are processed in blocks of CSIMD_APPLY_ROW_BLOCK rows against tiles of
// `column_tile` columns (0: the whole row), so the tile's scores and values
// stay in L1 while the block's rows use them. Z_i and Y_i accumulate across
// tiles in `normalizers` and `output`; the tile size fixes the summation
// order, so results depend on it in the last bits only.
// d = 1 has a fused single-pass loop; other d go through a tile buffer, the
// caller's `scratch` (csimd_f32_softsort_apply_fwd_scratch_count floats).

#include "CSimd.h"

#if defined(__x86_64__)
#include <string.h>
#include "avx2_helpers.h"
#include "exp_avx2.h"
#include "softsort_apply_avx2.h"

__attribute__((target("avx2,fma"), always_inline))
static inline void csimd_apply_fwd(
    const csimd_f32_softsort_apply_fwd_params* params, size_t row_begin, size_t row_end, int power) {
    const float* scores = params->scores;
    const float* centres = params->centres;
    const float* values_t = params->values_t;
    float* output = params->output;
    float* normalizers = params->normalizers;
    const size_t n = params->count;
    const size_t d = params->dimension;
    // d != 1: one tile of e_ij, `tile` floats of the caller's scratch.
    float* buffer = params->scratch;
    if (row_begin >= row_end) return;
    const size_t tile = csimd_f32_softsort_apply_tile_count(n, params->column_tile);
    const csimd_exp_consts k = csimd_exp_consts_make(CSIMD_EXP_CUTOFF_KERNEL);
    const __m256 neg_inv_tau = _mm256_set1_ps(-(1.0f / params->temperature));
    const __m256 one = _mm256_set1_ps(1.0f);
    for (size_t block = row_begin; block < row_end; block += CSIMD_APPLY_ROW_BLOCK) {
        const size_t block_end = block + CSIMD_APPLY_ROW_BLOCK < row_end ? block + CSIMD_APPLY_ROW_BLOCK : row_end;
        for (size_t i = block; i < block_end; i++) {
            normalizers[i] = 0;
            memset(output + i * d, 0, d * sizeof(float));
        }
        for (size_t j0 = 0; j0 < n; j0 += tile) {
            const size_t w = n - j0 < tile ? n - j0 : tile;
            const float* s = scores + j0;
            for (size_t i = block; i < block_end; i++) {
                const __m256 c = _mm256_set1_ps(centres[i]);
                if (d == 1) {
                    const float* v = values_t + j0;
                    __m256 z0 = _mm256_setzero_ps(), z1 = _mm256_setzero_ps();
                    __m256 y0 = _mm256_setzero_ps(), y1 = _mm256_setzero_ps();
                    size_t j = 0;
                    for (; j + 16 <= w; j += 16) {
                        const __m256 e0 = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_inv_tau, power), &k);
                        const __m256 e1 = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j + 8), neg_inv_tau, power), &k);
                        z0 = _mm256_add_ps(z0, e0);
                        z1 = _mm256_add_ps(z1, e1);
                        y0 = _mm256_fmadd_ps(e0, _mm256_loadu_ps(v + j), y0);
                        y1 = _mm256_fmadd_ps(e1, _mm256_loadu_ps(v + j + 8), y1);
                    }
                    for (; j + 8 <= w; j += 8) {
                        const __m256 e = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_loadu_ps(s + j), neg_inv_tau, power), &k);
                        z0 = _mm256_add_ps(z0, e);
                        y0 = _mm256_fmadd_ps(e, _mm256_loadu_ps(v + j), y0);
                    }
                    if (j < w) {
                        const __m256i mask = csimd_tail_mask(w - j);
                        __m256 e = csimd_exp_avx2(csimd_softsort_logit(c, _mm256_maskload_ps(s + j, mask), neg_inv_tau, power), &k);
                        e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
                        z1 = _mm256_add_ps(z1, e);
                        y1 = _mm256_fmadd_ps(e, _mm256_maskload_ps(v + j, mask), y1);
                    }
                    normalizers[i] += csimd_hsum(_mm256_add_ps(z0, z1));
                    output[i] += csimd_hsum(_mm256_add_ps(y0, y1));
                } else {
                    normalizers[i] += csimd_apply_exp_tile(s, c, buffer, w, neg_inv_tau, one, &k, power);
                    for (size_t kk = 0; kk < d; kk++) {
                        output[i * d + kk] += csimd_dot(buffer, values_t + kk * n + j0, w);
                    }
                }
            }
        }
        for (size_t i = block; i < block_end; i++) {
            const float inverse = 1.0f / normalizers[i];
            for (size_t kk = 0; kk < d; kk++) output[i * d + kk] *= inverse;
        }
    }
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_apply_fwd_p1__avx2_u16(
    const csimd_f32_softsort_apply_fwd_params* params, size_t row_begin, size_t row_end) {
    csimd_apply_fwd(params, row_begin, row_end, 1);
}

__attribute__((target("avx2,fma")))
void csimd_f32_softsort_apply_fwd_p2__avx2_u16(
    const csimd_f32_softsort_apply_fwd_params* params, size_t row_begin, size_t row_end) {
    csimd_apply_fwd(params, row_begin, row_end, 2);
}

#endif
