#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

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
__attribute__((target("avx2,fma")))
static inline __m256 activate(__m256 x, int activation) {
    if (activation == 0) return x;
    x = _mm256_max_ps(x, _mm256_setzero_ps());
    if (activation == 2) x = _mm256_min_ps(x, _mm256_set1_ps(6.0f));
    return x;
}

__attribute__((target("avx2,fma")))
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch) {
    int oh, ow, rows, pw, hw;
    output_size(height, width, stride, &oh, &ow);
    layout(height, width, stride, &rows, &pw, &hw);
    const int rw = stride == 1 ? pw : hw;  // row pitch of what the taps read
    __m256 w[9];
    for (int i = 0; i < 9; i++) w[i] = _mm256_set1_ps(filter[i]);
    const __m256 b = _mm256_set1_ps(bias);
    // The border (and the room past each row) stays zero: planes overwrite only the interior.
    memset(scratch, 0, ck_depthwise3x3_scratch(height, width, stride) * sizeof(float));
    float *even = scratch, *odd = scratch + (size_t)rows * hw;
    for (int p = 0; p < planes; p++) {
        const float *src = input + (size_t)p * height * width;
        float *dst = output + (size_t)p * oh * ow;
        if (stride == 1) {
            for (int y = 0; y < height; y++) memcpy(scratch + (size_t)(y + 1) * pw + 1, src + (size_t)y * width, width * sizeof(float));
        } else {
            // Bordered column c = x + 1: even columns take x = 1, 3, 5, ... at c/2; odd ones x = 0, 2, 4, ...
            for (int y = 0; y < height; y++) {
                const float *s = src + (size_t)y * width;
                float *e = even + (size_t)(y + 1) * hw, *o = odd + (size_t)(y + 1) * hw;
                for (int x = 0; x < width; x++) {
                    int c = x + 1;
                    if (c & 1) o[c >> 1] = s[x]; else e[c >> 1] = s[x];
                }
            }
        }
        for (int oy = 0; oy < oh; oy++) {
            float *out = dst + (size_t)oy * ow;
            for (int ox = 0; ox < ow; ox += 8) {
                __m256 acc = b;
                for (int ky = 0; ky < 3; ky++) {
                    const size_t row = (size_t)(oy * stride + ky) * rw;
                    if (stride == 1) {
                        const float *r = scratch + row + ox;
                        acc = _mm256_fmadd_ps(w[ky * 3 + 0], _mm256_loadu_ps(r), acc);
                        acc = _mm256_fmadd_ps(w[ky * 3 + 1], _mm256_loadu_ps(r + 1), acc);
                        acc = _mm256_fmadd_ps(w[ky * 3 + 2], _mm256_loadu_ps(r + 2), acc);
                    } else {
                        // Output ox reads bordered columns 2ox, 2ox + 1, 2ox + 2: even[ox], odd[ox], even[ox + 1].
                        const float *e = even + row + ox, *o = odd + row + ox;
                        acc = _mm256_fmadd_ps(w[ky * 3 + 0], _mm256_loadu_ps(e), acc);
                        acc = _mm256_fmadd_ps(w[ky * 3 + 1], _mm256_loadu_ps(o), acc);
                        acc = _mm256_fmadd_ps(w[ky * 3 + 2], _mm256_loadu_ps(e + 1), acc);
                    }
                }
                if (ox + 8 <= ow) {
                    if (accumulate) acc = _mm256_add_ps(acc, _mm256_loadu_ps(out + ox));
                    _mm256_storeu_ps(out + ox, activate(acc, activation));
                } else {
                    float lane[8], prior[8] = {0};
                    int n = ow - ox;
                    if (accumulate) {
                        memcpy(prior, out + ox, n * sizeof(float));
                        acc = _mm256_add_ps(acc, _mm256_loadu_ps(prior));
                    }
                    _mm256_storeu_ps(lane, activate(acc, activation));
                    memcpy(out + ox, lane, n * sizeof(float));
                }
            }
        }
    }
}
#else
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch) {
    (void)input; (void)output; (void)planes; (void)height; (void)width; (void)stride;
    (void)filter; (void)bias; (void)accumulate; (void)activation; (void)scratch;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use their portable path.
}
#endif
