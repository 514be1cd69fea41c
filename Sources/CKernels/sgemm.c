#include "CKernels.h"

#include <stdint.h>
#include <string.h>

#include "kernels.h"

// Rows of B ahead of the copy that `ck_sgemm_packed` prefetches (and of the 12x32 blocks that copy B as
// they load it: 2 and 6-24 rows did no better); bytes of A ahead of the 12x16 block.
enum { CK_SGEMM_COPY_AHEAD = 4, CK_SGEMM_A_AHEAD = 4096 };

// Rows of B ahead of a 6x16 tile that copies its strip of B as it loads it (tile_6x16_copy). (4, 16 and
// 48: within the noise of 8 or worse, MobileNetV2 in alternating in-process runs.)
//
// And the strips after its own along the row it is on (the next tiles', mostly on the same page) that it
// fetches into L2, a tile or more before they are loaded. With rows ahead alone the first panel waited on
// memory, 80% of its samples on B's loads (ResNet-50 256x128 batch 8, perf), each row a page from the
// last. A micro-benchmark (B cycled through 96 MiB, alternating runs): one panel alone over 16384
// columns, 512 deep (the copy and little else), 1.7x as fast; 11 panels 256 deep (layer1's 64←256) 1.3x;
// 43 panels 64 deep 1.08x; 171 panels over 1024 columns 1.02x. In the network (alternating in-process
// runs, 30 turns, a noisy host): ResNet-50 4-5% less time at 256x128 batch 8, 3% at 384x128; MobileNetV2
// 2% less at batch 16, 1.5% at batch 1. One strip ahead: 1.3x (the panel alone); two or three 1.7x; four
// or seven less; the third alone (all three in the first tile) 1.4x; T0 or NTA no different from T1.
enum { CK_SGEMM_STRIP_AHEAD = 8, CK_SGEMM_STRIPS_NEXT = 3 };

int ck_sgemm_block_tiles(int k) {
    // About 256 KiB of B per block (of at most CK_SGEMM_KC rows): it stays in L2 while every panel of A
    // passes over it. (512 KiB, 768 KiB and 1 MiB: ResNet-50 batch 8 within ±1.5% of this in alternating
    // in-process runs, 512 KiB 0.995 in the longest.)
    int depth = k < CK_SGEMM_KC ? k : CK_SGEMM_KC;
    int tiles = 4096 / (depth > 0 ? depth : 1);
    return tiles < 1 ? 1 : tiles;
}

size_t ck_sgemm_panel_count(int k) {
    int depth = k < CK_SGEMM_KC ? k : CK_SGEMM_KC;
    // The block's tiles, then one row of the block (an implicit B's gathered row).
    return (size_t)CK_SGEMM_NR * ((size_t)depth + 1) * (size_t)ck_sgemm_block_tiles(k);
}

size_t ck_sgemm_packed_a_count(int m, int k) {
    return (size_t)((m + CK_SGEMM_MR - 1) / CK_SGEMM_MR) * CK_SGEMM_MR * (size_t)k;
}

