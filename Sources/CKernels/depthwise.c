#include "CKernels.h"

#include <string.h>

#include "kernels.h"

int ck_has_avx2_fma(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int ck_has_avx512f(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    return ck_has_avx2_fma() && __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

int ck_avx512_pairs_pay(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    return ck_has_avx512f() && __builtin_cpu_is("intel");
#else
    return 0;
#endif
}

static int round8(int n) { return (n + 7) & ~7; }

static void output_size(int height, int width, int stride, int *oh, int *ow) {
    *oh = (height - 1) / stride + 1;
    *ow = (width - 1) / stride + 1;
}

// Scratch layout. Stride 1: the zero-bordered plane, rows of `pw` floats. Stride 2: the bordered plane's
// even columns and its odd columns, each rows of `hw` floats, so that every tap reads 8 consecutive floats.
// Widths leave room for the 8-wide loads of the last (partial) block of a row.
static void layout(int height, int width, int stride, int *rows, int *pw, int *hw) {
    int oh, ow;
    output_size(height, width, stride, &oh, &ow);
    *rows = height + 2;
    *pw = round8(ow) + 8;
    *hw = round8(ow) + 8;
}

size_t ck_depthwise3x3_scratch(int height, int width, int stride) {
    int rows, pw, hw;
    layout(height, width, stride, &rows, &pw, &hw);
    return stride == 1 ? (size_t)rows * (size_t)pw : 2 * (size_t)rows * (size_t)hw;
}

#ifdef CK_X86
// Copies `count` floats, eight at a time with a masked last block, so nothing past `count` is written.
__attribute__((target("avx2,fma")))
static inline void copy_row(float *dst, const float *src, int count) {
    int x = 0;
    for (; x + 8 <= count; x += 8) _mm256_storeu_ps(dst + x, _mm256_loadu_ps(src + x));
    if (x < count) ck_store_first(dst + x, ck_load_first(src + x, count - x), count - x);
}

// Planes at most 8 wide (MobileNetV2's last maps: 8x4 at 256x128, 16x8 → 8x4 at stride 2): each input
// row is one register, and the taps' shifted rows are lane permutes of it, with zeros for the padding.
// Through the bordered scratch, every row was a narrow store read back at once by wider loads, which
// the CPU cannot forward: those planes ran at 2-6 GFLOP/s. The same taps, in the same order.
__attribute__((target("avx2,fma")))
static void depthwise3x3_narrow(const float *input, float *output, int planes, int height, int width, int stride,
                                const float *filter, float bias, int accumulate, int activation, size_t tile_stride,
                                int row0, int row1) {
    int oh, ow;
    output_size(height, width, stride, &oh, &ow);
    __m256 w[9];
    for (int i = 0; i < 9; i++) w[i] = _mm256_set1_ps(filter[i]);
    // Stride 1: lane x takes x − 1, x, x + 1. Stride 2: lane ox takes 2ox − 1, 2ox, 2ox + 1.
    const __m256i left = stride == 1 ? _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6) : _mm256_setr_epi32(0, 1, 3, 5, 7, 7, 7, 7);
    const __m256i centre = stride == 1 ? _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7) : _mm256_setr_epi32(0, 2, 4, 6, 6, 6, 6, 6);
    const __m256i right = stride == 1 ? _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7) : _mm256_setr_epi32(1, 3, 5, 7, 7, 7, 7, 7);
    // Lanes that read padding are cleared: lane 0 on the left; on the right, lane 7 at stride 1 (lanes
    // past the row are already zero: the row is loaded zero-filled).
    const __m256 keepLeft = _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, -1, -1, -1, -1, -1, -1));
    const __m256 keepRight = _mm256_castsi256_ps(stride == 1 ? _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0)
                                                             : _mm256_set1_epi32(-1));
    for (int p = 0; p < planes; p++) {
        const float *src = input + (size_t)p * height * width;
        float *dst = output + (size_t)p * oh * ow;
        // Without a tile stride every row, each at its place in the plane.
        const int first = tile_stride ? row0 : 0, end = tile_stride ? row1 : oh;
        for (int oy = first; oy < end; oy++) {
            __m256 acc = _mm256_set1_ps(bias);
            for (int ky = 0; ky < 3; ky++) {
                const int y = oy * stride - 1 + ky;
                if (y < 0 || y >= height) continue;  // a padding row adds nothing
                const __m256 row = ck_load_first(src + (size_t)y * width, width);
                const __m256 l = _mm256_and_ps(_mm256_permutevar8x32_ps(row, left), keepLeft);
                const __m256 r = _mm256_and_ps(_mm256_permutevar8x32_ps(row, right), keepRight);
                acc = _mm256_fmadd_ps(w[ky * 3 + 0], l, acc);
                acc = _mm256_fmadd_ps(w[ky * 3 + 1], _mm256_permutevar8x32_ps(row, centre), acc);
                acc = _mm256_fmadd_ps(w[ky * 3 + 2], r, acc);
            }
            float *out = ck_tile_at(dst, (oy - first) * ow, tile_stride);
            if (accumulate) acc = _mm256_add_ps(acc, ck_load_first(out, ow));
            ck_store_first(out, ck_activate(acc, activation), ow);
        }
    }
}

