// What the kernels share (not part of the module's interface): the x86 intrinsics, the activation
// codes' vector form, the even/odd split of a row, and where a value goes in 16-column tiles.
#ifndef PANOPTES_CKERNELS_INTERNAL_H
#define PANOPTES_CKERNELS_INTERNAL_H

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1

/// The activation of eight values: 0 identity, 1 relu, 2 relu6.
__attribute__((target("avx2,fma")))
static inline __m256 ck_activate(__m256 x, int activation) {
    if (activation == 0) return x;
    x = _mm256_max_ps(x, _mm256_setzero_ps());
    if (activation == 2) x = _mm256_min_ps(x, _mm256_set1_ps(6.0f));
    return x;
}

/// The activation of sixteen values, as `ck_activate` does it to each eight (the same operations, so
/// the same bits).
__attribute__((target("avx512f,avx2,fma")))
static inline __m512 ck_activate16(__m512 x, int activation) {
    if (activation == 0) return x;
    x = _mm512_max_ps(x, _mm512_setzero_ps());
    if (activation == 2) x = _mm512_min_ps(x, _mm512_set1_ps(6.0f));
    return x;
}

/// Stores the first `n` (1 … 8) lanes of `v` and nothing past them. Not `vmaskmovps`: a masked store is
/// microcoded on AMD before Zen 4 and was most of the time of narrow rows (8x4 maps, 2-tile rows).
__attribute__((target("avx2,fma")))
static inline void ck_store_first(float *dst, __m256 v, int n) {
    if (n >= 8) { _mm256_storeu_ps(dst, v); return; }
    __m128 part = _mm256_castps256_ps128(v);
    if (n >= 4) { _mm_storeu_ps(dst, part); part = _mm256_extractf128_ps(v, 1); dst += 4; n -= 4; }
    if (n >= 2) { _mm_storel_pi((__m64 *)dst, part); part = _mm_movehl_ps(part, part); dst += 2; n -= 2; }
    if (n >= 1) _mm_store_ss(dst, part);
}

/// The first `n` (1 … 8) floats at `src` in the low lanes, zeros above; reads nothing past them.
__attribute__((target("avx2,fma")))
static inline __m256 ck_load_first(const float *src, int n) {
    if (n >= 8) return _mm256_loadu_ps(src);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_maskload_ps(src, mask);
}

/// The even-indexed floats of the sixteen in `a` then `b` (`odd`: the odd-indexed ones). The shuffle picks
/// (a0 a2 b0 b2 | a4 a6 b4 b6); the 64-bit permute puts the halves in order.
#define ck_even_lanes(a, b) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps((a), (b), 0x88)), 0xD8))
#define ck_odd_lanes(a, b) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps((a), (b), 0xDD)), 0xD8))

/// Splits `count` floats of a row into its even-indexed values (to `evens`) and odd-indexed ones (to
/// `odds`), sixteen at a time.
__attribute__((target("avx2,fma")))
static inline void ck_split_row(float *evens, float *odds, const float *src, int count) {
    int x = 0;
    for (; x + 16 <= count; x += 16) {
        const __m256 a = _mm256_loadu_ps(src + x), b = _mm256_loadu_ps(src + x + 8);
        _mm256_storeu_ps(evens + x / 2, ck_even_lanes(a, b));
        _mm256_storeu_ps(odds + x / 2, ck_odd_lanes(a, b));
    }
    for (; x < count; x++) {
        if (x & 1) odds[x / 2] = src[x]; else evens[x / 2] = src[x];
    }
}
#endif

/// Where column q of a row starting at `row` goes: `row + q`, or with `tile_stride` > 0 its place in the
/// 16-column tiles `ck_sgemm_packed_tiles` multiplies by (`row` is then the row's place in the first
/// tile). Eight columns from a multiple of eight stay in one tile.
static inline float *ck_tile_at(float *row, int q, size_t tile_stride) {
    return tile_stride ? row + (size_t)(q >> 4) * tile_stride + (q & 15) : row + q;
}

#endif