int ck_claim(long long *share, int grain, int from_back, int *first, int *back_then) {
    long long old = __atomic_load_n(share, __ATOMIC_ACQUIRE);
    for (;;) {
        const int front = (int)(old >> 32), back = (int)(old & 0xffffffff);
        if (front >= back) return 0;
        // From the front, half of what is left in whole grains; from the back, one grain.
        const int half = (back - front) / 2 / grain * grain;
        const int want = !from_back && half > grain ? half : grain;
        const int count = back - front < want ? back - front : want;
        const long long next = from_back ? ((long long)front << 32) | (long long)(unsigned)(back - count)
                                         : ((long long)(front + count) << 32) | (long long)(unsigned)back;
        if (__atomic_compare_exchange_n(share, &old, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            *first = from_back ? back - count : front;
            *back_then = back;
            return count;
        }
    }
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
// Rows r ..< r + taps of the im2col matrix at stride 2, columns j0 ..< j0 + count: row r + t's column j0 + j
// to `dst` + t · 16 + (j / 16) · `tile_stride` + j % 16. `taps` 1, or 3 for a 3-wide kernel's three taps of
// one input row (r a multiple of 3). Contiguous with `taps` 1 and a stride of 16; or straight into
// ck_sgemm_packed's 16-column tiles, where out_w and j0 are multiples of 8 so that no eight-column piece
// straddles two tiles. Eight outputs at a time from sixteen inputs: their even lanes; with three taps also
// the odd lanes (tap 1) and the even lanes of the sixteen two further on (tap 2), the three rows for about
// the loads and the bookkeeping of one. A window that reaches into the padding loads only its lanes inside
// the row. (A call per segment through memset and the scalar border made the stride-2 3x3s of 8-pixel-wide
// maps spend as long gathering as multiplying.)
__attribute__((target("avx2,fma")))
static void im2col_stride2(const ck_im2col *s, int r, int taps, int j0, int count, float *dst, size_t tile_stride) {
    const int kx = taps == 3 ? 0 : r % s->kernel_w, ky = (r / s->kernel_w) % s->kernel_h, ci = r / (s->kernel_w * s->kernel_h);
    const int plane = s->out_h * s->out_w, reach = taps == 3 ? 18 : 16;
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), before = _mm256_set1_epi32(-1);
    const __m256i end = _mm256_set1_epi32(s->width), eight = _mm256_set1_epi32(8), two = _mm256_set1_epi32(2);
    int image = j0 / plane, oy = (j0 % plane) / s->out_w, ox0 = (j0 % plane) % s->out_w;
    const size_t image_size = (size_t)s->height * s->width;
    const float *channel = s->input + (size_t)(ci * s->planes + s->image0) * image_size;
    for (int col = 0; col < count;) {
        const int segment = s->out_w - ox0 < count - col ? s->out_w - ox0 : count - col;
        const int iy = oy * s->stride_y - s->pad_y + ky;
        const float *row = iy < 0 || iy >= s->height ? 0 : channel + (size_t)image * image_size + (size_t)iy * s->width;
        for (int i = 0; i < segment; i += 8) {
            const int j = col + i, x = 2 * (ox0 + i) - s->pad_x + kx;
            __m256 a = _mm256_setzero_ps(), b = a, a2 = a, b2 = a;
            if (row && x >= 0 && x + reach <= s->width) {
                a = _mm256_loadu_ps(row + x);
                b = _mm256_loadu_ps(row + x + 8);
                if (taps == 3) {
                    a2 = _mm256_loadu_ps(row + x + 2);
                    b2 = _mm256_loadu_ps(row + x + 10);
                }
            } else if (row) {
                const __m256i p0 = _mm256_add_epi32(_mm256_set1_epi32(x), iota), p1 = _mm256_add_epi32(p0, eight);
#define CK_INSIDE(p) _mm256_and_si256(_mm256_cmpgt_epi32((p), before), _mm256_cmpgt_epi32(end, (p)))
                a = _mm256_maskload_ps(row + x, CK_INSIDE(p0));
                b = _mm256_maskload_ps(row + x + 8, CK_INSIDE(p1));
                if (taps == 3) {
                    const __m256i q0 = _mm256_add_epi32(p0, two), q1 = _mm256_add_epi32(p1, two);
                    a2 = _mm256_maskload_ps(row + x + 2, CK_INSIDE(q0));
                    b2 = _mm256_maskload_ps(row + x + 10, CK_INSIDE(q1));
                }
#undef CK_INSIDE
            }
            float *out = dst + (size_t)(j >> 4) * tile_stride + (j & 15);
            ck_store_first(out, ck_even_lanes(a, b), segment - i);
            if (taps == 3) {
                ck_store_first(out + CK_SGEMM_NR, ck_odd_lanes(a, b), segment - i);
                ck_store_first(out + 2 * CK_SGEMM_NR, ck_even_lanes(a2, b2), segment - i);
            }
        }
        col += segment;
        ox0 = 0;
        if (++oy == s->out_h) {
            oy = 0;
            image++;
        }
    }
}
#endif

void ck_im2col_row(const ck_im2col *s, int r, int j0, int count, float *dst) {
    // Stride-2 rows eight at a time where the CPU has AVX2 (a copy: the values are the same either way).
#ifdef CK_X86
    if (s->stride_x == 2 && ck_has_avx2_fma()) {
        im2col_stride2(s, r, 1, j0, count, dst, CK_SGEMM_NR);
        return;
    }
#endif
    const int kx = r % s->kernel_w, ky = (r / s->kernel_w) % s->kernel_h, ci = r / (s->kernel_w * s->kernel_h);
    const int plane = s->out_h * s->out_w;
    // Output columns whose input column ox·stride_x − pad_x + kx lies inside the row.
    const int low = s->pad_x - kx, high = s->width - 1 + s->pad_x - kx;
    const int valid0 = low <= 0 ? 0 : (low + s->stride_x - 1) / s->stride_x;
    const int valid1 = high < 0 ? 0 : (high / s->stride_x + 1 < s->out_w ? high / s->stride_x + 1 : s->out_w);
    // One output row at a time: (image, oy), columns ox0 ..< ox0 + segment; the first may start mid-row.
    int image = j0 / plane, oy = (j0 % plane) / s->out_w, ox0 = (j0 % plane) % s->out_w;
    const size_t image_size = (size_t)s->height * s->width;
    const float *channel = s->input + (size_t)(ci * s->planes + s->image0) * image_size;
    while (count > 0) {
        const int segment = s->out_w - ox0 < count ? s->out_w - ox0 : count;
        const int iy = oy * s->stride_y - s->pad_y + ky;
        if (iy < 0 || iy >= s->height) {
            memset(dst, 0, (size_t)segment * sizeof(float));
        } else {
            const float *row = channel + (size_t)image * image_size + (size_t)iy * s->width;
            const int x0 = valid0 > ox0 ? valid0 : ox0, x1 = valid1 < ox0 + segment ? valid1 : ox0 + segment;
            if (x1 <= x0) {
                memset(dst, 0, (size_t)segment * sizeof(float));
            } else {
                if (x0 > ox0) memset(dst, 0, (size_t)(x0 - ox0) * sizeof(float));
                float *out = dst + (x0 - ox0);
                const float *in = row + x0 * s->stride_x - s->pad_x + kx;
                if (s->stride_x == 1) {
                    memcpy(out, in, (size_t)(x1 - x0) * sizeof(float));
                } else {
                    for (int i = 0; i < x1 - x0; i++) out[i] = in[i * s->stride_x];
                }
                if (x1 < ox0 + segment) memset(dst + (x1 - ox0), 0, (size_t)(ox0 + segment - x1) * sizeof(float));
            }
        }
        dst += segment;
        count -= segment;
        ox0 = 0;
        if (++oy == s->out_h) {
            oy = 0;
            image++;
        }
    }
}

// Where tap kx of a stride-2 row reads: phase (kx − pad_x) & 1 of the input row, at index ox + shift.
static inline void stem_tap(int kx, int pad_x, int *phase, int *shift) {
    const int d = kx - pad_x;
    *phase = d & 1;
    *shift = (d - *phase) >> 1;  // floor((d − phase) / 2), d may be negative
}

// A split input row's layout: `margin` zeros, the row's phase, zeros up to `row` floats, enough for every
// tap of every tile, the last one's columns past the output included, and for the phase itself.
static void stem_row(int kernel_w, int pad_x, int out_w, int width, int *margin, int *row) {
    int lo = 0, hi = 0;
    for (int kx = 0; kx < kernel_w; kx++) {
        int phase, shift;
        stem_tap(kx, pad_x, &phase, &shift);
        if (shift < lo) lo = shift;
        if (shift > hi) hi = shift;
    }
    const int tiles = (out_w + CK_SGEMM_NR - 1) / CK_SGEMM_NR;
    const int reach = tiles * CK_SGEMM_NR + hi, evens = (width + 1) / 2;
    *margin = -lo;
    *row = (-lo + (reach > evens ? reach : evens) + 7) & ~7;
}

size_t ck_conv_stride2_scratch(int channels, int kernel_h, int kernel_w, int stride_y, int pad_x, int width, int out_w,
                               int rows) {
    int margin, row;
    stem_row(kernel_w, pad_x, out_w, width, &margin, &row);
    const size_t in_rows = (size_t)(rows - 1) * (size_t)stride_y + (size_t)kernel_h;
    return ((size_t)channels * in_rows * 2 + 1) * (size_t)row;
}

#ifdef CK_X86
// For a tile copying its strip of a row-major B (rows `bstep` floats apart) at row `b`: the strip's row
// CK_SGEMM_STRIP_AHEAD on (its sixteen floats: one or two lines), and the next tiles' strips of this row
// into L2 (see CK_SGEMM_STRIPS_NEXT); the last prefetch reaches the line past them where the strips
// straddle one.
__attribute__((always_inline))
static inline void prefetch_strips(const float *b, size_t bstep) {
    const char *ahead = (const char *)(b + (size_t)CK_SGEMM_STRIP_AHEAD * bstep);
    _mm_prefetch(ahead, _MM_HINT_T0);
    _mm_prefetch(ahead + 60, _MM_HINT_T0);
    const char *next = (const char *)(b + CK_SGEMM_NR);
    const int bytes = CK_SGEMM_STRIPS_NEXT * CK_SGEMM_NR * (int)sizeof(float);
    for (int line = 0; line < bytes; line += 64) _mm_prefetch(next + line, _MM_HINT_T1);
    _mm_prefetch(next + bytes - 4, _MM_HINT_T1);
}

// One 6x16 tile of C over kk = 0..<kc: twelve accumulators, a broadcast of A and two loads of B per step.
// The accumulators start from C when `resume` (a chain begun by an earlier block of k, or a residual),
// else from zero, and are stored back to C.
//
// B is either packed (`b`: its rows 16 floats apart) or, with `taps`, row kk's sixteen values start at
// taps[kk] + offset (the stems' input rows, read where they are), or, with `copy` (a whole tile only), a
// strip of a row-major B (its rows `bstep` floats apart) whose values are stored into the tile at `copy`
// as they are loaded.
__attribute__((target("avx2,fma"), always_inline))
static inline void tile_6x16(int kc, const float *a, const float *b, const float *const *taps, int offset, float *c, int ldc,
                             int rows, int cols, int resume, const float *bias, int activation, size_t bstep, float *copy) {
    __m256 acc[12];
    const int full = rows == CK_SGEMM_MR && cols == CK_SGEMM_NR;
    if (!resume) {
        for (int i = 0; i < 12; i++) acc[i] = _mm256_setzero_ps();
    } else if (full) {
        for (int r = 0; r < CK_SGEMM_MR; r++) {
            acc[2 * r] = _mm256_loadu_ps(c + (size_t)r * ldc);
            acc[2 * r + 1] = _mm256_loadu_ps(c + (size_t)r * ldc + 8);
        }
    } else {
        float tile[CK_SGEMM_NR];
        for (int r = 0; r < CK_SGEMM_MR; r++) {
            for (int j = 0; j < CK_SGEMM_NR; j++) tile[j] = r < rows && j < cols ? c[(size_t)r * ldc + j] : 0.0f;
            acc[2 * r] = _mm256_loadu_ps(tile);
            acc[2 * r + 1] = _mm256_loadu_ps(tile + 8);
        }
    }
    __m256 c00 = acc[0], c01 = acc[1], c10 = acc[2], c11 = acc[3], c20 = acc[4], c21 = acc[5];
    __m256 c30 = acc[6], c31 = acc[7], c40 = acc[8], c41 = acc[9], c50 = acc[10], c51 = acc[11];
    if (cols <= 8) {
        // A product's last tile, at most 8 columns wide (at batch 1: late layers' maps, Winograd's few
        // tiles): only the first eight columns' chains, the same operations as in a full tile.
        for (int kk = 0; kk < kc; kk++) {
            const __m256 b0 = taps ? _mm256_loadu_ps(taps[kk] + offset) : _mm256_load_ps(b);
            c00 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 0), b0, c00);
            c10 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 1), b0, c10);
            c20 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 2), b0, c20);
            c30 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 3), b0, c30);
            c40 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 4), b0, c40);
            c50 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 5), b0, c50);
            a += CK_SGEMM_MR;
            b += CK_SGEMM_NR;
        }
    } else {
        for (int kk = 0; kk < kc; kk++) {
            const float *row = taps ? taps[kk] + offset : b;
            if (copy) prefetch_strips(b, bstep);
            const __m256 b0 = taps || copy ? _mm256_loadu_ps(row) : _mm256_load_ps(row);
            const __m256 b1 = taps || copy ? _mm256_loadu_ps(row + 8) : _mm256_load_ps(row + 8);
            if (copy) {
                _mm256_store_ps(copy, b0);
                _mm256_store_ps(copy + 8, b1);
                copy += CK_SGEMM_NR;
            }
            __m256 av;
            av = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
            av = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
            av = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
            av = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
            av = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
            av = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
            a += CK_SGEMM_MR;
            b += copy ? bstep : CK_SGEMM_NR;
        }
    }
    if (full) {
        // A whole tile: the epilogue and the stores straight from the registers. (Through the array, the
        // accumulators went out to the stack and back: a third of the time of the 16-deep products of
        // MobileNetV2's expansions.)
        if (bias) {
            __m256 bv;
#define CK_ROW(r, x0, x1)                                                                                     \
    bv = _mm256_set1_ps(bias[r]);                                                                               \
    x0 = ck_activate(_mm256_add_ps(x0, bv), activation);                                                        \
    x1 = ck_activate(_mm256_add_ps(x1, bv), activation);
            CK_ROW(0, c00, c01) CK_ROW(1, c10, c11) CK_ROW(2, c20, c21) CK_ROW(3, c30, c31) CK_ROW(4, c40, c41) CK_ROW(5, c50, c51)
#undef CK_ROW
        }
        _mm256_storeu_ps(c, c00); _mm256_storeu_ps(c + 8, c01);
        c += ldc; _mm256_storeu_ps(c, c10); _mm256_storeu_ps(c + 8, c11);
        c += ldc; _mm256_storeu_ps(c, c20); _mm256_storeu_ps(c + 8, c21);
        c += ldc; _mm256_storeu_ps(c, c30); _mm256_storeu_ps(c + 8, c31);
        c += ldc; _mm256_storeu_ps(c, c40); _mm256_storeu_ps(c + 8, c41);
        c += ldc; _mm256_storeu_ps(c, c50); _mm256_storeu_ps(c + 8, c51);
        return;
    }
    acc[0] = c00; acc[1] = c01; acc[2] = c10; acc[3] = c11; acc[4] = c20; acc[5] = c21;
    acc[6] = c30; acc[7] = c31; acc[8] = c40; acc[9] = c41; acc[10] = c50; acc[11] = c51;
    if (bias) {
        // The chain is done: add the row's bias, then the activation.
        for (int r = 0; r < rows; r++) {
            const __m256 bv = _mm256_set1_ps(bias[r]);
            acc[2 * r] = ck_activate(_mm256_add_ps(acc[2 * r], bv), activation);
            acc[2 * r + 1] = ck_activate(_mm256_add_ps(acc[2 * r + 1], bv), activation);
        }
    }
    if (full) {
        for (int r = 0; r < CK_SGEMM_MR; r++) {
            _mm256_storeu_ps(c + (size_t)r * ldc, acc[2 * r]);
            _mm256_storeu_ps(c + (size_t)r * ldc + 8, acc[2 * r + 1]);
        }
    } else {
        float tile[CK_SGEMM_NR];
        for (int r = 0; r < rows; r++) {
            _mm256_storeu_ps(tile, acc[2 * r]);
            _mm256_storeu_ps(tile + 8, acc[2 * r + 1]);
            for (int j = 0; j < cols; j++) c[(size_t)r * ldc + j] = tile[j];
        }
    }
}

// The first `rows` (a constant once inlined, 1 … 6) rows of a 16-column tile with AVX-512: one 16-float
// register per row, so a step of k is one load of B and `rows` multiply-adds that broadcast A from memory
// (against two loads, six broadcasts and twelve multiply-adds in tile_6x16). Each output's chain is the
// same fused multiply-adds in the same order, then the same bias and activation: the same bits as
// tile_6x16. A panel's last rows (a product whose rows are not a multiple of six: MobileNetV2's 16-, 32-,
// 64-, 160- and 320-channel layers) compute only their chains. With `copy`, B is a strip of a row-major B
// (rows `bstep` floats apart) stored into the tile at `copy` as it is loaded, as in tile_6x16.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void tile_rows_avx512(int rows, int kc, const float *a, const float *b, const float *const *taps, int offset,
                                    float *c, int ldc, int resume, const float *bias, int activation, size_t bstep,
                                    float *copy) {
    __m512 acc[CK_SGEMM_MR];
    for (int r = 0; r < rows; r++) acc[r] = resume ? _mm512_loadu_ps(c + (size_t)r * ldc) : _mm512_setzero_ps();
    for (int kk = 0; kk < kc; kk++) {
        if (copy) prefetch_strips(b, bstep);
        const __m512 bv = _mm512_loadu_ps(taps ? taps[kk] + offset : b);
        if (copy) {
            _mm512_storeu_ps(copy, bv);
            copy += CK_SGEMM_NR;
        }
        for (int r = 0; r < rows; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), bv, acc[r]);
        a += CK_SGEMM_MR;
        b += bstep;
    }
    for (int r = 0; r < rows; r++) {
        if (bias) acc[r] = ck_activate16(_mm512_add_ps(acc[r], _mm512_set1_ps(bias[r])), activation);
        _mm512_storeu_ps(c + (size_t)r * ldc, acc[r]);
    }
}

