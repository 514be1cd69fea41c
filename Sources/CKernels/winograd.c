#include "CKernels.h"

#include <string.h>

#include "kernels.h"

static int tiles_of(int n) { return (n + 1) / 2; }

size_t ck_winograd2_input_scratch(int width) {
    // Four rows, each split into even and odd columns with a zero before and room for 8-wide loads.
    return 8 * (size_t)(tiles_of(width) + 16);
}

#ifdef CK_X86
__attribute__((target("avx2,fma")))
void ck_winograd2_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, float *scratch) {
    const int tilesX = tiles_of(width);
    const int pitch = tilesX + 16;
    // Row r of a tile row: evens[r][j] = row[2j], odds[r][j] = row[2j − 1] (0 before the row and past it),
    // so tile t's columns 2t − 1 … 2t + 2 are odds[t], evens[t], odds[t + 1], evens[t + 1].
    float *evens = scratch, *odds = scratch + 4 * (size_t)pitch;
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int ty = ty0; ty < ty1; ty++) {
        memset(scratch, 0, ck_winograd2_input_scratch(width) * sizeof(float));
        for (int r = 0; r < 4; r++) {
            const int y = 2 * ty - 1 + r;
            if (y < 0 || y >= height) continue;
            const float *row = src + (size_t)y * width;
            float *e = evens + (size_t)r * pitch, *o = odds + (size_t)r * pitch + 1;
            ck_split_row(e, o, row, width);
        }
        float *base = v + (size_t)(ty - ty0) * tilesX;
        for (int tx = 0; tx < tilesX; tx += 8) {
            const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(tilesX - tx), lanes);
            __m256 t[4][4];
            __m256 d[4][4];
            for (int r = 0; r < 4; r++) {
                const float *e = evens + (size_t)r * pitch + tx, *o = odds + (size_t)r * pitch + tx;
                d[r][0] = _mm256_loadu_ps(o);
                d[r][1] = _mm256_loadu_ps(e);
                d[r][2] = _mm256_loadu_ps(o + 1);
                d[r][3] = _mm256_loadu_ps(e + 1);
            }
            // t = Bᵀ d (row combinations), then V = t B (column combinations): the operations, in their
            // order, of ReIDNet's portable transform.
            for (int c = 0; c < 4; c++) {
                t[0][c] = _mm256_sub_ps(d[0][c], d[2][c]);
                t[1][c] = _mm256_add_ps(d[1][c], d[2][c]);
                t[2][c] = _mm256_sub_ps(d[2][c], d[1][c]);
                t[3][c] = _mm256_sub_ps(d[1][c], d[3][c]);
            }
            for (int r = 0; r < 4; r++) {
                __m256 out[4] = {
                    _mm256_sub_ps(t[r][0], t[r][2]), _mm256_add_ps(t[r][1], t[r][2]),
                    _mm256_sub_ps(t[r][2], t[r][1]), _mm256_sub_ps(t[r][1], t[r][3]),
                };
                for (int c = 0; c < 4; c++) {
                    float *dst = base + (size_t)(r * 4 + c) * point + tx;
                    if (tx + 8 <= tilesX) _mm256_storeu_ps(dst, out[c]); else _mm256_maskstore_ps(dst, mask, out[c]);
                }
            }
        }
    }
}

__attribute__((target("avx2,fma")))
void ck_winograd2_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst, int accumulate) {
    const int tilesX = tiles_of(width);
    for (int ty = ty0; ty < ty1; ty++) {
        const float *q = m + (size_t)(ty - ty0) * tilesX;
        for (int tx = 0; tx < tilesX; tx += 8) {
            const int count = tilesX - tx < 8 ? tilesX - tx : 8;
            __m256 p[16];
            if (count == 8) {
                for (int i = 0; i < 16; i++) p[i] = _mm256_loadu_ps(q + (size_t)i * point + tx);
            } else {
                const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                for (int i = 0; i < 16; i++) p[i] = _mm256_maskload_ps(q + (size_t)i * point + tx, mask);
            }
            // s = Aᵀ M (two rows of four), then Y = s A: the portable transform's operations, in order.
            __m256 s0[4], s1[4];
            for (int c = 0; c < 4; c++) {
                s0[c] = _mm256_add_ps(_mm256_add_ps(p[c], p[4 + c]), p[8 + c]);
                s1[c] = _mm256_sub_ps(_mm256_sub_ps(p[4 + c], p[8 + c]), p[12 + c]);
            }
            const __m256 y00 = _mm256_add_ps(_mm256_add_ps(s0[0], s0[1]), s0[2]);
            const __m256 y01 = _mm256_sub_ps(_mm256_sub_ps(s0[1], s0[2]), s0[3]);
            const __m256 y10 = _mm256_add_ps(_mm256_add_ps(s1[0], s1[1]), s1[2]);
            const __m256 y11 = _mm256_sub_ps(_mm256_sub_ps(s1[1], s1[2]), s1[3]);
            // Interleave each row's two outputs per tile: columns 2tx … 2tx + 15.
            const __m256 rows[2][2] = {{y00, y01}, {y10, y11}};
            for (int r = 0; r < 2; r++) {
                const int y = 2 * ty + r;
                if (y >= height) break;
                const __m256 lo = _mm256_unpacklo_ps(rows[r][0], rows[r][1]), hi = _mm256_unpackhi_ps(rows[r][0], rows[r][1]);
                const __m256 first = _mm256_permute2f128_ps(lo, hi, 0x20), second = _mm256_permute2f128_ps(lo, hi, 0x31);
                float *out = dst + (size_t)y * width + 2 * tx;
                if (2 * tx + 16 <= width) {
                    if (accumulate) {
                        _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), first));
                        _mm256_storeu_ps(out + 8, _mm256_add_ps(_mm256_loadu_ps(out + 8), second));
                    } else {
                        _mm256_storeu_ps(out, first);
                        _mm256_storeu_ps(out + 8, second);
                    }
                } else {
                    float values[16];
                    _mm256_storeu_ps(values, first);
                    _mm256_storeu_ps(values + 8, second);
                    const int n = width - 2 * tx;
                    for (int i = 0; i < n && i < 16; i++) out[i] = accumulate ? out[i] + values[i] : values[i];
                }
            }
        }
    }
}
#else
void ck_winograd2_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, float *scratch) {
    (void)src; (void)height; (void)width; (void)ty0; (void)ty1; (void)v; (void)point; (void)scratch;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use their portable path.
}

void ck_winograd2_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst, int accumulate) {
    (void)m; (void)point; (void)height; (void)width; (void)ty0; (void)ty1; (void)dst; (void)accumulate;
    __builtin_trap();
}
#endif