// Outputs ox … ox + 7 of one row: bias plus the nine taps in (ky, kx) order, from the bordered rows at
// `r0` (stride 1: the plane; stride 2: its even columns) and `o0` (stride 2: its odd columns), `rw` apart.
__attribute__((target("avx2,fma")))
static inline __m256 taps(const float *r0, const float *o0, int rw, int stride, const __m256 *w, __m256 acc, int ox) {
    for (int ky = 0; ky < 3; ky++) {
        const float *r = r0 + (size_t)ky * rw + ox;
        if (stride == 1) {
            acc = _mm256_fmadd_ps(w[ky * 3 + 0], _mm256_loadu_ps(r), acc);
            acc = _mm256_fmadd_ps(w[ky * 3 + 1], _mm256_loadu_ps(r + 1), acc);
            acc = _mm256_fmadd_ps(w[ky * 3 + 2], _mm256_loadu_ps(r + 2), acc);
        } else {
            // Output ox reads bordered columns 2ox, 2ox + 1, 2ox + 2: even[ox], odd[ox], even[ox + 1].
            const float *o = o0 + (size_t)ky * rw + ox;
            acc = _mm256_fmadd_ps(w[ky * 3 + 0], _mm256_loadu_ps(r), acc);
            acc = _mm256_fmadd_ps(w[ky * 3 + 1], _mm256_loadu_ps(o), acc);
            acc = _mm256_fmadd_ps(w[ky * 3 + 2], _mm256_loadu_ps(r + 1), acc);
        }
    }
    return acc;
}

// Eight whole outputs: plus the value already there when `accumulate`, then the activation, stored once.
__attribute__((target("avx2,fma")))
static inline void store_block(float *out, __m256 acc, int accumulate, int activation) {
    if (accumulate) acc = _mm256_add_ps(acc, _mm256_loadu_ps(out));
    _mm256_storeu_ps(out, ck_activate(acc, activation));
}

// One strip of a plane at stride 1, `lanes` columns from column x (8; or a whole plane at most 8 wide, read
// and written without going past its `lanes` = width columns), down the rows: each input row of the strip
// is loaded once, its shifted copies are two more loads, or a lane permute with a zero for the padding
// column at the plane's left edge (`edge` & 1) or right edge (`edge` & 2), and it goes into the chains of
// the three output rows that take it: the first taps (ky = 0) of row y + 1, the middle ones of row y, the
// last ones of row y − 1. Rows of padding are multiplied in as zeros, as the scratch kernel multiplies its
// zero border; a whole narrow plane (`edge` 3) skips them, as the narrow kernel and AVX-512's 8-wide planes
// do (a zero only changes the sign of a zero sum: the bits are kept as each path had them).
__attribute__((target("avx2,fma"), always_inline))
static inline void strip_rows(const float *src, float *dst, int height, int width, int x, int lanes, int edge, const __m256 *w,
                              __m256 b, int accumulate, int activation, size_t tile_stride, int first, int end) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256i left = _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6), right = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
    const __m256 keepLeft = _mm256_castsi256_ps(_mm256_setr_epi32(0, -1, -1, -1, -1, -1, -1, -1));
    const __m256 keepRight = _mm256_castsi256_ps(_mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0));
    const int y_begin = first > 0 ? first - 1 : 0, y_end = end < height ? end + 1 : height;
    // The chains of output rows y − 1 and y when row y comes; row 0's first taps are the padding row's.
    __m256 above = b, here = b;
    if (first == 0 && edge != 3) here = _mm256_fmadd_ps(w[2], zero, _mm256_fmadd_ps(w[1], zero, _mm256_fmadd_ps(w[0], zero, b)));
    for (int y = y_begin; y < y_end; y++) {
        const float *at = src + (size_t)y * width + x;
        const __m256 c = ck_load_first(at, lanes);
        const __m256 l = edge & 1 ? _mm256_and_ps(_mm256_permutevar8x32_ps(c, left), keepLeft) : _mm256_loadu_ps(at - 1);
        const __m256 r = edge & 2 ? _mm256_and_ps(_mm256_permutevar8x32_ps(c, right), keepRight) : _mm256_loadu_ps(at + 1);
        const __m256 below = _mm256_fmadd_ps(w[2], r, _mm256_fmadd_ps(w[1], c, _mm256_fmadd_ps(w[0], l, b)));
        here = _mm256_fmadd_ps(w[5], r, _mm256_fmadd_ps(w[4], c, _mm256_fmadd_ps(w[3], l, here)));
        if (y > first) {
            above = _mm256_fmadd_ps(w[8], r, _mm256_fmadd_ps(w[7], c, _mm256_fmadd_ps(w[6], l, above)));
            float *out = ck_tile_at(dst, (y - 1 - first) * width + x, tile_stride);
            if (accumulate) above = _mm256_add_ps(above, ck_load_first(out, lanes));
            ck_store_first(out, ck_activate(above, activation), lanes);
        }
        above = here;
        here = below;
    }
    if (end == height) {
        // The last row: its last taps are the padding row's.
        if (edge != 3) above = _mm256_fmadd_ps(w[8], zero, _mm256_fmadd_ps(w[7], zero, _mm256_fmadd_ps(w[6], zero, above)));
        float *out = ck_tile_at(dst, (height - 1 - first) * width + x, tile_stride);
        if (accumulate) above = _mm256_add_ps(above, ck_load_first(out, lanes));
        ck_store_first(out, ck_activate(above, activation), lanes);
    }
}

