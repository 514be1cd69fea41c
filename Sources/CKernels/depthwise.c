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
                                const float *filter, float bias, int accumulate, int activation) {
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
        for (int oy = 0; oy < oh; oy++) {
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
            float *out = dst + (size_t)oy * ow;
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

__attribute__((target("avx2,fma")))
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch, int fresh) {
    if (width <= 8) {
        depthwise3x3_narrow(input, output, planes, height, width, stride, filter, bias, accumulate, activation);
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
        for (int oy = 0; oy < oh; oy++) {
            float *out = dst + (size_t)oy * ow;
            const float *r0 = (stride == 1 ? scratch : even) + (size_t)(oy * stride) * rw;
            const float *o0 = odd + (size_t)(oy * stride) * rw;
            int ox = 0;
            // Four, then two blocks of eight outputs at a time: independent chains. One block alone is a chain
            // of nine dependent fused multiply-adds, each waiting out the latency of the one before.
            for (; ox + 32 <= ow; ox += 32) {
                const __m256 a0 = taps(r0, o0, rw, stride, w, b, ox), a1 = taps(r0, o0, rw, stride, w, b, ox + 8);
                const __m256 a2 = taps(r0, o0, rw, stride, w, b, ox + 16), a3 = taps(r0, o0, rw, stride, w, b, ox + 24);
                store_block(out + ox, a0, accumulate, activation);
                store_block(out + ox + 8, a1, accumulate, activation);
                store_block(out + ox + 16, a2, accumulate, activation);
                store_block(out + ox + 24, a3, accumulate, activation);
            }
            for (; ox + 16 <= ow; ox += 16) {
                const __m256 a0 = taps(r0, o0, rw, stride, w, b, ox), a1 = taps(r0, o0, rw, stride, w, b, ox + 8);
                store_block(out + ox, a0, accumulate, activation);
                store_block(out + ox + 8, a1, accumulate, activation);
            }
            for (; ox < ow; ox += 8) {
                __m256 acc = taps(r0, o0, rw, stride, w, b, ox);
                if (ox + 8 <= ow) {
                    store_block(out + ox, acc, accumulate, activation);
                } else {
                    // The row's last, partial block: nothing past the row is read or written.
                    if (accumulate) acc = _mm256_add_ps(acc, ck_load_first(out + ox, ow - ox));
                    ck_store_first(out + ox, ck_activate(acc, activation), ow - ox);
                }
            }
        }
    }
}
#else
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch, int fresh) {
    (void)input; (void)output; (void)planes; (void)height; (void)width; (void)stride;
    (void)filter; (void)bias; (void)accumulate; (void)activation; (void)scratch; (void)fresh;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use their portable path.
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
