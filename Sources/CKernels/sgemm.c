#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

int ck_sgemm_block_tiles(int k) {
    // About 128 KiB of B per block: it stays in L2 while every panel of A passes over it.
    int tiles = 2048 / (k > 0 ? k : 1);
    return tiles < 1 ? 1 : tiles;
}

size_t ck_sgemm_packed_a_count(int m, int k) {
    return (size_t)((m + CK_SGEMM_MR - 1) / CK_SGEMM_MR) * CK_SGEMM_MR * (size_t)k;
}

void ck_sgemm_pack_a(const float *a, int lda, int m, int k, float *packed) {
    int panels = (m + CK_SGEMM_MR - 1) / CK_SGEMM_MR;
    for (int p = 0; p < panels; p++) {
        float *dst = packed + (size_t)p * k * CK_SGEMM_MR;
        for (int kk = 0; kk < k; kk++) {
            for (int r = 0; r < CK_SGEMM_MR; r++) {
                int row = p * CK_SGEMM_MR + r;
                dst[(size_t)kk * CK_SGEMM_MR + r] = row < m ? a[(size_t)row * lda + kk] : 0.0f;
            }
        }
    }
}

#ifdef CK_X86
// One 6x16 tile of C: twelve accumulators, a broadcast of A and two loads of B per step of k.
__attribute__((target("avx2,fma")))
static inline void tile_6x16(int k, const float *a, const float *b, float *c, int ldc, int rows, int cols, int accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int kk = 0; kk < k; kk++) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        __m256 av;
        av = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
        av = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
        av = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
        av = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
        av = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
        av = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
        a += CK_SGEMM_MR;
        b += CK_SGEMM_NR;
    }
    __m256 acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
    if (cols == CK_SGEMM_NR) {
        for (int r = 0; r < rows; r++) {
            float *row = c + (size_t)r * ldc;
            __m256 lo = acc[2 * r], hi = acc[2 * r + 1];
            if (accumulate) {
                lo = _mm256_add_ps(lo, _mm256_loadu_ps(row));
                hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8));
            }
            _mm256_storeu_ps(row, lo);
            _mm256_storeu_ps(row + 8, hi);
        }
    } else {
        float tile[CK_SGEMM_NR];
        for (int r = 0; r < rows; r++) {
            float *row = c + (size_t)r * ldc;
            _mm256_storeu_ps(tile, acc[2 * r]);
            _mm256_storeu_ps(tile + 8, acc[2 * r + 1]);
            for (int j = 0; j < cols; j++) row[j] = accumulate ? row[j] + tile[j] : tile[j];
        }
    }
}

__attribute__((target("avx2,fma")))
void ck_sgemm_packed(int m, int n, int k, const float *packed_a, const float *b, int ldb, float *c, int ldc,
                     int accumulate, int tile0, int tile1, int panel0, int panel1, float *bpanel) {
    const int block = ck_sgemm_block_tiles(k);
    for (int tb = tile0; tb < tile1; tb += block) {
        const int count = tile1 - tb < block ? tile1 - tb : block;
        // The block's tiles of B, each contiguous and zero-padded to 16 columns (32-byte aligned by the caller).
        for (int t = 0; t < count; t++) {
            const int j0 = (tb + t) * CK_SGEMM_NR;
            const int cols = n - j0 < CK_SGEMM_NR ? n - j0 : CK_SGEMM_NR;
            float *panel = bpanel + (size_t)t * k * CK_SGEMM_NR;
            for (int kk = 0; kk < k; kk++) {
                const float *src = b + (size_t)kk * ldb + j0;
                float *dst = panel + (size_t)kk * CK_SGEMM_NR;
                if (cols == CK_SGEMM_NR) {
                    _mm256_store_ps(dst, _mm256_loadu_ps(src));
                    _mm256_store_ps(dst + 8, _mm256_loadu_ps(src + 8));
                } else {
                    for (int j = 0; j < CK_SGEMM_NR; j++) dst[j] = j < cols ? src[j] : 0.0f;
                }
            }
        }
        // Panel by panel over the block, so C is written along its rows.
        for (int p = panel0; p < panel1; p++) {
            const int rows = m - p * CK_SGEMM_MR < CK_SGEMM_MR ? m - p * CK_SGEMM_MR : CK_SGEMM_MR;
            for (int t = 0; t < count; t++) {
                const int j0 = (tb + t) * CK_SGEMM_NR;
                const int cols = n - j0 < CK_SGEMM_NR ? n - j0 : CK_SGEMM_NR;
                tile_6x16(k, packed_a + (size_t)p * k * CK_SGEMM_MR, bpanel + (size_t)t * k * CK_SGEMM_NR,
                          c + (size_t)p * CK_SGEMM_MR * ldc + j0, ldc, rows, cols, accumulate);
            }
        }
    }
}
#else
void ck_sgemm_packed(int m, int n, int k, const float *packed_a, const float *b, int ldb, float *c, int ldc,
                     int accumulate, int tile0, int tile1, int panel0, int panel1, float *bpanel) {
    (void)m; (void)n; (void)k; (void)packed_a; (void)b; (void)ldb; (void)c; (void)ldc;
    (void)accumulate; (void)tile0; (void)tile1; (void)panel0; (void)panel1; (void)bpanel;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use OpenBLAS.
}
#endif