// Planes at stride 1 at most 8 wide (MobileNetV2's 16x8 features.8-13: one strip) or a multiple of 8 wide
// (16 to 64: features.1, 3, 5, 6: 8-column strips), read in place down their rows (`strip_rows`). The
// bordered-scratch kernel copied each wide plane first and then loaded nine times for eight outputs, half
// of its shifted loads split across cache lines; the narrow kernel permuted each input row again for every
// output row that takes it, each output row one chain of nine dependent multiply-adds. Narrow planes this
// way took MobileNetV2 at 256x128 2.3% less time a batch of 16 (2.2% a batch of 8 at 384x128, 1.2% at batch
// 1), wide ones another 1.8% (3.3% at batch 1, 2.0% a batch of 8 at 384x128) (Zen 3, alternating in-process
// runs, 30 turns). The same taps in the same order as the kernels they replace, so the same bits.
__attribute__((target("avx2,fma")))
static void depthwise3x3_rows(const float *input, float *output, int planes, int height, int width,
                              const float *filter, float bias, int accumulate, int activation, size_t tile_stride,
                              int row0, int row1) {
    __m256 w[9];
    for (int i = 0; i < 9; i++) w[i] = _mm256_set1_ps(filter[i]);
    const __m256 b = _mm256_set1_ps(bias);
    const int first = tile_stride ? row0 : 0, end = tile_stride ? row1 : height;
    if (first >= end) return;
    for (int p = 0; p < planes; p++) {
        const float *src = input + (size_t)p * height * width;
        float *dst = output + (size_t)p * height * width;
        if (width <= 8) {
            strip_rows(src, dst, height, width, 0, width, 3, w, b, accumulate, activation, tile_stride, first, end);
            continue;
        }
        strip_rows(src, dst, height, width, 0, 8, 1, w, b, accumulate, activation, tile_stride, first, end);
        for (int x = 8; x + 8 < width; x += 8) {
            strip_rows(src, dst, height, width, x, 8, 0, w, b, accumulate, activation, tile_stride, first, end);
        }
        strip_rows(src, dst, height, width, width - 8, 8, 2, w, b, accumulate, activation, tile_stride, first, end);
    }
}

// AVX-512, for planes whose output rows are whole 16-float registers (stride 1: widths a multiple of
// 16; stride 2: of 32): every tap is a register of an input row or a lane shift of two of them, so
// nothing goes through the bordered scratch, which the wide kernel fills for every plane and reads
// unaligned, nine loads for eight outputs. On one Zen 4 core, MobileNetV2's 16- to 128-wide planes ran
// at 24-42 GFLOP/s through the scratch and at 33-65 here.
//
// Output rows oy0 … oy0 + R − 1, registers j0 … j0 + P − 1 of each: R·P independent chains of nine
// fused multiply-adds (R, P and the stride are constants once inlined). Each input row the block reads
// is loaded and shifted once, then multiplied into every output row that takes it, in the order of the
// input rows, so output row oy gets its rows ky = 0, 1, 2 in that order. Rows of padding are multiplied
// in as zeros, as the wide kernel multiplies its zero border: the same taps in the same order, so the
// same bits.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void rows16_block(const float *src, float *dst, int R, int P, int stride, int oy0, int j0, int first,
                                int height, int width, int ow, const __m512 *w, __m512 bias, int accumulate,
                                int activation, size_t tile_stride) {
    const __m512 zero = _mm512_setzero_ps();
    // Stride 2: lane x of the even (odd) register is input 32j + 2x (+ 1) of the two registers at 32j.
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const int registers = width / 16;  // of an input row
    __m512 acc[4][2];
    for (int i = 0; i < R; i++) {
        for (int j = 0; j < P; j++) acc[i][j] = bias;
    }
    for (int k = 0; k < (R - 1) * stride + 3; k++) {
        const int y = oy0 * stride - 1 + k;
        // Lane x of output register j takes inputs x' − 1, x', x' + 1 (x' = x at stride 1, 2x at 2).
        __m512 l[2], c[2], r[2];
        if (y < 0 || y >= height) {
            for (int j = 0; j < P; j++) l[j] = c[j] = r[j] = zero;
        } else {
            const float *row = src + (size_t)y * width;
            if (stride == 1) {
                // Each register, with the one before's last lane shifted in, and with the next one's first.
                __m512 v[4];
                v[0] = j0 > 0 ? _mm512_loadu_ps(row + 16 * (j0 - 1)) : zero;
                for (int j = 0; j < P; j++) v[j + 1] = _mm512_loadu_ps(row + 16 * (j0 + j));
                v[P + 1] = j0 + P < registers ? _mm512_loadu_ps(row + 16 * (j0 + P)) : zero;
                for (int j = 0; j < P; j++) {
                    c[j] = v[j + 1];
                    l[j] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v[j + 1]), _mm512_castps_si512(v[j]), 15));
                    r[j] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(v[j + 2]), _mm512_castps_si512(v[j + 1]), 1));
                }
            } else {
                // The even inputs, the odd ones, and the odd ones shifted a lane (the input before the
                // register pair, the last of the previous pair's odd ones, in lane 0).
                __m512 before = j0 > 0 ? _mm512_loadu_ps(row + 32 * j0 - 16) : zero;
                for (int j = 0; j < P; j++) {
                    const __m512 a = _mm512_loadu_ps(row + 32 * (j0 + j)), b = _mm512_loadu_ps(row + 32 * (j0 + j) + 16);
                    c[j] = _mm512_permutex2var_ps(a, evens, b);
                    r[j] = _mm512_permutex2var_ps(a, odds, b);
                    l[j] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(r[j]), _mm512_castps_si512(before), 15));
                    before = b;
                }
            }
        }
        for (int i = 0; i < R; i++) {
            const int ky = k - i * stride;
            if (ky < 0 || ky > 2) continue;
            for (int j = 0; j < P; j++) {
                acc[i][j] = _mm512_fmadd_ps(w[ky * 3 + 0], l[j], acc[i][j]);
                acc[i][j] = _mm512_fmadd_ps(w[ky * 3 + 1], c[j], acc[i][j]);
                acc[i][j] = _mm512_fmadd_ps(w[ky * 3 + 2], r[j], acc[i][j]);
            }
        }
    }
    for (int i = 0; i < R; i++) {
        for (int j = 0; j < P; j++) {
            float *out = ck_tile_at(dst, (oy0 + i - first) * ow + 16 * (j0 + j), tile_stride);
            __m512 v = acc[i][j];
            if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(out));
            _mm512_storeu_ps(out, ck_activate16(v, activation));
        }
    }
}