// A whole 6x16 tile with AVX-512.
__attribute__((target("avx512f,avx2,fma"), noinline))
static void tile_6x16_avx512(int kc, const float *a, const float *b, const float *const *taps, int offset, float *c, int ldc,
                             int resume, const float *bias, int activation) {
    tile_rows_avx512(CK_SGEMM_MR, kc, a, b, taps, offset, c, ldc, resume, bias, activation, CK_SGEMM_NR, 0);
}

__attribute__((target("avx512f,avx2,fma"), noinline))
static void tile_part_avx512(int rows, int kc, const float *a, const float *b, const float *const *taps, int offset, float *c,
                             int ldc, int resume, const float *bias, int activation) {
    switch (rows) {
    case 1: tile_rows_avx512(1, kc, a, b, taps, offset, c, ldc, resume, bias, activation, CK_SGEMM_NR, 0); break;
    case 2: tile_rows_avx512(2, kc, a, b, taps, offset, c, ldc, resume, bias, activation, CK_SGEMM_NR, 0); break;
    case 3: tile_rows_avx512(3, kc, a, b, taps, offset, c, ldc, resume, bias, activation, CK_SGEMM_NR, 0); break;
    case 4: tile_rows_avx512(4, kc, a, b, taps, offset, c, ldc, resume, bias, activation, CK_SGEMM_NR, 0); break;
    default: tile_rows_avx512(5, kc, a, b, taps, offset, c, ldc, resume, bias, activation, CK_SGEMM_NR, 0); break;
    }
}

