// Pillow's bilinear resampling passes for 8-bit RGB (`BilinearResampler` in ReIDNet): plain C that the
// compiler vectorises for any x86-64 (the vertical pass), and AVX2 gathers for the horizontal pass's
// two-tap rows (enlarging, what nearly every person box needs), where Swift's loops ran scalar with a
// range check per value. Integer arithmetic, so exact in any order.
#include "CKernels.h"

#include <stdint.h>

#include "kernels.h"

// Pillow's clip8: the fixed-point sum shifted back to 8 bits, clamped to 0 ... 255.
static inline uint8_t clip8(int32_t value) {
    const int32_t v = value >> CK_RESAMPLE_PRECISION_BITS;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

#ifdef CK_X86
// Two-tap pixels x ... while ten remain, eight at a time: one gather a channel loads, for each of the
// eight, four bytes from its first tap's channel, whose first byte is that tap's and whose last is the
// second tap's (three bytes on); the 24 output bytes go out as two 16-byte stores, each of whose last
// four bytes the next store (or the scalar tail: at least two pixels are left) writes again.
// Returns the next pixel.
__attribute__((target("avx2,fma")))
static int horizontal_two_taps_avx2(const uint8_t *src, const ptrdiff_t *offsets, const int32_t *weights, int out_width,
                                    uint8_t *dst) {
    const __m256i half = _mm256_set1_epi32(1 << (CK_RESAMPLE_PRECISION_BITS - 1));
    const __m256i byte = _mm256_set1_epi32(0xff), zero = _mm256_setzero_si256();
    const __m256i pair = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    // Each 128-bit half's four pixels (one per 32-bit lane, 0x00BBGGRR) to twelve packed bytes.
    const __m256i pack = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                          0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    int x = 0;
    for (; x + 10 <= out_width; x += 8) {
        // The offsets (to 32 bits: a row's bytes fit) and the weights, tap 0 then tap 1, eight of each.
        const __m256i o = _mm256_setr_epi32((int)offsets[x], (int)offsets[x + 1], (int)offsets[x + 2], (int)offsets[x + 3],
                                            (int)offsets[x + 4], (int)offsets[x + 5], (int)offsets[x + 6], (int)offsets[x + 7]);
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)(weights + 2 * x));
        const __m256i w1 = _mm256_loadu_si256((const __m256i *)(weights + 2 * x + 8));
        const __m256i k0 = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(w0, pair),
                                                      _mm256_permutevar8x32_epi32(w1, pair), 0x20);
        const __m256i k1 = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(w0, pair),
                                                      _mm256_permutevar8x32_epi32(w1, pair), 0x31);
        __m256i word = zero;
        for (int c = 0; c < 3; c++) {
            const __m256i g = _mm256_i32gather_epi32((const int *)(src + c), o, 1);
            __m256i v = _mm256_add_epi32(half, _mm256_mullo_epi32(_mm256_and_si256(g, byte), k0));
            v = _mm256_add_epi32(v, _mm256_mullo_epi32(_mm256_srli_epi32(g, 24), k1));
            v = _mm256_srai_epi32(v, CK_RESAMPLE_PRECISION_BITS);
            v = _mm256_min_epi32(_mm256_max_epi32(v, zero), byte);
            word = _mm256_or_si256(word, _mm256_slli_epi32(v, 8 * c));
        }
        const __m256i packed = _mm256_shuffle_epi8(word, pack);
        _mm_storeu_si128((__m128i *)(dst + 3 * x), _mm256_castsi256_si128(packed));
        _mm_storeu_si128((__m128i *)(dst + 3 * x + 12), _mm256_extracti128_si256(packed, 1));
    }
    return x;
}
#endif

void ck_resample_horizontal(const uint8_t *src, const ptrdiff_t *offsets, const int32_t *weights, int taps, int out_width,
                            uint8_t *dst, int avx2) {
    const int32_t half = 1 << (CK_RESAMPLE_PRECISION_BITS - 1);
    if (taps == 2) {
        // Enlarging: two taps a pixel.
        int x = 0;
#ifdef CK_X86
        if (avx2) x = horizontal_two_taps_avx2(src, offsets, weights, out_width, dst);
#else
        (void)avx2;
#endif
        for (; x < out_width; x++) {
            const uint8_t *p = src + offsets[x];
            const int32_t k0 = weights[2 * x], k1 = weights[2 * x + 1];
            dst[3 * x] = clip8(half + p[0] * k0 + p[3] * k1);
            dst[3 * x + 1] = clip8(half + p[1] * k0 + p[4] * k1);
            dst[3 * x + 2] = clip8(half + p[2] * k0 + p[5] * k1);
        }
        return;
    }
    for (int x = 0; x < out_width; x++) {
        const uint8_t *p = src + offsets[x];
        const int32_t *k = weights + (size_t)x * taps;
        int32_t r = half, g = half, b = half;
        for (int j = 0; j < taps; j++) {
            r += p[3 * j] * k[j];
            g += p[3 * j + 1] * k[j];
            b += p[3 * j + 2] * k[j];
        }
        dst[3 * x] = clip8(r);
        dst[3 * x + 1] = clip8(g);
        dst[3 * x + 2] = clip8(b);
    }
}

void ck_resample_vertical(const uint8_t *src, ptrdiff_t stride, const int32_t *weights, int taps, int count, uint8_t *dst) {
    const int32_t half = 1 << (CK_RESAMPLE_PRECISION_BITS - 1);
    if (taps == 2) {
        const uint8_t *l0 = src, *l1 = src + stride;
        const int32_t k0 = weights[0], k1 = weights[1];
        for (int x = 0; x < count; x++) dst[x] = clip8(half + l0[x] * k0 + l1[x] * k1);
        return;
    }
    if (taps == 3) {
        const uint8_t *l0 = src, *l1 = src + stride, *l2 = src + 2 * stride;
        const int32_t k0 = weights[0], k1 = weights[1], k2 = weights[2];
        for (int x = 0; x < count; x++) dst[x] = clip8(half + l0[x] * k0 + l1[x] * k1 + l2[x] * k2);
        return;
    }
    // Shrinking: the taps' rows added a stretch of the row at a time.
    enum { STRETCH = 256 };
    int32_t sums[STRETCH];
    for (int x0 = 0; x0 < count; x0 += STRETCH) {
        const int n = count - x0 < STRETCH ? count - x0 : STRETCH;
        for (int x = 0; x < n; x++) sums[x] = half;
        for (int j = 0; j < taps; j++) {
            const uint8_t *line = src + j * stride + x0;
            const int32_t k = weights[j];
            for (int x = 0; x < n; x++) sums[x] += line[x] * k;
        }
        for (int x = 0; x < n; x++) dst[x0 + x] = clip8(sums[x]);
    }
}