// Output rows first ..< end of one plane in blocks of R rows × P registers, the last rows one at a time.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void rows16_plane(const float *src, float *dst, int R, int P, int stride, int first, int end, int height,
                                int width, int ow, const __m512 *w, __m512 bias, int accumulate, int activation,
                                size_t tile_stride) {
    const int per_row = ow / 16;
    int oy = first;
    for (; oy + R <= end; oy += R) {
        for (int j0 = 0; j0 < per_row; j0 += P) {
            rows16_block(src, dst, R, P, stride, oy, j0, first, height, width, ow, w, bias, accumulate, activation, tile_stride);
        }
    }
    for (; oy < end; oy++) {
        for (int j0 = 0; j0 < per_row; j0 += P) {
            rows16_block(src, dst, 1, P, stride, oy, j0, first, height, width, ow, w, bias, accumulate, activation, tile_stride);
        }
    }
}

// AVX-512, for planes whose output rows are 8 wide (stride 1: 8-wide planes; stride 2: 16-wide): two
// output rows a register, rows oy and oy + 1 in lanes 0-7 and 8-15. Stride 1: input rows y and y + 1
// are sixteen consecutive floats, and the taps either side loads one float earlier or later, masked to
// the columns inside each row; stride 2: one permute of two input rows picks both output rows' taps.
// One row at a time (the narrow kernel), these planes ran at 34 (stride 1) and 18 GFLOP/s (stride 2)
// on one Zen 4 core, here at 37 and 34. Where `checked`, a row of padding in one half is skipped in that
// half alone (masked fused multiply-adds leave its lanes as they were), as the narrow kernel skips it:
// the same operations on every output, so the same bits. R pairs at once: R independent chains.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void pairs8_block(const float *src, float *dst, int R, int stride, int checked, int oy0, int first, int end,
                                int height, const __m512 *w, __m512 bias, int accumulate, int activation,
                                size_t tile_stride) {
    const int width = 8 * stride;
    // Stride 2, from rows a (lanes 0-7) and b (8-15): inputs 2x − 1 (none at x = 0), 2x, 2x + 1.
    const __m512i left2 = _mm512_setr_epi32(0, 1, 3, 5, 7, 9, 11, 13, 16, 17, 19, 21, 23, 25, 27, 29);
    const __m512i centre2 = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i right2 = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __mmask16 inner = 0xFEFE, innerRight = 0x7F7F;
    __m512 acc[4];
    for (int i = 0; i < R; i++) acc[i] = bias;
    for (int ky = 0; ky < 3; ky++) {
        for (int i = 0; i < R; i++) {
            const int oy = oy0 + 2 * i;
            // The input rows of the pair's two output rows, and which of them are inside the plane.
            const int ya = oy * stride - 1 + ky, yb = ya + stride;
            const __mmask16 rows = !checked ? 0xFFFF : (ya >= 0 && ya < height ? 0x00FF : 0) | (yb >= 0 && yb < height ? 0xFF00 : 0);
            __m512 l, c, r;
            if (stride == 1) {
                // Rows ya and ya + 1, consecutive: the taps are loads one float either side, masked to the
                // rows inside the plane and to the columns inside each row (`at` points before the plane
                // for the first pair, whose lanes 0-7 are not read).
                const float *at = src + (ptrdiff_t)ya * width;
                l = _mm512_maskz_loadu_ps(rows & inner, at - 1);
                c = _mm512_maskz_loadu_ps(rows, at);
                r = _mm512_maskz_loadu_ps(rows & innerRight, at + 1);
            } else {
                const __m512 zero = _mm512_setzero_ps();
                const __m512 a = rows & 0x00FF ? _mm512_loadu_ps(src + (size_t)ya * width) : zero;
                const __m512 b = rows & 0xFF00 ? _mm512_loadu_ps(src + (size_t)yb * width) : zero;
                l = _mm512_maskz_permutex2var_ps(inner, a, left2, b);
                c = _mm512_permutex2var_ps(a, centre2, b);
                r = _mm512_permutex2var_ps(a, right2, b);
            }
            acc[i] = _mm512_mask3_fmadd_ps(w[ky * 3 + 0], l, acc[i], rows);
            acc[i] = _mm512_mask3_fmadd_ps(w[ky * 3 + 1], c, acc[i], rows);
            acc[i] = _mm512_mask3_fmadd_ps(w[ky * 3 + 2], r, acc[i], rows);
        }
    }
    for (int i = 0; i < R; i++) {
        const int oy = oy0 + 2 * i;
        // A last pair past the rows asked for stores its first row only.
        const __mmask16 kept = !checked || oy + 1 < end ? 0xFFFF : 0x00FF;
        float *out = ck_tile_at(dst, (oy - first) * 8, tile_stride);
        __m512 v = acc[i];
        if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(kept, out));
        _mm512_mask_storeu_ps(out, kept, ck_activate16(v, activation));
    }
}