// Two adjacent 16-column tiles' first `rows` rows with AVX-512 (six: twelve chains, one broadcast of A
// and two loads of B a step): B's rows at `b` and `b + stride` (or with `taps`, taps[kk] + offset and 16
// floats on). Each output's chain is the same fused multiply-adds in the same order as in
// tile_rows_avx512: the same bits.
//
// For CPUs with two 512-bit FMA units (Intel's Xeons): a multiply-add's result is ready four cycles
// later, so two units need eight chains in flight, and one tile's six kept them 75% busy (a register-only
// loop: 121 GFLOP/s a core with six chains, 158 with eight, 162 with twelve, on a Xeon of family 6 model
// 207). AMD's Zen 4 runs a 512-bit multiply-add as two 256-bit halves: six chains already fill it.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void pair_rows_avx512(int rows, int kc, const float *a, const float *b, size_t stride, const float *const *taps,
                                    int offset, float *c, int ldc, int resume, const float *bias, int activation) {
    __m512 acc0[CK_SGEMM_MR], acc1[CK_SGEMM_MR];
    for (int r = 0; r < rows; r++) {
        acc0[r] = resume ? _mm512_loadu_ps(c + (size_t)r * ldc) : _mm512_setzero_ps();
        acc1[r] = resume ? _mm512_loadu_ps(c + (size_t)r * ldc + CK_SGEMM_NR) : _mm512_setzero_ps();
    }
    for (int kk = 0; kk < kc; kk++) {
        const __m512 b0 = _mm512_loadu_ps(taps ? taps[kk] + offset : b);
        const __m512 b1 = _mm512_loadu_ps(taps ? taps[kk] + offset + CK_SGEMM_NR : b + stride);
        for (int r = 0; r < rows; r++) {
            const __m512 av = _mm512_set1_ps(a[r]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
        a += CK_SGEMM_MR;
        b += CK_SGEMM_NR;
    }
    for (int r = 0; r < rows; r++) {
        if (bias) {
            const __m512 bv = _mm512_set1_ps(bias[r]);
            acc0[r] = ck_activate16(_mm512_add_ps(acc0[r], bv), activation);
            acc1[r] = ck_activate16(_mm512_add_ps(acc1[r], bv), activation);
        }
        _mm512_storeu_ps(c + (size_t)r * ldc, acc0[r]);
        _mm512_storeu_ps(c + (size_t)r * ldc + CK_SGEMM_NR, acc1[r]);
    }
}

__attribute__((target("avx512f,avx2,fma"), noinline))
static void pair_avx512(int rows, int kc, const float *a, const float *b, size_t stride, const float *const *taps, int offset,
                        float *c, int ldc, int resume, const float *bias, int activation) {
    switch (rows) {
    case 1: pair_rows_avx512(1, kc, a, b, stride, taps, offset, c, ldc, resume, bias, activation); break;
    case 2: pair_rows_avx512(2, kc, a, b, stride, taps, offset, c, ldc, resume, bias, activation); break;
    case 3: pair_rows_avx512(3, kc, a, b, stride, taps, offset, c, ldc, resume, bias, activation); break;
    case 4: pair_rows_avx512(4, kc, a, b, stride, taps, offset, c, ldc, resume, bias, activation); break;
    case 5: pair_rows_avx512(5, kc, a, b, stride, taps, offset, c, ldc, resume, bias, activation); break;
    default: pair_rows_avx512(CK_SGEMM_MR, kc, a, b, stride, taps, offset, c, ldc, resume, bias, activation); break;
    }
}

// The first `cols` (1 … 16) lanes of a 16-float register: a tile's columns, the rest read as zero and not
// stored (every lane where `cols` is 16, a constant once inlined).
static inline __mmask16 first_lanes(int cols) {
    return cols >= CK_SGEMM_NR ? (__mmask16)0xffff : (__mmask16)((1u << cols) - 1);
}

// The next block of a row-major B (rows `ldb` bytes apart), prefetched into L2 a line every `gap` steps of
// the 12x32 blocks over the current block's tiles, so that the next block's copy (the first two panels'
// blocks, which copy B as they load it) finds B in L2 rather than waiting on memory for it. Each part of
// a row is 0.5-1 KB of a map of megabytes, a page or more from the last, where the hardware prefetchers
// do not follow; the copy's own prefetch, four rows ahead, is too close to hide memory's latency. The
// prefetches are spread evenly over the block's steps, not issued in a burst that would fill the queues
// the products need. ResNet-50 at batch 8 took 2.8-3.6% less time (256x128 and 384x128; alternating
// in-process runs, 24 turns, outputs identical), its 64←256 1x1s alone 5.5-6% less; MobileNetV2 (most of
// its maps in L2) within noise. Finishing the prefetch by the block's middle, or only over its last
// panels, did no better. The same prefetch in the AVX2 tiles (with their own copy pass) measured 0.98 for
// ResNet-50 on the same Xeon. The same walk fetches the next panels of A (next_panels).
typedef struct {
    const char *row;  // the current row's first line
    size_t ldb;
    int lines;        // lines a row
    int col;          // the current row's next line
    int left;         // lines still to prefetch
    int gap;
    int wait;         // steps to the next prefetch
} ck_next_b;

__attribute__((always_inline))
static inline void next_b_step(ck_next_b *next) {
    if (next->left > 0 && --next->wait <= 0) {
        next->wait = next->gap;
        _mm_prefetch(next->row + (size_t)next->col * 64, _MM_HINT_T1);
        if (++next->col == next->lines) {
            next->col = 0;
            next->row += next->ldb;
        }
        next->left--;
    }
}

// The two whole panels after the pair at `a` (depth kc of k; `after` panels follow the pair, at most two
// taken) as lines to prefetch over the pair's steps on `count` tiles, a line every `gap` steps; none when
// no panel follows. A product on weights not in cache (ResNet-50's layer3 and layer4 Winograd products:
// 31 and 75 MB of transformed filters, which do not stay in cache from one batch to the next) read each
// pair's part of A from memory during the first of its blocks and waited on it; with the pair after it
// fetched while the blocks run over this one, ResNet-50 at 256x128 batch 8 took 1.8% less time
// (alternating in-process runs, 20-24 turns, outputs identical), its layer4 3x3 alone with the filters
// flushed from cache 4.7% less; MobileNetV2 and batch 1 within noise or better. Two pairs ahead, or
// two pairs' lines over one pair's steps, did no better. Not where a next block of B is fetched (the
// 1x1s): fetching A there instead of B did no better.
static ck_next_b next_panels(const float *a, int k, int kc, int after, int count) {
    ck_next_b next = {0};
    if (after <= 0) return next;
    const char *start = (const char *)(a + (size_t)2 * k * CK_SGEMM_MR);
    const char *end = start + (size_t)kc * CK_SGEMM_MR * sizeof(float);
    next.row = (const char *)((uintptr_t)start & ~(uintptr_t)63);
    next.ldb = (size_t)k * CK_SGEMM_MR * sizeof(float);
    next.lines = (int)((((uintptr_t)end - 1) >> 6) - ((uintptr_t)start >> 6)) + 1;
    next.left = (after < 2 ? after : 2) * next.lines;
    const long steps = (long)((count + 1) / 2) * kc;
    next.gap = steps / next.left > 1 ? (int)(steps / next.left) : 1;
    next.wait = next.gap;
    return next;
}

// Two panels of A (`a`, `a1`) 4 KiB ahead of step kk, into L2: a prefetch of each every other step (a step
// reads 24 bytes of each). Where two panels meet one tile (or a tile and a partial one), A is read once,
// as fast as the twelve chains go: the Winograd products of ResNet-50's layer3 and layer4 at batch 1
// stream 107 MB of transformed weights an image, and ran at half the memory's bandwidth (perf: 23% of the
// batch-1 time here). ResNet-50 took 3-5% less time at batch 1 (alternating in-process runs, 40 turns,
// outputs identical; 2048-16384 bytes ahead and into L1 did about as well). The same prefetch in the
// first 12x32 block of each pair of panels (the 1x1s at batch 1) did nothing measurable.
__attribute__((target("avx2,fma"), always_inline))
static inline void prefetch_panels(int kk, const float *a, const float *a1) {
    if (kk & 1) return;
    _mm_prefetch((const char *)a + CK_SGEMM_A_AHEAD, _MM_HINT_T1);
    _mm_prefetch((const char *)a1 + CK_SGEMM_A_AHEAD, _MM_HINT_T1);
}

// Two whole panels of A (rows at `a` and `a1`) over two adjacent 16-column tiles (the second's first
// `cols1` columns) with AVX-512: a 12x32 block, twenty-four chains, two loads of B and twelve broadcasts
// of A a step, so each value of B loaded from L2 serves twelve rows (six in pair_avx512): ResNet-50 took
// 7.5% less time at 384x128 batch 8 and 14% less at 256x128 batch 8 than with pairs alone (alternating
// in-process runs, 20 turns, on the Xeon that pairs are measured on; its 1x1 products ran at 210 GFLOP/s
// with pairs, ORT's at 275). With `prefetch`, A's panels are prefetched (prefetch_panels). Each output's
// chain is the same fused multiply-adds in the same order: the same bits.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void quad_avx512(int kc, const float *a, const float *a1, const float *b, size_t stride, const float *const *taps,
                               int offset, float *c, int ldc, int cols1, int resume, const float *bias, const float *bias1,
                               int activation, int prefetch, size_t bstep, float *copy, size_t copy_stride,
                               ck_next_b *next) {
    // Named accumulators, not an array: with an array, a body that reads the stems' taps kept them on the
    // stack as well, a store of each every step (half the speed).
    float *c1 = c + (size_t)CK_SGEMM_MR * ldc;
    const __mmask16 lanes = first_lanes(cols1);  // the second tile's
#define CK_Q_DECLARE(r)                                                                                         \
    __m512 x##r##0 = resume ? _mm512_loadu_ps(c + (size_t)r * ldc) : _mm512_setzero_ps();                       \
    __m512 x##r##1 = resume ? _mm512_maskz_loadu_ps(lanes, c + (size_t)r * ldc + CK_SGEMM_NR) : _mm512_setzero_ps(); \
    __m512 y##r##0 = resume ? _mm512_loadu_ps(c1 + (size_t)r * ldc) : _mm512_setzero_ps();                      \
    __m512 y##r##1 = resume ? _mm512_maskz_loadu_ps(lanes, c1 + (size_t)r * ldc + CK_SGEMM_NR) : _mm512_setzero_ps();
    CK_Q_DECLARE(0) CK_Q_DECLARE(1) CK_Q_DECLARE(2) CK_Q_DECLARE(3) CK_Q_DECLARE(4) CK_Q_DECLARE(5)
#undef CK_Q_DECLARE
    ck_next_b upcoming = next ? *next : (ck_next_b){0};
    for (int kk = 0; kk < kc; kk++) {
        if (prefetch) prefetch_panels(kk, a, a1);
        if (next) next_b_step(&upcoming);
        if (copy) {
            const char *ahead = (const char *)(b + (size_t)CK_SGEMM_COPY_AHEAD * bstep);
            _mm_prefetch(ahead, _MM_HINT_T0);
            _mm_prefetch(ahead + 64, _MM_HINT_T0);
            _mm_prefetch(ahead + 124, _MM_HINT_T0);
        }
        const __m512 b0 = _mm512_loadu_ps(taps ? taps[kk] + offset : b);
        const __m512 b1 = _mm512_maskz_loadu_ps(lanes, taps ? taps[kk] + offset + CK_SGEMM_NR : b + stride);
        if (copy) {
            _mm512_storeu_ps(copy, b0);
            _mm512_storeu_ps(copy + copy_stride, b1);
            copy += CK_SGEMM_NR;
        }
        __m512 av;
#define CK_Q_STEP(r)                                                                                            \
    av = _mm512_set1_ps(a[r]); x##r##0 = _mm512_fmadd_ps(av, b0, x##r##0); x##r##1 = _mm512_fmadd_ps(av, b1, x##r##1);
        CK_Q_STEP(0) CK_Q_STEP(1) CK_Q_STEP(2) CK_Q_STEP(3) CK_Q_STEP(4) CK_Q_STEP(5)
#undef CK_Q_STEP
#define CK_Q_STEP(r)                                                                                            \
    av = _mm512_set1_ps(a1[r]); y##r##0 = _mm512_fmadd_ps(av, b0, y##r##0); y##r##1 = _mm512_fmadd_ps(av, b1, y##r##1);
        CK_Q_STEP(0) CK_Q_STEP(1) CK_Q_STEP(2) CK_Q_STEP(3) CK_Q_STEP(4) CK_Q_STEP(5)
#undef CK_Q_STEP
        a += CK_SGEMM_MR;
        a1 += CK_SGEMM_MR;
        b += bstep;
    }
    if (next) *next = upcoming;
#define CK_Q_STORE(r)                                                                                           \
    if (bias) {                                                                                                 \
        const __m512 bv = _mm512_set1_ps(bias[r]), bv1 = _mm512_set1_ps(bias1[r]);                             \
        x##r##0 = ck_activate16(_mm512_add_ps(x##r##0, bv), activation);                                        \
        x##r##1 = ck_activate16(_mm512_add_ps(x##r##1, bv), activation);                                        \
        y##r##0 = ck_activate16(_mm512_add_ps(y##r##0, bv1), activation);                                       \
        y##r##1 = ck_activate16(_mm512_add_ps(y##r##1, bv1), activation);                                       \
    }                                                                                                           \
    _mm512_storeu_ps(c + (size_t)r * ldc, x##r##0);                                                             \
    _mm512_mask_storeu_ps(c + (size_t)r * ldc + CK_SGEMM_NR, lanes, x##r##1);                                   \
    _mm512_storeu_ps(c1 + (size_t)r * ldc, y##r##0);                                                            \
    _mm512_mask_storeu_ps(c1 + (size_t)r * ldc + CK_SGEMM_NR, lanes, y##r##1);
    CK_Q_STORE(0) CK_Q_STORE(1) CK_Q_STORE(2) CK_Q_STORE(3) CK_Q_STORE(4) CK_Q_STORE(5)
#undef CK_Q_STORE
}

// quad_avx512 on B's tiles, and on the stems' taps: one body each.
__attribute__((target("avx512f,avx2,fma"), noinline))
static void quad_tiles_avx512(int kc, const float *a, const float *a1, const float *b, size_t stride, float *c, int ldc,
                              int resume, const float *bias, const float *bias1, int activation) {
    quad_avx512(kc, a, a1, b, stride, 0, 0, c, ldc, CK_SGEMM_NR, resume, bias, bias1, activation, 0, CK_SGEMM_NR, 0, 0, 0);
}

__attribute__((target("avx512f,avx2,fma"), noinline))
static void quad_tiles_next_avx512(int kc, const float *a, const float *a1, const float *b, size_t stride, float *c, int ldc,
                                   int resume, const float *bias, const float *bias1, int activation, ck_next_b *next) {
    quad_avx512(kc, a, a1, b, stride, 0, 0, c, ldc, CK_SGEMM_NR, resume, bias, bias1, activation, 0, CK_SGEMM_NR, 0, 0, next);
}

// Two whole panels over a pair whose second tile is a product's last, partial one, with A's panels
// prefetched. ResNet-50's F(4x2) products at 384x128 batch 1 (24 columns a point)
// ran as a lone whole tile and then the partial one, 12x16 blocks each reading the panels: one 12x32 block
// does the same operations on each output with A read once, and ResNet-50 took 7% less time at
// 384x128 batch 1 (alternating in-process runs, 40 turns, outputs identical; 2.5% without the prefetch).
__attribute__((target("avx512f,avx2,fma"), noinline))
static void quad_part_avx512(int kc, const float *a, const float *a1, const float *b, size_t stride, float *c, int ldc,
                             int cols1, int resume, const float *bias, const float *bias1, int activation) {
    quad_avx512(kc, a, a1, b, stride, 0, 0, c, ldc, cols1, resume, bias, bias1, activation, 1, CK_SGEMM_NR, 0, 0, 0);
}

__attribute__((target("avx512f,avx2,fma"), noinline))
static void quad_taps_avx512(int kc, const float *a, const float *a1, const float *const *taps, int offset, float *c, int ldc,
                             int resume, const float *bias, const float *bias1, int activation) {
    quad_avx512(kc, a, a1, 0, 0, taps, offset, c, ldc, CK_SGEMM_NR, resume, bias, bias1, activation, 0, CK_SGEMM_NR, 0, 0, 0);
}

// Two whole panels of A over two adjacent 16-column tiles of a row-major B (rows `ldb` apart; the second
// tile's first `cols1` columns), each value of B copied into the tiles at `copy` (the second `copy_stride`
// floats on; lanes past cols1 zero) as it is loaded.
__attribute__((target("avx512f,avx2,fma"), noinline))
static void quad_copy_avx512(int kc, const float *a, const float *a1, const float *b, size_t ldb, float *c, int ldc,
                             int cols1, int resume, const float *bias, const float *bias1, int activation, float *copy,
                             size_t copy_stride) {
    quad_avx512(kc, a, a1, b, CK_SGEMM_NR, 0, 0, c, ldc, cols1, resume, bias, bias1, activation, 0, ldb, copy, copy_stride, 0);
}

// Two whole panels of A (rows at `a` and `a1`) over one 16-column tile (its first `cols` columns) with
// AVX-512: a 12x16 block, twelve chains, one load of B and twelve broadcasts of A a step. For a tile with
// no neighbour to pair with: the Winograd products of ResNet-50's layer3 and layer4 at batch 1 have one
// tile a point (sixteen columns), which single tiles ran with six chains. Each output's chain is the same
// fused multiply-adds in the same order as in tile_rows_avx512 (and tile_6x16): the same bits.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void dual_avx512(int kc, const float *a, const float *a1, const float *b, const float *const *taps, int offset,
                               float *c, int ldc, int cols, int resume, const float *bias, const float *bias1,
                               int activation, int prefetch) {
    const __mmask16 lanes = first_lanes(cols);
    float *c1 = c + (size_t)CK_SGEMM_MR * ldc;
#define CK_D_DECLARE(r)                                                                                         \
    __m512 x##r = resume ? _mm512_maskz_loadu_ps(lanes, c + (size_t)r * ldc) : _mm512_setzero_ps();             \
    __m512 y##r = resume ? _mm512_maskz_loadu_ps(lanes, c1 + (size_t)r * ldc) : _mm512_setzero_ps();
    CK_D_DECLARE(0) CK_D_DECLARE(1) CK_D_DECLARE(2) CK_D_DECLARE(3) CK_D_DECLARE(4) CK_D_DECLARE(5)
#undef CK_D_DECLARE
    for (int kk = 0; kk < kc; kk++) {
        if (prefetch) prefetch_panels(kk, a, a1);
        const __m512 bv = _mm512_maskz_loadu_ps(lanes, taps ? taps[kk] + offset : b);
#define CK_D_STEP(r)                                                                                            \
    x##r = _mm512_fmadd_ps(_mm512_set1_ps(a[r]), bv, x##r); y##r = _mm512_fmadd_ps(_mm512_set1_ps(a1[r]), bv, y##r);
        CK_D_STEP(0) CK_D_STEP(1) CK_D_STEP(2) CK_D_STEP(3) CK_D_STEP(4) CK_D_STEP(5)
#undef CK_D_STEP
        a += CK_SGEMM_MR;
        a1 += CK_SGEMM_MR;
        b += CK_SGEMM_NR;
    }
#define CK_D_STORE(r)                                                                                           \
    if (bias) {                                                                                                 \
        x##r = ck_activate16(_mm512_add_ps(x##r, _mm512_set1_ps(bias[r])), activation);                         \
        y##r = ck_activate16(_mm512_add_ps(y##r, _mm512_set1_ps(bias1[r])), activation);                        \
    }                                                                                                           \
    _mm512_mask_storeu_ps(c + (size_t)r * ldc, lanes, x##r);                                                    \
    _mm512_mask_storeu_ps(c1 + (size_t)r * ldc, lanes, y##r);
    CK_D_STORE(0) CK_D_STORE(1) CK_D_STORE(2) CK_D_STORE(3) CK_D_STORE(4) CK_D_STORE(5)
#undef CK_D_STORE
}

// dual_avx512 on B's tiles, and on the stems' taps: one body each (as for quad_avx512).
__attribute__((target("avx512f,avx2,fma"), noinline))
static void dual_tiles_avx512(int kc, const float *a, const float *a1, const float *b, float *c, int ldc, int resume,
                              const float *bias, const float *bias1, int activation) {
    dual_avx512(kc, a, a1, b, 0, 0, c, ldc, CK_SGEMM_NR, resume, bias, bias1, activation, 1);
}

// A last tile of fewer than sixteen columns with no whole tile before it in its block (a whole one goes
// with it in quad_part_avx512), which AVX2 tiles ran with six chains. (Measured when it also took F(4x2)'s
// 24-column products at 384x128 batch 1: 2% less time there.)
__attribute__((target("avx512f,avx2,fma"), noinline))
static void dual_part_avx512(int kc, const float *a, const float *a1, const float *b, float *c, int ldc, int cols,
                             int resume, const float *bias, const float *bias1, int activation) {
    dual_avx512(kc, a, a1, b, 0, 0, c, ldc, cols, resume, bias, bias1, activation, 1);
}

__attribute__((target("avx512f,avx2,fma"), noinline))
static void dual_taps_avx512(int kc, const float *a, const float *a1, const float *const *taps, int offset, float *c, int ldc,
                             int resume, const float *bias, const float *bias1, int activation) {
    dual_avx512(kc, a, a1, 0, taps, offset, c, ldc, CK_SGEMM_NR, resume, bias, bias1, activation, 0);
}

// One 6x16 tile: those of sixteen columns on AVX-512 where `avx512` (1 or 2; whole ones, or a panel's
// last rows), the rest (and every tile without it) on AVX2. (Callers pair whole tiles themselves.)
__attribute__((target("avx2,fma"), always_inline))
static inline void tile(int avx512, int kc, const float *a, const float *b, const float *const *taps, int offset, float *c,
                        int ldc, int rows, int cols, int resume, const float *bias, int activation) {
    if (avx512 && cols == CK_SGEMM_NR) {
        if (rows == CK_SGEMM_MR) {
            tile_6x16_avx512(kc, a, b, taps, offset, c, ldc, resume, bias, activation);
        } else {
            tile_part_avx512(rows, kc, a, b, taps, offset, c, ldc, resume, bias, activation);
        }
    } else {
        tile_6x16(kc, a, b, taps, offset, c, ldc, rows, cols, resume, bias, activation, CK_SGEMM_NR, 0);
    }
}

// A whole 16-column tile of the row-major B (rows `ldb` apart) under one panel of A with AVX2, each value
// of B copied into the tile at `copy` (kc×16 floats) as it is loaded: tile_6x16's operations, so its bits.
__attribute__((target("avx2,fma"), noinline))
static void tile_6x16_copy(int kc, const float *a, const float *b, size_t ldb, float *copy, float *c, int ldc, int rows,
                           int resume, const float *bias, int activation) {
    tile_6x16(kc, a, b, 0, 0, c, ldc, rows, CK_SGEMM_NR, resume, bias, activation, ldb, copy);
}

// Whether panel p and the next (before `panel1`) are both whole, so that with `avx512` 2 they go over
// tile pairs (quad_avx512) and lone tiles (dual_avx512) together.
static inline int two_whole_panels(int avx512, int m, int p, int panel1) {
    return avx512 == 2 && p + 1 < panel1 && m - (p + 1) * CK_SGEMM_MR >= CK_SGEMM_MR;
}

// `panels` panels of A (1, or 2 whole ones at `a` and `a1`) over `step` adjacent tiles of B (1, or 2;
// B's rows at `b` and `b + stride`, or with `taps` at taps[kk] + offset and 16 floats on): two panels
// over two tiles a 12x32 block (the second tile a last partial one too, on B's tiles); two panels over
// one tile a 12x16 block (a last partial tile too, on B's tiles); else pairs of whole tiles or single
// tiles panel by panel. `rows`: the first panel's rows; `cols`: the last tile's columns (a pair's first
// tile is whole); `bias` the first panel's.
__attribute__((target("avx2,fma"), always_inline))
static inline void panels_over_tiles(int avx512, int panels, int step, int rows, int cols, int kc, const float *a,
                                     const float *a1, const float *b, size_t stride, const float *const *taps, int offset,
                                     float *c, int ldc, int resume, const float *bias, int activation, ck_next_b *next) {
    const float *bias1 = bias ? bias + CK_SGEMM_MR : 0;
    const int whole = cols == CK_SGEMM_NR;
    // Two panels together (a stem's partial last tile goes panel by panel, below).
    if (panels == 2 && taps && (step == 2 || whole)) {
        if (step == 2) quad_taps_avx512(kc, a, a1, taps, offset, c, ldc, resume, bias, bias1, activation);
        else dual_taps_avx512(kc, a, a1, taps, offset, c, ldc, resume, bias, bias1, activation);
        return;
    }
    if (panels == 2 && !taps) {
        if (step == 2 && whole && next) quad_tiles_next_avx512(kc, a, a1, b, stride, c, ldc, resume, bias, bias1, activation, next);
        else if (step == 2 && whole) quad_tiles_avx512(kc, a, a1, b, stride, c, ldc, resume, bias, bias1, activation);
        else if (step == 2) quad_part_avx512(kc, a, a1, b, stride, c, ldc, cols, resume, bias, bias1, activation);
        else if (whole) dual_tiles_avx512(kc, a, a1, b, c, ldc, resume, bias, bias1, activation);
        else dual_part_avx512(kc, a, a1, b, c, ldc, cols, resume, bias, bias1, activation);
        return;
    }
    for (int q = 0; q < panels; q++) {
        float *cq = c + (size_t)q * CK_SGEMM_MR * ldc;
        const float *aq = q ? a1 : a, *bq = bias ? bias + q * CK_SGEMM_MR : 0;
        if (step == 2) {
            pair_avx512(q ? CK_SGEMM_MR : rows, kc, aq, b, stride, taps, offset, cq, ldc, resume, bq, activation);
        } else {
            tile(avx512, kc, aq, b, taps, offset, cq, ldc, q ? CK_SGEMM_MR : rows, cols, resume, bq, activation);
        }
    }
}

// Where a product reads C (a residual, or a depth block after the first), each 6x16 tile (AVX2, or
// AVX-512 single tiles; not the pairs, which run on Intel's Xeons and were not measured with it) first
// fetches the C of the tile two on in the order the tiles go (past the block's last tile, the next
// panel's first ones) into L1. The tile's loads of C had waited on memory (6% of the packed product's
// samples, ResNet-50 256x128 batch 8, perf): its six rows are a row of C apart, on six pages, and the
// hardware prefetchers did not follow them. A micro-benchmark (alternating runs): residual products
// 1026←256 and 2046←512 over 1024 columns 3-8% faster, 510←128 over 4096 2-4%, but 258←64 over 16384
// 3% slower: with 64 deep, prefetching only took issue slots, so only from depth 128. In the network
// (alternating in-process runs, 40 turns, a noisy host): ResNet-50 2-5% less time at 256x128 batch 8,
// 2.8% at 384x128, 2.6% at batch 1; MobileNetV2 at batch 16 no different. (A panel ahead instead, the
// same tile: 2-4% faster on the large products, 2-4% slower at 64 deep.) On Zen 4 with AVX-512 tiles
// (alternating in-process runs, 30 turns, a noisy host): ResNet-50 1.2% less time at 256x128 batch 8
// (batch 1 no different), MobileNetV2 1% at batch 16 and 2.7% at batch 1; with the strips too, see
// ck_sgemm_packed.
enum { CK_SGEMM_C_AHEAD_DEPTH = 128 };

// Whether a block's 6x16 tiles fetch C ahead (see CK_SGEMM_C_AHEAD_DEPTH).
static inline int fetches_c_ahead(int resume, int kc, int avx512) {
    return resume && avx512 != 2 && kc >= CK_SGEMM_C_AHEAD_DEPTH;
}

// The C of tile t + 2 of panel p in a block of `count` tiles from tb (or of the next panel's first),
// into L1: see CK_SGEMM_C_AHEAD_DEPTH.
__attribute__((always_inline))
static inline void prefetch_c_ahead(int m, int n, int tb, int count, int p, int t, int panel1, const float *c, int ldc) {
    int pp = p, tt = t + 2;
    if (tt >= count) {
        pp++;
        tt -= count;
    }
    if (pp >= panel1 || tt >= count) return;
    const int rows = m - pp * CK_SGEMM_MR < CK_SGEMM_MR ? m - pp * CK_SGEMM_MR : CK_SGEMM_MR;
    const int j0 = (tb + tt) * CK_SGEMM_NR, cols = n - j0 < CK_SGEMM_NR ? n - j0 : CK_SGEMM_NR;
    const float *row = c + (size_t)pp * CK_SGEMM_MR * ldc + j0;
    for (int r = 0; r < rows; r++, row += ldc) {
        _mm_prefetch((const char *)row, _MM_HINT_T0);
        _mm_prefetch((const char *)(row + cols - 1), _MM_HINT_T0);
    }
}

// How many of the `count` tiles from tile tb are whole (all sixteen columns before n): the first ones.
static inline int whole_tiles(int n, int tb, int count) {
    const int whole = n / CK_SGEMM_NR - tb;
    return whole < count ? (whole > 0 ? whole : 0) : count;
}

// Panel p's first `whole` tiles of the block (all whole: sixteen columns; the panel six rows) with AVX-512
// single tiles, in one call: what multiply_tiles does tile by tile, the same tile_rows_avx512 on each (so the
// same bits), the same C prefetch, and the next panel's `lines` lines of A (from `next`, none when 0) spread
// over the block's `count` tiles as multiply_tiles spreads them (lines · t / count before tile t), counted
// on instead of divided. Tile by tile, each call's arguments and the two divisions took 5.5% of
// MobileNetV2's samples at batch 16 (perf, ck_sgemm_packed's own), on products as shallow as 16 deep.
__attribute__((target("avx512f,avx2,fma"), noinline))
static void panel_tiles_avx512(int m, int n, int tb, int count, int whole, int p, int panel1, int kc, const float *a,
                               const float *tiles, size_t tile_stride, float *c, int ldc, int resume, const float *bias,
                               int activation, int fetch_c, const char *next, int lines) {
    const int per_tile = lines / count, left = lines % count;
    int from = 0, carried = 0;
    float *row = c + (size_t)p * CK_SGEMM_MR * ldc + (size_t)tb * CK_SGEMM_NR;
    for (int t = 0; t < whole; t++) {
        int to = from + per_tile;
        carried += left;
        if (carried >= count) {
            carried -= count;
            to++;
        }
        if (fetch_c) prefetch_c_ahead(m, n, tb, count, p, t, panel1, c, ldc);
        if (next) {
            for (int l = from; l < to; l++) _mm_prefetch(next + (size_t)l * 64, _MM_HINT_T1);
        }
        from = to;
        tile_rows_avx512(CK_SGEMM_MR, kc, a, tiles + (size_t)t * tile_stride, 0, 0, row + (size_t)t * CK_SGEMM_NR, ldc, resume,
                         bias, activation, CK_SGEMM_NR, 0);
    }
}

// Every panel of A in panel0 ..< panel1 (its depth k0 ..< k0 + kc) over `count` tiles of B from tile tb:
// tile t's kc×16 values at `tiles` + t · `tile_stride`, 16 floats a row, 32-byte aligned. With `nextb`, the
// 12x32 blocks prefetch that next block of B (see ck_next_b) as they go.
__attribute__((target("avx2,fma"), always_inline))
static inline void multiply_tiles(int m, int n, int k, int k0, int kc, const float *packed_a, const float *tiles,
                                  size_t tile_stride, int tb, int count, float *c, int ldc, int resume, const float *bias,
                                  int activation, int panel0, int panel1, int avx512, ck_next_b *nextb) {
    // Panel by panel over the block (two at a time with tile pairs, where both panels are whole), so C is
    // written along its rows.
    const int lines = (kc * CK_SGEMM_MR * (int)sizeof(float) + 63) / 64;
    if (nextb) {
        // The next block's lines spread evenly over this block's steps (two panels over two tiles a step).
        const long steps = (long)((panel1 - panel0 + 1) / 2) * ((count + 1) / 2) * kc;
        nextb->gap = steps / nextb->left > 1 ? (int)(steps / nextb->left) : 1;
        nextb->wait = nextb->gap;
    }
    const int fetch_c = fetches_c_ahead(resume, kc, avx512);
    for (int p = panel0; p < panel1;) {
        const int rows = m - p * CK_SGEMM_MR < CK_SGEMM_MR ? m - p * CK_SGEMM_MR : CK_SGEMM_MR;
        const int panels = two_whole_panels(avx512, m, p, panel1) ? 2 : 1;
        const float *a = packed_a + (size_t)p * k * CK_SGEMM_MR + (size_t)k0 * CK_SGEMM_MR;
        const float *a1 = panels == 2 ? a + (size_t)k * CK_SGEMM_MR : 0;
        // The next panels' part of A (their cache lines), into L2 a share at a time before each tile.
        // A layer's weights come from memory once per product, and a product of few columns (the
        // late layers at batch 1) used to wait on them: ResNet-50 at batch 1 runs about 5% faster
        // with this (measured before tile pairs), and products on weights not in cache 5-13% faster (at
        // 192 columns).
        // Not with tile pairs (Intel's Xeons), whose L2 streamer already follows A's panels: there the
        // prefetches only took issue slots, and without them ResNet-50 took 8% less time at 256x128
        // batch 1, 3.5% at 384x128 batch 1, 4% at 384x128 batch 8, MobileNetV2 5% at batch 1
        // (alternating in-process runs, 20-24 turns, outputs identical; family 6 model 207).
        const int ahead = avx512 == 2 ? 0 : panel1 - (p + panels) < panels ? panel1 - (p + panels) : panels;
        const char *next = ahead ? (const char *)(a + (size_t)panels * k * CK_SGEMM_MR) : 0;
        // Without a next block of B to fetch (B already in tiles: the Winograd products), the 12x32 blocks
        // fetch the next two panels' part of A instead, spread over this pair's steps the same way.
        ck_next_b next_a = nextb || avx512 != 2 || panels != 2 ? (ck_next_b){0} : next_panels(a, k, kc, panel1 - (p + 2), count);
        ck_next_b *upcoming = next_a.left ? &next_a : nextb;
        int t = 0;
        if (avx512 == 1 && panels == 1 && rows == CK_SGEMM_MR) {
            // The whole tiles in one call (panel_tiles_avx512), a last partial one below.
            t = whole_tiles(n, tb, count);
            if (t) {
                panel_tiles_avx512(m, n, tb, count, t, p, panel1, kc, a, tiles, tile_stride, c, ldc, resume,
                                   bias ? bias + p * CK_SGEMM_MR : 0, activation, fetch_c, next, ahead ? lines : 0);
            }
        }
        for (; t < count;) {
            const int j0 = (tb + t) * CK_SGEMM_NR;
            // Two tiles together where both are whole, or under two panels where the second is the last.
            const int pairable = n - j0 >= 2 * CK_SGEMM_NR || (panels == 2 && n - j0 > CK_SGEMM_NR);
            const int step = avx512 == 2 && t + 1 < count && pairable ? 2 : 1;
            const int last = j0 + (step - 1) * CK_SGEMM_NR;
            const int cols = n - last < CK_SGEMM_NR ? n - last : CK_SGEMM_NR;
            if (fetch_c) prefetch_c_ahead(m, n, tb, count, p, t, panel1, c, ldc);
            for (int q = 0; q < ahead; q++) {
                const char *lines_q = next + (size_t)q * k * CK_SGEMM_MR * sizeof(float);
                for (int l = lines * t / count; l < lines * (t + step) / count; l++) _mm_prefetch(lines_q + (size_t)l * 64, _MM_HINT_T1);
            }
            panels_over_tiles(avx512, panels, step, rows, cols, kc, a, a1, tiles + (size_t)t * tile_stride, tile_stride, 0, 0,
                              c + (size_t)p * CK_SGEMM_MR * ldc + j0, ldc, resume, bias ? bias + p * CK_SGEMM_MR : 0, activation,
                              upcoming);
            t += step;
        }
        p += panels;
    }
}

// One row of a 16-column tile of B: the first `cols` floats at `src`, zeros after them (a tile past n).
__attribute__((target("avx2,fma"), always_inline))
static inline void copy_tile_row(float *dst, const float *src, int cols) {
    if (cols == CK_SGEMM_NR) {
        _mm256_store_ps(dst, _mm256_loadu_ps(src));
        _mm256_store_ps(dst + 8, _mm256_loadu_ps(src + 8));
    } else {
        for (int j = 0; j < CK_SGEMM_NR; j++) dst[j] = j < cols ? src[j] : 0.0f;
    }
}

// Whole panels panel0 and panel0 + 1 of A (depth k0 ..< k0 + kc) over the block of `count` tiles of the
// row-major B from tile tb, 12x32 blocks that copy each value of B they load into the block's tiles at
// `bpanel` (kc×16 floats a tile, zero past n), so the other panels find the tiles made. A lone tile left
// after the pairs is copied first, then multiplied.
__attribute__((target("avx2,fma")))
static void first_panels_copying(int n, int k, int k0, int kc, const float *packed_a, const float *b, int ldb, int tb,
                                 int count, float *bpanel, float *c, int ldc, int resume, const float *bias, int activation,
                                 int panel0) {
    const size_t tile_stride = (size_t)kc * CK_SGEMM_NR;
    const float *a = packed_a + (size_t)panel0 * k * CK_SGEMM_MR + (size_t)k0 * CK_SGEMM_MR;
    const float *a1 = a + (size_t)k * CK_SGEMM_MR;
    const float *bias0 = bias ? bias + panel0 * CK_SGEMM_MR : 0;
    float *c0 = c + (size_t)panel0 * CK_SGEMM_MR * ldc;
    int t = 0;
    for (; t + 1 < count; t += 2) {
        const int j0 = (tb + t) * CK_SGEMM_NR;
        const int cols1 = n - j0 - CK_SGEMM_NR < CK_SGEMM_NR ? n - j0 - CK_SGEMM_NR : CK_SGEMM_NR;
        quad_copy_avx512(kc, a, a1, b + (size_t)k0 * ldb + j0, (size_t)ldb, c0 + j0, ldc, cols1, resume, bias0,
                         bias0 ? bias0 + CK_SGEMM_MR : 0, activation, bpanel + (size_t)t * tile_stride, tile_stride);
    }
    if (t < count) {
        const int j0 = (tb + t) * CK_SGEMM_NR;
        const int cols = n - j0 < CK_SGEMM_NR ? n - j0 : CK_SGEMM_NR;
        float *dst = bpanel + (size_t)t * tile_stride;
        for (int kk = 0; kk < kc; kk++) copy_tile_row(dst + (size_t)kk * CK_SGEMM_NR, b + (size_t)(k0 + kk) * ldb + j0, cols);
        panels_over_tiles(2, 2, 1, CK_SGEMM_MR, cols, kc, a, a1, dst, tile_stride, 0, 0, c0 + j0, ldc, resume, bias0, activation, 0);
    }
}

// Panel p's first `whole` tiles of the block (all whole; the panel six rows) with AVX-512 single tiles that
// copy each strip of the row-major B into the block's tiles at `bpanel` as they load it, in one call: what
// first_panel_copying did tile by tile (the same tile_rows_avx512: the same bits), with the same C prefetch.
__attribute__((target("avx512f,avx2,fma"), noinline))
static void panel_tiles_copying_avx512(int m, int n, int tb, int count, int whole, int p, int panel1, int kc,
                                       const float *a, const float *strips, int ldb, float *bpanel, float *c, int ldc,
                                       int resume, const float *bias, int activation, int fetch_c) {
    float *row = c + (size_t)p * CK_SGEMM_MR * ldc + (size_t)tb * CK_SGEMM_NR;
    for (int t = 0; t < whole; t++) {
        if (fetch_c) prefetch_c_ahead(m, n, tb, count, p, t, panel1, c, ldc);
        tile_rows_avx512(CK_SGEMM_MR, kc, a, strips + (size_t)t * CK_SGEMM_NR, 0, 0, row + (size_t)t * CK_SGEMM_NR, ldc, resume,
                         bias, activation, (size_t)ldb, bpanel + (size_t)t * kc * CK_SGEMM_NR);
    }
}

// Panel panel0 of A (depth k0 ..< k0 + kc) over the block of `count` tiles of the row-major B from tile tb
// with 6x16 tiles (AVX2, or AVX-512 where `avx512` is 1), each whole tile's strip copied into the block's
// tiles at `bpanel` as it is loaded (tile_6x16_copy, panel_tiles_copying_avx512), so the other panels find the
// tiles made; a last, partial tile is copied first, then multiplied.
__attribute__((target("avx2,fma")))
static void first_panel_copying(int m, int n, int k, int k0, int kc, const float *packed_a, const float *b, int ldb, int tb,
                                int count, float *bpanel, float *c, int ldc, int resume, const float *bias, int activation,
                                int panel0, int panel1, int avx512) {
    const int rows = m - panel0 * CK_SGEMM_MR < CK_SGEMM_MR ? m - panel0 * CK_SGEMM_MR : CK_SGEMM_MR;
    const float *a = packed_a + (size_t)panel0 * k * CK_SGEMM_MR + (size_t)k0 * CK_SGEMM_MR;
    const float *bias0 = bias ? bias + panel0 * CK_SGEMM_MR : 0;
    float *c0 = c + (size_t)panel0 * CK_SGEMM_MR * ldc;
    const int fetch_c = fetches_c_ahead(resume, kc, avx512);
    int t = 0;
    if (avx512 && rows == CK_SGEMM_MR) {
        // The whole tiles in one call (panel_tiles_copying_avx512), a last partial one below.
        t = whole_tiles(n, tb, count);
        if (t) {
            panel_tiles_copying_avx512(m, n, tb, count, t, panel0, panel1, kc, a, b + (size_t)k0 * ldb + (size_t)tb * CK_SGEMM_NR,
                                       ldb, bpanel, c, ldc, resume, bias0, activation, fetch_c);
        }
    }
    for (; t < count; t++) {
        const int j0 = (tb + t) * CK_SGEMM_NR;
        const int cols = n - j0 < CK_SGEMM_NR ? n - j0 : CK_SGEMM_NR;
        float *dst = bpanel + (size_t)t * kc * CK_SGEMM_NR;
        const float *strip = b + (size_t)k0 * ldb + j0;
        if (fetch_c) prefetch_c_ahead(m, n, tb, count, panel0, t, panel1, c, ldc);
        // A first panel of fewer than six rows (the product's last, the first of a thread's share) copies
        // on AVX2: the same bits.
        if (cols == CK_SGEMM_NR) {
            tile_6x16_copy(kc, a, strip, (size_t)ldb, dst, c0 + j0, ldc, rows, resume, bias0, activation);
        } else {
            for (int kk = 0; kk < kc; kk++) copy_tile_row(dst + (size_t)kk * CK_SGEMM_NR, strip + (size_t)kk * ldb, cols);
            tile(0, kc, a, dst, 0, 0, c0 + j0, ldc, rows, cols, resume, bias0, activation);
        }
    }
}

// The block after (k0, tb) in ck_sgemm_packed's order (the next tiles at this depth, else the first at the
// next depth) as lines of the row-major B to prefetch; none (left 0) after the last.
static ck_next_b next_block(const float *b, int ldb, int n, int k, int k0, int tb, int tile0, int tile1, int tile_ahead,
                            int block) {
    ck_next_b next = {0};
    int nk0 = k0, ntb = tb + block, last = tile1;
    if (ntb >= tile1) {
        nk0 = k0 + CK_SGEMM_KC;
        ntb = tile0;
    }
    if (nk0 >= k) {
        // The last block: the first of the tiles the caller goes on to, if any.
        if (tile_ahead <= tile1) return next;
        nk0 = 0;
        ntb = tile1;
        last = tile_ahead;
    }
    const int kc = k - nk0 < CK_SGEMM_KC ? k - nk0 : CK_SGEMM_KC;
    const int count = last - ntb < block ? last - ntb : block;
    const int first = ntb * CK_SGEMM_NR;
    const int span = ((ntb + count) * CK_SGEMM_NR < n ? (ntb + count) * CK_SGEMM_NR : n) - first;
    const char *start = (const char *)(b + (size_t)nk0 * ldb + first);
    const char *end = start + (size_t)span * sizeof(float);
    next.row = (const char *)((uintptr_t)start & ~(uintptr_t)63);
    next.ldb = (size_t)ldb * sizeof(float);
    next.lines = (int)((((uintptr_t)end - 1) >> 6) - ((uintptr_t)start >> 6)) + 1;
    next.left = kc * next.lines;
    return next;
}

__attribute__((target("avx2,fma")))
void ck_sgemm_packed(int m, int n, int k, const float *packed_a, const float *b, int ldb, const ck_im2col *implicit,
                     float *c, int ldc, int accumulate, const float *bias, int activation, int tile0, int tile1,
                     int tile_ahead, int panel0, int panel1, float *bpanel, int avx512) {
    // Depth in blocks of CK_SGEMM_KC (the chains go on through C), columns in blocks that keep the
    // block's copy of B in L2 while every panel of A passes over it.
    const int block = ck_sgemm_block_tiles(k);
    float *gathered = bpanel + (size_t)CK_SGEMM_NR * (size_t)(k < CK_SGEMM_KC ? k : CK_SGEMM_KC) * (size_t)block;
    // Stride 2 with output rows a multiple of 8 wide: the implicit rows go straight into the tiles, the last
    // tile's columns past n zeroed; a 3x3's three taps of an input row together where the block holds all
    // three. The stride-2 3x3s of ResNet-50 took 13-19% less time alone at batch 8 (20-32% at batch 1) than
    // gathered a row at a time and then copied (alternating in-process runs, outputs identical; the AVX-512
    // variant of the three taps, sixteen outputs a permute, did no better).
    const int direct = implicit && implicit->stride_x == 2 && implicit->out_w % 8 == 0;
    // A row-major B is copied into the block's tiles by the first two panels' 12x32 blocks as they load it,
    // so the copy is not a pass of its own that waits on memory. Layers alone (ResNet-50's 1x1s at 384x128
    // batch 8): 64←256 took 13% less time, 128←512 8%, 256←1024 5%, 64←64 16%, layer4's 1-2%. In the
    // network (alternating in-process runs, outputs identical): MobileNetV2 3-5% less at batch 8 and 5% at
    // batch 1; ResNet-50 within the noise (0.97-1.04 over runs of 12-40 turns).
    const int fuse = !implicit && two_whole_panels(avx512, m, panel0, panel1);
    // With single 6x16 tiles (AVX2, or AVX-512 without pairs), the first panel's tiles copy B the same way,
    // tile by tile, prefetching the strip eight rows on and the next tiles' strips of the row
    // (prefetch_strips): its loads wait with multiplies in flight, where a copy pass tile by tile (below)
    // waited with none. Alternating in-process runs (outputs identical; Zen 3, a noisy host, 30-40 turns
    // each), before the next strips were prefetched: batch 1 took 3-8% less time (MobileNetV2 at 256x128
    // and 384x128 4%, ResNet-50 3% and 8%); batches of 8 and 16 0-3% less, but for one of four runs of
    // MobileNetV2 at 384x128 batch 8 (2.7% more). With AVX-512 tiles on Zen 4 (the copy pass had been 5% of
    // ResNet-50's samples at 256x128 batch 8, perf), in alternating in-process runs (30 turns, outputs
    // identical): ResNet-50 2.2% less time at 256x128 batch 8, MobileNetV2 1.2% at batch 16 and 2.5% at
    // batch 1; with the C prefetch too (CK_SGEMM_C_AHEAD_DEPTH; two runs of 40 and 50 turns): ResNet-50
    // 1.8-1.9% less at 256x128 batch 8 and 3.4-3.6% at 384x128 batch 8, MobileNetV2 1.2-1.3% at 256x128
    // batch 16 and 0.8% at 384x128 batch 8.
    const int strips = !implicit && avx512 != 2 && panel0 < panel1;
    // The panels that copy B as they multiply it: two whole ones with AVX-512 pairs, else one.
    const int copying = fuse ? 2 : strips ? 1 : 0;
    for (int k0 = 0; k0 < k; k0 += CK_SGEMM_KC) {
        const int kc = k - k0 < CK_SGEMM_KC ? k - k0 : CK_SGEMM_KC;
        const int resume = k0 > 0 || accumulate;
        const int last = k0 + kc == k;
        for (int tb = tile0; tb < tile1; tb += block) {
            const int count = tile1 - tb < block ? tile1 - tb : block;
            if (copying) {
                if (fuse) {
                    first_panels_copying(n, k, k0, kc, packed_a, b, ldb, tb, count, bpanel, c, ldc, resume, last ? bias : 0,
                                         activation, panel0);
                } else {
                    first_panel_copying(m, n, k, k0, kc, packed_a, b, ldb, tb, count, bpanel, c, ldc, resume, last ? bias : 0,
                                        activation, panel0, panel1, avx512);
                }
                if (panel0 + copying < panel1) {
                    // The 12x32 blocks prefetch the next block of B as they go.
                    ck_next_b next = fuse ? next_block(b, ldb, n, k, k0, tb, tile0, tile1, tile_ahead, block) : (ck_next_b){0};
                    multiply_tiles(m, n, k, k0, kc, packed_a, bpanel, (size_t)kc * CK_SGEMM_NR, tb, count, c, ldc, resume,
                                   last ? bias : 0, activation, panel0 + copying, panel1, avx512, next.left ? &next : 0);
                }
                continue;
            }
            // The block's tiles of B (rows k0 ..< k0 + kc), each contiguous and zero-padded to 16 columns.
            // Row by row of B, so the reads run along its rows. (Tile by tile, the copy read 64 bytes from
            // each of kc rows in turn: about 15% slower on 64x256x16384, layer1's 1x1s at batch 8.)
            const int first = tb * CK_SGEMM_NR;
            // The block's columns of B: `count` tiles from `first`, the last one partial at n.
            const int span = ((tb + count) * CK_SGEMM_NR < n ? (tb + count) * CK_SGEMM_NR : n) - first;
            for (int kk = 0; kk < kc; kk++) {
                // The block's part of B's row, from column `first`: in B, or gathered from the input.
                const float *row;
                if (direct) {
                    const int taps = implicit->kernel_w == 3 && (k0 + kk) % 3 == 0 && kk + 3 <= kc ? 3 : 1;
                    float *dst = bpanel + (size_t)kk * CK_SGEMM_NR;
                    im2col_stride2(implicit, k0 + kk, taps, first, span, dst, (size_t)kc * CK_SGEMM_NR);
                    if (span % CK_SGEMM_NR) {
                        float *tail = dst + (size_t)(span / CK_SGEMM_NR) * kc * CK_SGEMM_NR;
                        for (int t = 0; t < taps; t++) {
                            for (int j = span % CK_SGEMM_NR; j < CK_SGEMM_NR; j++) tail[t * CK_SGEMM_NR + j] = 0.0f;
                        }
                    }
                    kk += taps - 1;
                    continue;
                } else if (implicit) {
                    ck_im2col_row(implicit, k0 + kk, first, span, gathered);
                    row = gathered;
                } else {
                    row = b + (size_t)(k0 + kk) * ldb + first;
                    // The row four ahead on its way into L1 while this one is copied. Each row's part is
                    // 0.5-1 KB of a map up to 25 MB (layer1's 1x1s at 384x128, batch 8), a page or more
                    // from the last: the hardware prefetchers started over on every row, and the copy's
                    // loads stalled on memory (half of its samples on the store after them). ResNet-50
                    // at 384x128, batch 8, took 2.8% less time in alternating in-process runs, 1% at
                    // 256x128; eight or sixteen rows ahead, into L2, or on into the next block did no better.
                    if (kk + CK_SGEMM_COPY_AHEAD < kc) {
                        const char *ahead = (const char *)(row + (size_t)CK_SGEMM_COPY_AHEAD * ldb);
                        for (int l = 0; l < count; l++) _mm_prefetch(ahead + (size_t)l * 64, _MM_HINT_T0);
                    }
                }
                for (int t = 0; t < count; t++) {
                    const int j0 = (tb + t) * CK_SGEMM_NR;
                    const int cols = n - j0 < CK_SGEMM_NR ? n - j0 : CK_SGEMM_NR;
                    copy_tile_row(bpanel + (size_t)t * kc * CK_SGEMM_NR + (size_t)kk * CK_SGEMM_NR, row + (j0 - first), cols);
                }
            }
            multiply_tiles(m, n, k, k0, kc, packed_a, bpanel, (size_t)kc * CK_SGEMM_NR, tb, count, c, ldc, resume,
                           last ? bias : 0, activation, panel0, panel1, avx512, 0);
        }
    }
}

__attribute__((target("avx2,fma")))
void ck_sgemm_packed_tiles(int m, int n, int k, const float *packed_a, const float *b, float *c, int ldc, int accumulate,
                           const float *bias, int activation, int tile0, int tile1, int panel0, int panel1, int avx512) {
    // The same blocks, in the same order, as `ck_sgemm_packed`, so the same chains: only the copy is gone.
    const int block = ck_sgemm_block_tiles(k);
    for (int k0 = 0; k0 < k; k0 += CK_SGEMM_KC) {
        const int kc = k - k0 < CK_SGEMM_KC ? k - k0 : CK_SGEMM_KC;
        for (int tb = tile0; tb < tile1; tb += block) {
            const int count = tile1 - tb < block ? tile1 - tb : block;
            multiply_tiles(m, n, k, k0, kc, packed_a, b + (size_t)tb * k * CK_SGEMM_NR + (size_t)k0 * CK_SGEMM_NR,
                           (size_t)k * CK_SGEMM_NR, tb, count, c, ldc, k0 > 0 || accumulate, k0 + kc == k ? bias : 0,
                           activation, panel0, panel1, avx512, 0);
        }
    }
}

// Whole panels 0 ..< `whole` of A (k deep) over one whole 16-column tile of the stem's taps (taps[kk] + x0)
// with AVX-512 single tiles, in one call: what ck_conv_stride2 does panel by panel (the same
// tile_rows_avx512 on each: the same bits).
__attribute__((target("avx512f,avx2,fma"), noinline))
static void panels_over_taps_avx512(int whole, int k, const float *packed_a, const float *const *taps, int x0, float *out,
                                    int ldc, int resume, const float *bias, int activation) {
    for (int p = 0; p < whole; p++) {
        tile_rows_avx512(CK_SGEMM_MR, k, packed_a + (size_t)p * k * CK_SGEMM_MR, 0, taps, x0, out + (size_t)p * CK_SGEMM_MR * ldc,
                         ldc, resume, bias ? bias + p * CK_SGEMM_MR : 0, activation, CK_SGEMM_NR, 0);
    }
}

__attribute__((target("avx2,fma")))
void ck_conv_stride2(const float *packed_a, int m, int channels, int kernel_h, int kernel_w, int stride_y, int pad_y,
                     int pad_x, const float *input, size_t channel_stride, int height, int width, int oy0, int oy1,
                     int out_w, float *output, int output_stride, int accumulate, const float *bias, int activation,
                     float *scratch, int avx512) {
    const int k = channels * kernel_h * kernel_w;
    int margin, row;
    stem_row(kernel_w, pad_x, out_w, width, &margin, &row);
    const int iy0 = oy0 * stride_y - pad_y, in_rows = (oy1 - oy0 - 1) * stride_y + kernel_h;
    // The band's input rows, each split into its even and odd columns between zeros; rows above or below
    // the image are one shared zero row.
    float *zero = scratch + (size_t)channels * (size_t)in_rows * 2 * (size_t)row;
    memset(zero, 0, (size_t)row * sizeof(float));
    const int evens = (width + 1) / 2, odds = width / 2;
    for (int ci = 0; ci < channels; ci++) {
        for (int r = 0; r < in_rows; r++) {
            const int iy = iy0 + r;
            if (iy < 0 || iy >= height) continue;
            float *even = scratch + ((size_t)ci * in_rows + r) * 2 * row, *odd = even + row;
            memset(even, 0, (size_t)margin * sizeof(float));
            memset(odd, 0, (size_t)margin * sizeof(float));
            ck_split_row(even + margin, odd + margin, input + ci * channel_stride + (size_t)iy * width, width);
            memset(even + margin + evens, 0, (size_t)(row - margin - evens) * sizeof(float));
            memset(odd + margin + odds, 0, (size_t)(row - margin - odds) * sizeof(float));
        }
    }
    // Row (ci, ky, kx) of the implicit im2col matrix, as ck_im2col_row orders them, for one output row.
    const float *taps[CK_SGEMM_KC];
    const int panels = (m + CK_SGEMM_MR - 1) / CK_SGEMM_MR, tiles = (out_w + CK_SGEMM_NR - 1) / CK_SGEMM_NR;
    for (int oy = oy0; oy < oy1; oy++) {
        for (int ci = 0; ci < channels; ci++) {
            for (int ky = 0; ky < kernel_h; ky++) {
                const int r = (oy - oy0) * stride_y + ky, iy = iy0 + r;
                for (int kx = 0; kx < kernel_w; kx++) {
                    int phase, shift;
                    stem_tap(kx, pad_x, &phase, &shift);
                    const float *base = iy < 0 || iy >= height ? zero : scratch + (((size_t)ci * in_rows + r) * 2 + phase) * row;
                    taps[(ci * kernel_h + ky) * kernel_w + kx] = base + margin + shift;
                }
            }
        }
        float *out = output + (size_t)oy * out_w;
        // Tile by tile, every panel of A over the tile's taps while they are in L1.
        for (int t = 0; t < tiles;) {
            const int x0 = t * CK_SGEMM_NR, cols = out_w - x0 < CK_SGEMM_NR ? out_w - x0 : CK_SGEMM_NR;
            const int step = avx512 == 2 && out_w - x0 >= 2 * CK_SGEMM_NR ? 2 : 1;
            int p = 0;
            if (avx512 == 1 && cols == CK_SGEMM_NR) {
                // The whole panels in one call (panels_over_taps_avx512), a last partial one below.
                p = m / CK_SGEMM_MR;
                panels_over_taps_avx512(p, k, packed_a, taps, x0, out + x0, output_stride, accumulate, bias, activation);
            }
            while (p < panels) {
                const int rows = m - p * CK_SGEMM_MR < CK_SGEMM_MR ? m - p * CK_SGEMM_MR : CK_SGEMM_MR;
                const int two = two_whole_panels(avx512, m, p, panels) ? 2 : 1;
                const float *a = packed_a + (size_t)p * k * CK_SGEMM_MR;
                panels_over_tiles(avx512, two, step, rows, cols, k, a, two == 2 ? a + (size_t)k * CK_SGEMM_MR : 0, 0, 0, taps, x0,
                                  out + (size_t)p * CK_SGEMM_MR * output_stride + x0, output_stride, accumulate,
                                  bias ? bias + p * CK_SGEMM_MR : 0, activation, 0);
                p += two;
            }
            t += step;
        }
    }
}
#else
void ck_conv_stride2(const float *packed_a, int m, int channels, int kernel_h, int kernel_w, int stride_y, int pad_y,
                     int pad_x, const float *input, size_t channel_stride, int height, int width, int oy0, int oy1,
                     int out_w, float *output, int output_stride, int accumulate, const float *bias, int activation,
                     float *scratch, int avx512) {
    (void)packed_a; (void)m; (void)channels; (void)kernel_h; (void)kernel_w; (void)stride_y; (void)pad_y; (void)pad_x;
    (void)input; (void)channel_stride; (void)height; (void)width; (void)oy0; (void)oy1; (void)out_w; (void)output;
    (void)output_stride; (void)accumulate; (void)bias; (void)activation; (void)scratch; (void)avx512;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use im2col.
}

void ck_sgemm_packed(int m, int n, int k, const float *packed_a, const float *b, int ldb, const ck_im2col *implicit,
                     float *c, int ldc, int accumulate, const float *bias, int activation, int tile0, int tile1,
                     int tile_ahead, int panel0, int panel1, float *bpanel, int avx512) {
    (void)m; (void)n; (void)k; (void)packed_a; (void)b; (void)ldb; (void)implicit; (void)c; (void)ldc;
    (void)accumulate; (void)bias; (void)activation; (void)tile0; (void)tile1; (void)tile_ahead; (void)panel0; (void)panel1;
    (void)bpanel; (void)avx512;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use OpenBLAS.
}

void ck_sgemm_packed_tiles(int m, int n, int k, const float *packed_a, const float *b, float *c, int ldc, int accumulate,
                           const float *bias, int activation, int tile0, int tile1, int panel0, int panel1, int avx512) {
    (void)m; (void)n; (void)k; (void)packed_a; (void)b; (void)c; (void)ldc; (void)accumulate; (void)bias; (void)activation;
    (void)tile0; (void)tile1; (void)panel0; (void)panel1; (void)avx512;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use OpenBLAS.
}
#endif