// Output rows first ..< end of one plane in pairs: those whose rows are all inside the plane (and asked
// for) four at a time, unmasked; the others (the first, at stride 1 the last, a last lone row) one at a
// time.
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void pairs8_plane(const float *src, float *dst, int stride, int first, int end, int height, const __m512 *w,
                                __m512 bias, int accumulate, int activation, size_t tile_stride) {
#define CK_INSIDE(oy) ((oy) * stride >= 1 && ((oy) + 1) * stride + 1 < height && (oy) + 1 < end)
    for (int oy = first; oy < end; oy += 2) {
        if (CK_INSIDE(oy) && CK_INSIDE(oy + 6)) {
            pairs8_block(src, dst, 4, stride, 0, oy, first, end, height, w, bias, accumulate, activation, tile_stride);
            oy += 6;
        } else if (CK_INSIDE(oy)) {
            pairs8_block(src, dst, 1, stride, 0, oy, first, end, height, w, bias, accumulate, activation, tile_stride);
        } else {
            pairs8_block(src, dst, 1, stride, 1, oy, first, end, height, w, bias, accumulate, activation, tile_stride);
        }
    }
#undef CK_INSIDE
}

// The AVX-512 planes: output rows of 16 floats or a multiple (`rows16_plane`) or of 8 (`pairs8_plane`).
__attribute__((target("avx512f,avx2,fma"), noinline))
static void depthwise3x3_avx512(const float *input, float *output, int planes, int height, int width, int stride,
                                const float *filter, float bias, int accumulate, int activation, size_t tile_stride,
                                int row0, int row1) {
    int oh, ow;
    output_size(height, width, stride, &oh, &ow);
    __m512 w[9];
    for (int t = 0; t < 9; t++) w[t] = _mm512_set1_ps(filter[t]);
    const __m512 b = _mm512_set1_ps(bias);
    const int per_row = ow / 16;
    for (int p = 0; p < planes; p++) {
        const float *src = input + (size_t)p * height * width;
        float *dst = output + (size_t)p * oh * ow;
        // Without a tile stride every row, each at its place in the plane.
        const int first = tile_stride ? row0 : 0, end = tile_stride ? row1 : oh;
        // Rows of 16 floats or more: four rows of two registers where rows hold an even number (of the
        // blocks measured, 4x1, 1x4, 2x2, 6x2 and 3x2, the fastest on 32- and 64-wide outputs), else four
        // rows of one.
#define CK_ROWS16(R, P, S) rows16_plane(src, dst, R, P, S, first, end, height, width, ow, w, b, accumulate, activation, tile_stride)
        if (ow == 8) {
            if (stride == 1) {
                pairs8_plane(src, dst, 1, first, end, height, w, b, accumulate, activation, tile_stride);
            } else {
                pairs8_plane(src, dst, 2, first, end, height, w, b, accumulate, activation, tile_stride);
            }
        } else if (per_row % 2 == 0) {
            if (stride == 1) CK_ROWS16(4, 2, 1); else CK_ROWS16(4, 2, 2);
        } else {
            if (stride == 1) CK_ROWS16(4, 1, 1); else CK_ROWS16(4, 1, 2);
        }
#undef CK_ROWS16
    }
}

__attribute__((target("avx2,fma")))
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch, int fresh,
                     size_t tile_stride, int row0, int row1, int avx512) {
    // Output rows of 16 floats or a multiple, or of 8.
    if (avx512 && (stride == 1 ? width % 16 == 0 || width == 8 : width % 32 == 0 || width == 16)) {
        depthwise3x3_avx512(input, output, planes, height, width, stride, filter, bias, accumulate, activation, tile_stride,
                            row0, row1);
        return;
    }
    if (stride == 1 && (width <= 8 || width % 8 == 0)) {
        depthwise3x3_rows(input, output, planes, height, width, filter, bias, accumulate, activation, tile_stride, row0, row1);
        return;
    }
    if (width <= 8) {
        depthwise3x3_narrow(input, output, planes, height, width, stride, filter, bias, accumulate, activation, tile_stride,
                            row0, row1);
        return;
    }
    int oh, ow, rows, pw, hw;
    output_size(height, width, stride, &oh, &ow);
    layout(height, width, stride, &rows, &pw, &hw);
    const int rw = stride == 1 ? pw : hw;  // row pitch of what the taps read
    __m256 w[9];
    for (int i = 0; i < 9; i++) w[i] = _mm256_set1_ps(filter[i]);
    const __m256 b = _mm256_set1_ps(bias);
    // The border (and the room past each row) stays zero: planes overwrite only the interior.
    if (fresh) memset(scratch, 0, ck_depthwise3x3_scratch(height, width, stride) * sizeof(float));
    float *even = scratch, *odd = scratch + (size_t)rows * hw;
    for (int p = 0; p < planes; p++) {
        const float *src = input + (size_t)p * height * width;
        float *dst = output + (size_t)p * oh * ow;
        if (stride == 1) {
            for (int y = 0; y < height; y++) copy_row(scratch + (size_t)(y + 1) * pw + 1, src + (size_t)y * width, width);
        } else {
            // Bordered column c = x + 1: even columns (c = 2j) hold x = 2j − 1, odd ones (c = 2j + 1) x = 2j.
            for (int y = 0; y < height; y++) {
                ck_split_row(odd + (size_t)(y + 1) * hw, even + (size_t)(y + 1) * hw + 1, src + (size_t)y * width, width);
            }
        }
        // Without a tile stride every row, each at its place in the plane.
        const int first = tile_stride ? row0 : 0, end = tile_stride ? row1 : oh;
        for (int oy = first; oy < end; oy++) {
            float *out = dst + (size_t)oy * ow;
            const int q = (oy - first) * ow;
            const float *r0 = (stride == 1 ? scratch : even) + (size_t)(oy * stride) * rw;
            const float *o0 = odd + (size_t)(oy * stride) * rw;
            int ox = 0;
            // Four, then two blocks of eight outputs at a time: independent chains. One block alone is a chain
            // of nine dependent fused multiply-adds, each waiting out the latency of the one before.
            for (; ox + 32 <= ow; ox += 32) {
                const __m256 a0 = taps(r0, o0, rw, stride, w, b, ox), a1 = taps(r0, o0, rw, stride, w, b, ox + 8);
                const __m256 a2 = taps(r0, o0, rw, stride, w, b, ox + 16), a3 = taps(r0, o0, rw, stride, w, b, ox + 24);
                store_block(ck_tile_at(dst, q + ox, tile_stride), a0, accumulate, activation);
                store_block(ck_tile_at(dst, q + ox + 8, tile_stride), a1, accumulate, activation);
                store_block(ck_tile_at(dst, q + ox + 16, tile_stride), a2, accumulate, activation);
                store_block(ck_tile_at(dst, q + ox + 24, tile_stride), a3, accumulate, activation);
            }
            for (; ox + 16 <= ow; ox += 16) {
                const __m256 a0 = taps(r0, o0, rw, stride, w, b, ox), a1 = taps(r0, o0, rw, stride, w, b, ox + 8);
                store_block(ck_tile_at(dst, q + ox, tile_stride), a0, accumulate, activation);
                store_block(ck_tile_at(dst, q + ox + 8, tile_stride), a1, accumulate, activation);
            }
            for (; ox < ow; ox += 8) {
                __m256 acc = taps(r0, o0, rw, stride, w, b, ox);
                if (ox + 8 <= ow) {
                    store_block(ck_tile_at(dst, q + ox, tile_stride), acc, accumulate, activation);
                } else {
                    // The row's last, partial block: nothing past the row is read or written.
                    if (accumulate) acc = _mm256_add_ps(acc, ck_load_first(out + ox, ow - ox));
                    ck_store_first(out + ox, ck_activate(acc, activation), ow - ox);
                }
            }
        }
    }
}
// Rows r[0…7] → columns: r[j][i] becomes r[i][j].
__attribute__((target("avx2,fma")))
static inline void transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Eight planes of `count` floats (plane i at planes[i]) into `count` groups of eight: interleaved[8p + i].
__attribute__((target("avx2,fma")))
static void interleave8(const float *const planes[8], float *interleaved, int count) {
    int p = 0;
    for (; p + 8 <= count; p += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(planes[i] + p);
        transpose8(r);
        for (int i = 0; i < 8; i++) _mm256_storeu_ps(interleaved + 8 * (p + i), r[i]);
    }
    for (; p < count; p++) {
        for (int i = 0; i < 8; i++) interleaved[8 * p + i] = planes[i][p];
    }
}

// The inverse: `count` groups of eight back into eight planes.
__attribute__((target("avx2,fma")))
static void deinterleave8(const float *interleaved, float *const planes[8], int count) {
    int p = 0;
    for (; p + 8 <= count; p += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(interleaved + 8 * (p + i));
        transpose8(r);
        for (int i = 0; i < 8; i++) _mm256_storeu_ps(planes[i] + p, r[i]);
    }
    for (; p < count; p++) {
        for (int i = 0; i < 8; i++) planes[i][p] = interleaved[8 * p + i];
    }
}

// AVX-512, stride 1, planes 4 wide and a multiple of 4 high, at most 32 (MobileNetV2's last maps: 8x4 at
// 256x128, 12x4 at 384x128): four rows a register, kept whole in registers, and every tap one lane
// permute of two neighbouring registers (zeros past the plane's edge), no transposes in and out of eight
// channels in the lanes. In the layer-by-layer profile at batch 16, MobileNetV2's three 8x4 layers took
// 0.43-0.46 ms each through the lanes, ORT's 0.23-0.25. MobileNetV2 took 0.9-1.3% less time at batch 8
// and 16 and 0.9-1.7% at batch 1 (alternating in-process runs, 40 turns, outputs identical). Per output
// the same operations in the same order as there: rows of padding skipped (a masked fused multiply-add
// leaves the lane as it was), columns of padding multiplied in as zeros, the taps in (ky, kx) order.
__attribute__((target("avx512f,avx2,fma"), noinline))
static void depthwise3x3_width4_avx512(const float *input, size_t input_stride, float *output, size_t output_stride,
                                       int channels, int planes, int height, const float *filters, const float *biases,
                                       int activation) {
    const int plane = height * 4, registers = height / 4;
    // Tap (ky, kx) of lane l (row l / 4, column l % 4 of its register) is l + s of the map, s = 4(ky − 1) +
    // kx − 1: lane 16 + l + s of (previous, this) for s < 0, lane l + s of (this, next) for s > 0.
    __m512i index[9];
    __mmask16 columns[9], first[9], last[9];
    for (int t = 0; t < 9; t++) {
        const int ky = t / 3, kx = t % 3, s = 4 * (ky - 1) + kx - 1;
        int lanes[16];
        __mmask16 inside = 0, top = 0, bottom = 0;
        for (int l = 0; l < 16; l++) {
            lanes[l] = s < 0 ? 16 + l + s : l + s;
            const int x = l % 4 + kx - 1, y = l / 4 + ky - 1;
            if (x >= 0 && x < 4) inside |= (__mmask16)(1u << l);
            if (y >= 0) top |= (__mmask16)(1u << l);
            if (y < 4) bottom |= (__mmask16)(1u << l);
        }
        index[t] = _mm512_loadu_si512(lanes);
        columns[t] = inside;
        first[t] = top;      // rows inside the plane in its first register
        last[t] = bottom;    // and in its last
    }
    const __m512 zero = _mm512_setzero_ps();
    for (int c = 0; c < channels; c++) {
        __m512 w[9];
        for (int t = 0; t < 9; t++) w[t] = _mm512_set1_ps(filters[(size_t)c * 9 + t]);
        const __m512 b = _mm512_set1_ps(biases[c]);
        for (int p = 0; p < planes; p++) {
            const float *src = input + (size_t)c * input_stride + (size_t)p * plane;
            float *dst = output + (size_t)c * output_stride + (size_t)p * plane;
            __m512 v[8];
            for (int j = 0; j < registers; j++) v[j] = _mm512_loadu_ps(src + 16 * j);
            for (int j = 0; j < registers; j++) {
                const __m512 previous = j > 0 ? v[j - 1] : zero, next = j + 1 < registers ? v[j + 1] : zero;
                __m512 acc = b;
                for (int t = 0; t < 9; t++) {
                    const int s = 4 * (t / 3 - 1) + t % 3 - 1;
                    const __m512 tap = s < 0 ? _mm512_maskz_permutex2var_ps(columns[t], previous, index[t], v[j])
                                     : s > 0 ? _mm512_maskz_permutex2var_ps(columns[t], v[j], index[t], next)
                                             : v[j];
                    __mmask16 rows = 0xffff;
                    if (j == 0) rows &= first[t];
                    if (j == registers - 1) rows &= last[t];
                    acc = _mm512_mask3_fmadd_ps(w[t], tap, acc, rows);
                }
                _mm512_storeu_ps(dst + 16 * j, ck_activate16(acc, activation));
            }
        }
    }
}

size_t ck_depthwise3x3_channels_scratch(int height, int width, int stride) {
    int oh, ow;
    output_size(height, width, stride, &oh, &ow);
    return 8 * ((size_t)height * width + (size_t)oh * ow);
}

__attribute__((target("avx2,fma")))
void ck_depthwise3x3_channels(const float *input, size_t input_stride, float *output, size_t output_stride, int channels,
                              int planes, int height, int width, int stride, const float *filters, const float *biases,
                              int activation, float *scratch, int avx512) {
    if (avx512 && stride == 1 && width == 4 && height % 4 == 0 && height <= 32) {
        depthwise3x3_width4_avx512(input, input_stride, output, output_stride, channels, planes, height, filters, biases,
                                   activation);
        return;
    }
    int oh, ow;
    output_size(height, width, stride, &oh, &ow);
    const int plane = height * width, out_plane = oh * ow;
    float *in8 = scratch, *out8 = scratch + 8 * (size_t)plane;
    const __m256 zero = _mm256_setzero_ps();
    int c = 0;
    for (; c + 8 <= channels; c += 8) {
        // Lane i is channel c + i: its nine weights and its bias side by side.
        __m256 w[9], b;
        {
            float lanes[8];
            for (int t = 0; t < 9; t++) {
                for (int i = 0; i < 8; i++) lanes[i] = filters[(size_t)(c + i) * 9 + t];
                w[t] = _mm256_loadu_ps(lanes);
            }
            b = _mm256_loadu_ps(biases + c);
        }
        for (int p = 0; p < planes; p++) {
            const float *src[8];
            float *dst[8];
            for (int i = 0; i < 8; i++) {
                src[i] = input + (size_t)(c + i) * input_stride + (size_t)p * plane;
                dst[i] = output + (size_t)(c + i) * output_stride + (size_t)p * out_plane;
            }
            interleave8(src, in8, plane);
            // The narrow kernel's arithmetic, lane by lane: rows of padding skipped, columns of padding
            // multiplied in as zeros, the taps in (ky, kx) order.
            for (int oy = 0; oy < oh; oy++) {
                const int y0 = oy * stride - 1;
                const int ky0 = y0 < 0 ? 1 : 0, ky1 = y0 + 2 >= height ? height - y0 : 3;
                for (int ox = 0; ox < ow; ox++) {
                    const int x0 = ox * stride - 1;
                    const float *at = in8 + 8 * ((ptrdiff_t)y0 * width + x0);
                    __m256 acc = b;
                    if (x0 >= 0 && x0 + 2 < width) {
                        for (int ky = ky0; ky < ky1; ky++) {
                            const float *row = at + 8 * (size_t)ky * width;
                            acc = _mm256_fmadd_ps(w[ky * 3 + 0], _mm256_loadu_ps(row), acc);
                            acc = _mm256_fmadd_ps(w[ky * 3 + 1], _mm256_loadu_ps(row + 8), acc);
                            acc = _mm256_fmadd_ps(w[ky * 3 + 2], _mm256_loadu_ps(row + 16), acc);
                        }
                    } else {
                        for (int ky = ky0; ky < ky1; ky++) {
                            const float *row = at + 8 * (size_t)ky * width;
                            for (int kx = 0; kx < 3; kx++) {
                                const int x = x0 + kx;
                                const __m256 v = x < 0 || x >= width ? zero : _mm256_loadu_ps(row + 8 * kx);
                                acc = _mm256_fmadd_ps(w[ky * 3 + kx], v, acc);
                            }
                        }
                    }
                    _mm256_storeu_ps(out8 + 8 * ((size_t)oy * ow + ox), ck_activate(acc, activation));
                }
            }
            deinterleave8(out8, dst, out_plane);
        }
    }
    // The last channels, fewer than eight: one at a time, over all its planes.
    for (; c < channels; c++) {
        depthwise3x3_narrow(input + (size_t)c * input_stride, output + (size_t)c * output_stride, planes, height, width,
                            stride, filters + (size_t)c * 9, biases[c], 0, activation, 0, 0, 0);
    }
}

#else
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch, int fresh,
                     size_t tile_stride, int row0, int row1, int avx512) {
    (void)avx512; (void)tile_stride; (void)row0; (void)row1; (void)input; (void)output; (void)planes; (void)height; (void)width; (void)stride;
    (void)filter; (void)bias; (void)accumulate; (void)activation; (void)scratch; (void)fresh;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use their portable path.
}
#endif

#ifndef CK_X86
size_t ck_depthwise3x3_channels_scratch(int height, int width, int stride) {
    (void)height; (void)width; (void)stride;
    return 0;
}

void ck_depthwise3x3_channels(const float *input, size_t input_stride, float *output, size_t output_stride, int channels,
                              int planes, int height, int width, int stride, const float *filters, const float *biases,
                              int activation, float *scratch, int avx512) {
    (void)input; (void)input_stride; (void)output; (void)output_stride; (void)channels; (void)planes; (void)height;
    (void)width; (void)stride; (void)filters; (void)biases; (void)activation; (void)scratch; (void)avx512;
    __builtin_trap();
}
#endif

size_t ck_maxpool3x3s2_scratch(int width) {
    // The rows' running maximum, then its even and odd columns with room for 8-wide loads.
    return (size_t)width + 2 * (size_t)(round8((width - 1) / 2 + 1) + 16);
}

#ifdef CK_X86
__attribute__((target("avx2,fma")))
void ck_maxpool3x3s2(const float *input, float *output, int planes, int height, int width, float *scratch) {
    const int oh = (height - 1) / 2 + 1, ow = (width - 1) / 2 + 1;
    const int pitch = round8(ow) + 16;
    float *rowMax = scratch, *even = scratch + width, *odd = even + pitch;
    // even[j] = m[2j] and odd[j + 1] = m[2j + 1] (odd[0] and everything past the row: −∞), so output ox,
    // the maximum of m[2ox − 1], m[2ox], m[2ox + 1], is max(odd[ox], even[ox], odd[ox + 1]).
    for (int j = 0; j < pitch; j++) { even[j] = -__builtin_inff(); odd[j] = -__builtin_inff(); }
    for (int p = 0; p < planes; p++) {
        const float *src = input + (size_t)p * height * width;
        float *dst = output + (size_t)p * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
            // Rows 2oy − 1 … 2oy + 1 inside the plane (padding never wins).
            const int y0 = 2 * oy - 1 < 0 ? 0 : 2 * oy - 1, y1 = 2 * oy + 1 < height - 1 ? 2 * oy + 1 : height - 1;
            int x = 0;
            for (; x + 8 <= width; x += 8) {
                __m256 m = _mm256_loadu_ps(src + (size_t)y0 * width + x);
                for (int y = y0 + 1; y <= y1; y++) m = _mm256_max_ps(m, _mm256_loadu_ps(src + (size_t)y * width + x));
                _mm256_storeu_ps(rowMax + x, m);
            }
            for (; x < width; x++) {
                float m = src[(size_t)y0 * width + x];
                for (int y = y0 + 1; y <= y1; y++) m = src[(size_t)y * width + x] > m ? src[(size_t)y * width + x] : m;
                rowMax[x] = m;
            }
            ck_split_row(even, odd + 1, rowMax, width);
            float *out = dst + (size_t)oy * ow;
            for (int ox = 0; ox < ow; ox += 8) {
                const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_loadu_ps(odd + ox), _mm256_loadu_ps(even + ox)),
                                               _mm256_loadu_ps(odd + ox + 1));
                ck_store_first(out + ox, m, ow - ox);
            }
        }
    }
}
#else
void ck_maxpool3x3s2(const float *input, float *output, int planes, int height, int width, float *scratch) {
    (void)input; (void)output; (void)planes; (void)height; (void)width; (void)scratch;
    __builtin_trap();
}
#endif
