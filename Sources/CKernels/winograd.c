#include "CKernels.h"

#include <string.h>

#include "kernels.h"

// Tiles across a row `n` wide: of 4 columns (F(4x4)), of 2 (F(4x2)).
static int tiles4_of(int n) { return (n + 3) / 4; }
static int tiles2_of(int n) { return (n + 1) / 2; }

size_t ck_winograd4_input_scratch(int width) {
    // Ten rows (two tile rows' worth) of four phases, each with room for 8-wide loads one tile past the last.
    return 40 * (size_t)(tiles4_of(width) + 16);
}

size_t ck_winograd42_input_scratch(int width) {
    // Ten rows (two tile rows' worth), each split into even and odd columns with a zero before and room
    // for 8-wide loads.
    return 20 * (size_t)(tiles2_of(width) + 16);
}

#ifdef CK_X86
// The output transforms' last step for `n` consecutive outputs held in `values` (eight per vector): plus
// the value already there when `accumulate` (a residual), plus the bias, the activation, one store.
__attribute__((target("avx2,fma")))
static inline void finish_outputs(float *dst, const __m256 *values, int n, int accumulate, __m256 bias, int activation) {
    for (int i = 0; i < n; i += 8) {
        __m256 value = values[i / 8];
        if (n - i >= 8) {
            if (accumulate) value = _mm256_add_ps(_mm256_loadu_ps(dst + i), value);
            _mm256_storeu_ps(dst + i, ck_activate(_mm256_add_ps(value, bias), activation));
        } else {
            if (accumulate) value = _mm256_add_ps(ck_load_first(dst + i, n - i), value);
            ck_store_first(dst + i, ck_activate(_mm256_add_ps(value, bias), activation), n - i);
        }
    }
}

// The outputs of two tile rows held in one set of vectors (a map row of four tiles: the first tile row in
// lanes 0-3, the second in 4-7), each through finish_outputs: output row r of tile row ty + half, `side`
// rows a tile row, is the `per_half` vectors at rows + (r·2 + half)·per_half (rows[r][half · per_half …]).
__attribute__((target("avx2,fma")))
static inline void finish_tile_row_pair(const __m256 *rows, int side, int per_half, int ty, int height, int width, float *dst,
                                        int accumulate, __m256 bias, int activation) {
    for (int half = 0; half < 2; half++) {
        for (int r = 0; r < side; r++) {
            const int y = side * (ty + half) + r;
            if (y >= height) break;
            finish_outputs(dst + (size_t)y * width, rows + (size_t)(r * 2 + half) * per_half, width, accumulate, bias, activation);
        }
    }
}

// Four floats from `low` in the low half, four from `high` in the high half.
__attribute__((target("avx2,fma")))
static inline __m256 ck_halves(const float *low, const float *high) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(low)), _mm_loadu_ps(high), 1);
}

// F(4x4,3x3). Tile (ty, tx) reads rows 4ty − 1 … 4ty + 4 and columns 4tx − 1 … 4tx + 4. Each row is split
// into four phases, q[p][j] = row[4j + p − 1] (zero outside the row), so the tile's six columns are
// q[0][tx], q[1][tx], q[2][tx], q[3][tx], q[0][tx + 1], q[1][tx + 1]: eight tiles are then six 8-wide loads.

__attribute__((target("avx2,fma")))
static inline void split_row4(float *q, size_t pitch, const float *row, int width) {
    // Value x goes to phase (x + 1) mod 4, at (x + 1) div 4.
    const __m256i pairs = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    int x = 0;
    for (; x + 32 <= width; x += 32) {
        // Each vector's (p, p + 4) pairs as doubles, then a 4x4 transpose of doubles: phase p of x … x + 31.
        const __m256d a = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_loadu_ps(row + x), pairs));
        const __m256d b = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_loadu_ps(row + x + 8), pairs));
        const __m256d c = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_loadu_ps(row + x + 16), pairs));
        const __m256d d = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_loadu_ps(row + x + 24), pairs));
        const __m256d abLo = _mm256_unpacklo_pd(a, b), abHi = _mm256_unpackhi_pd(a, b);
        const __m256d cdLo = _mm256_unpacklo_pd(c, d), cdHi = _mm256_unpackhi_pd(c, d);
        const size_t j = (size_t)x / 4;
        _mm256_storeu_ps(q + pitch + j, _mm256_castpd_ps(_mm256_permute2f128_pd(abLo, cdLo, 0x20)));
        _mm256_storeu_ps(q + 2 * pitch + j, _mm256_castpd_ps(_mm256_permute2f128_pd(abHi, cdHi, 0x20)));
        _mm256_storeu_ps(q + 3 * pitch + j, _mm256_castpd_ps(_mm256_permute2f128_pd(abLo, cdLo, 0x31)));
        _mm256_storeu_ps(q + j + 1, _mm256_castpd_ps(_mm256_permute2f128_pd(abHi, cdHi, 0x31)));
    }
    for (; x < width; x++) q[(size_t)((x + 1) & 3) * pitch + (size_t)((x + 1) >> 2)] = row[x];
}

// Bᵀ applied to six vectors (rows or columns of a tile): Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0;
// 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1].
__attribute__((target("avx2,fma")))
static inline void input_rows4(const __m256 d[6], __m256 t[6]) {
    const __m256 four = _mm256_set1_ps(4.0f), minusFour = _mm256_set1_ps(-4.0f), minusFive = _mm256_set1_ps(-5.0f);
    const __m256 two = _mm256_set1_ps(2.0f), minusTwo = _mm256_set1_ps(-2.0f);
    const __m256 d31 = _mm256_sub_ps(d[3], d[1]), d42 = _mm256_sub_ps(d[4], d[2]);
    t[0] = _mm256_fmadd_ps(four, d[0], _mm256_fmadd_ps(minusFive, d[2], d[4]));
    t[1] = _mm256_fmadd_ps(minusFour, _mm256_add_ps(d[1], d[2]), _mm256_add_ps(d[3], d[4]));
    t[2] = _mm256_fmadd_ps(four, _mm256_sub_ps(d[1], d[2]), _mm256_sub_ps(d[4], d[3]));
    t[3] = _mm256_fmadd_ps(two, d31, d42);
    t[4] = _mm256_fmadd_ps(minusTwo, d31, d42);
    t[5] = _mm256_fmadd_ps(four, d[1], _mm256_fmadd_ps(minusFive, d[3], d[5]));
}

// Bᵀ d B of eight tiles, d[r][c] holding position (r, c) of each (a tile per lane), stored at
// v[(r·6 + c)·point + i] for the first `n` lanes: t = Bᵀ d column by column, then V = t B row by row.
__attribute__((target("avx2,fma")))
static inline void input_tiles4(__m256 d[6][6], float *v, int tile, size_t tile_stride, size_t point, int n) {
    v = ck_tile_at(v, tile, tile_stride);
    __m256 t[6][6];
    for (int c = 0; c < 6; c++) {
        __m256 column[6], rows[6];
        for (int r = 0; r < 6; r++) column[r] = d[r][c];
        input_rows4(column, rows);
        for (int r = 0; r < 6; r++) t[r][c] = rows[r];
    }
    for (int r = 0; r < 6; r++) {
        __m256 out[6];
        input_rows4(t[r], out);
        for (int c = 0; c < 6; c++) ck_store_first(v + (size_t)(r * 6 + c) * point, out[c], n);
    }
}

// The input transforms of the tile rows [`ty0`, `ty1`) for tiles of 4 rows (F(4x4) and F(4x2)): `split`
// puts input row y of a tile row's rows 4ty − 1 … 4ty + 4 into slot y − (4ty − 1) of the scratch (zeros for a
// row outside the plane, `row` NULL), and `tiles` gathers eight tiles from slots 0-5 and transforms them
// into V. Maps of four tiles a row (13-16 wide in F(4x4), 7-8 in F(4x2); ResNet-50's 16- and 8-wide ones go
// through `input_register_rows` instead) take two tile rows at a time: slots 0-9 hold rows
// 4ty − 1 … 4ty + 8, and `tiles` with `pair` fills lanes 0-3 from slots 0-5 and lanes 4-7 from slots 4-9,
// the first row's tiles then the second's, as they sit in V; each lane's operations are those of a tile
// row alone.
// A row's values land on the same places of its slot every time, so the places outside the row stay as
// the first zeroing left them: after a `fresh` call only slots of rows outside the plane are zeroed again.
typedef void (*split_slot_fn)(float *scratch, size_t pitch, int slot, const float *row, int width);
typedef void (*slot_tiles_fn)(const float *scratch, size_t pitch, int tx, int pair, float *v, int tile, size_t tile_stride,
                              size_t point, int n);

__attribute__((target("avx2,fma"), always_inline))
static inline void input_tile_rows(split_slot_fn split, slot_tiles_fn tiles, int tilesX, size_t scratch_floats, const float *src,
                                   int height, int width, int ty0, int ty1, float *v, size_t point, int t0, size_t tile_stride,
                                   float *scratch, int fresh) {
    const size_t pitch = (size_t)tilesX + 16;
    if (fresh) memset(scratch, 0, scratch_floats * sizeof(float));
    int ty = ty0;
    const int pairs = tilesX == 4;
    for (; pairs && ty + 2 <= ty1; ty += 2) {
        for (int r = 0; r < 10; r++) {
            const int y = 4 * ty - 1 + r;
            split(scratch, pitch, r, y >= 0 && y < height ? src + (size_t)y * width : NULL, width);
        }
        tiles(scratch, pitch, 0, 1, v, t0 + (ty - ty0) * tilesX, tile_stride, point, 8);
    }
    for (; ty < ty1; ty++) {
        for (int r = 0; r < 6; r++) {
            const int y = 4 * ty - 1 + r;
            split(scratch, pitch, r, y >= 0 && y < height ? src + (size_t)y * width : NULL, width);
        }
        const int base = t0 + (ty - ty0) * tilesX;
        for (int tx = 0; tx < tilesX; tx += 8) tiles(scratch, pitch, tx, 0, v, base + tx, tile_stride, point, tilesX - tx < 8 ? tilesX - tx : 8);
    }
}

// Eight floats from `p`, or with `pair` four from `p` and four from `p + next` (the same place four slots on).
__attribute__((target("avx2,fma"), always_inline))
static inline __m256 slot_load(const float *p, int pair, size_t next) {
    return pair ? ck_halves(p, p + next) : _mm256_loadu_ps(p);
}

// F(4x4)'s slot r: four phases of `pitch` floats from scratch + r·4·pitch.
__attribute__((target("avx2,fma"), always_inline))
static inline void split_slot4(float *scratch, size_t pitch, int slot, const float *row, int width) {
    float *q = scratch + (size_t)slot * 4 * pitch;
    if (row) split_row4(q, pitch, row, width);
    else memset(q, 0, 4 * pitch * sizeof(float));
}

__attribute__((target("avx2,fma"), always_inline))
static inline void slot_tiles4(const float *scratch, size_t pitch, int tx, int pair, float *v, int tile, size_t tile_stride,
                               size_t point, int n) {
    __m256 d[6][6];
    for (int c = 0; c < 6; c++) {
        const size_t offset = (size_t)(c & 3) * pitch + (size_t)tx + (c >= 4 ? 1 : 0);
        for (int r = 0; r < 6; r++) d[r][c] = slot_load(scratch + (size_t)r * 4 * pitch + offset, pair, 16 * pitch);
    }
    input_tiles4(d, v, tile, tile_stride, point, n);
}

// The input transforms of the tile rows [`ty0`, `ty1`) of a map of four tiles a row whose tiles' columns
// come from the rows' registers: `columns` puts row r of two tile rows' tiles (lanes 0-3 from row `lo`,
// 4-7 from `hi`; NULL outside the plane) into the `per_row` vectors from d + r · `per_row`, and `tiles`
// transforms the six rows' vectors into V, two tile rows at a time (the last alone when they are odd).
typedef void (*register_columns_fn)(const float *lo, const float *hi, __m256 *d);
typedef void (*register_tiles_fn)(__m256 *d, float *v, int tile, size_t tile_stride, size_t point, int n);

__attribute__((target("avx2,fma"), always_inline))
static inline void input_register_rows(register_columns_fn columns, int per_row, register_tiles_fn tiles, const float *src,
                                       int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                                       size_t tile_stride) {
    for (int ty = ty0; ty < ty1; ty += 2) {
        const int pair = ty + 1 < ty1;
        __m256 d[36];
        for (int r = 0; r < 6; r++) {
            const int y = 4 * ty - 1 + r, y1 = y + 4;
            columns(y >= 0 && y < height ? src + (size_t)y * width : NULL, pair && y1 < height ? src + (size_t)y1 * width : NULL,
                    d + r * per_row);
        }
        tiles(d, v, t0 + (ty - ty0) * 4, tile_stride, point, pair ? 8 : 4);
    }
}

// F(4x4) on a map 16 wide (ResNet-50's layer2 at 256x128 and 384x128: four tiles a row, two tile rows a
// vector): each tile's six columns row[4t − 1 … 4t + 4] of rows `lo` (lanes 0-3) and `hi` (lanes 4-7; either
// NULL for a row outside the plane) from the rows' registers, a 4x4 transpose of each row's four groups of
// four, zero before and past the row. (Through the scratch, as for F(4x2) on 8-wide maps, the loads stalled
// on the scalar stores before them.) The same values reach the same operations: the same bits.
__attribute__((target("avx2,fma"), always_inline))
static inline void columns4_width16(const float *lo, const float *hi, __m256 *d) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256 a = lo ? _mm256_loadu_ps(lo) : zero, b = lo ? _mm256_loadu_ps(lo + 8) : zero;
    const __m256 c = hi ? _mm256_loadu_ps(hi) : zero, e = hi ? _mm256_loadu_ps(hi + 8) : zero;
    // Group t of both rows: lo[4t …] in the low half, hi[4t …] in the high half.
    const __m256 g0 = _mm256_permute2f128_ps(a, c, 0x20), g1 = _mm256_permute2f128_ps(a, c, 0x31);
    const __m256 g2 = _mm256_permute2f128_ps(b, e, 0x20), g3 = _mm256_permute2f128_ps(b, e, 0x31);
    const __m256 t0 = _mm256_unpacklo_ps(g0, g1), t1 = _mm256_unpackhi_ps(g0, g1);
    const __m256 t2 = _mm256_unpacklo_ps(g2, g3), t3 = _mm256_unpackhi_ps(g2, g3);
    // Phase p: row[4t + p] for t = 0 … 3.
    const __m256 p0 = _mm256_shuffle_ps(t0, t2, 0x44), p1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 p2 = _mm256_shuffle_ps(t1, t3, 0x44), p3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    d[0] = _mm256_blend_ps(_mm256_permute_ps(p3, _MM_SHUFFLE(2, 1, 0, 0)), zero, 0x11);
    d[1] = p0;
    d[2] = p1;
    d[3] = p2;
    d[4] = p3;
    d[5] = _mm256_blend_ps(_mm256_permute_ps(p0, _MM_SHUFFLE(3, 3, 2, 1)), zero, 0x88);
}

__attribute__((target("avx2,fma"), always_inline))
static inline void tiles4_of_rows(__m256 *d, float *v, int tile, size_t tile_stride, size_t point, int n) {
    input_tiles4((__m256 (*)[6])d, v, tile, tile_stride, point, n);
}


__attribute__((target("avx2,fma")))
void ck_winograd4_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                        size_t tile_stride, float *scratch, int fresh) {
    if (width == 16) {
        input_register_rows(columns4_width16, 6, tiles4_of_rows, src, height, 16, ty0, ty1, v, point, t0, tile_stride);
        return;
    }
    input_tile_rows(split_slot4, slot_tiles4, tiles4_of(width), ck_winograd4_input_scratch(width), src, height, width, ty0, ty1, v,
                    point, t0, tile_stride, scratch, fresh);
}

// Aᵀ applied to six vectors: Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
__attribute__((target("avx2,fma")))
static inline void output_rows4(const __m256 m[6], __m256 s[4]) {
    const __m256 sum12 = _mm256_add_ps(m[1], m[2]), diff12 = _mm256_sub_ps(m[1], m[2]);
    const __m256 sum34 = _mm256_add_ps(m[3], m[4]), diff34 = _mm256_sub_ps(m[3], m[4]);
    s[0] = _mm256_add_ps(_mm256_add_ps(sum12, sum34), m[0]);
    s[1] = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), diff34, diff12);
    s[2] = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), sum34, sum12);
    s[3] = _mm256_fmadd_ps(_mm256_set1_ps(8.0f), diff34, _mm256_add_ps(diff12, m[5]));
}

// Aᵀ M A of eight tiles whose 6x6 values are at q[i·point] (`count` lanes loaded, a tile per lane): for
// each output row r, the tiles' four columns interleaved, out[r·4 … r·4 + 3] = columns 0-7, 8-15, 16-23 and
// 24-31 of eight tiles side by side. s = Aᵀ M column by column, then Y = s A row by row.
__attribute__((target("avx2,fma")))
static inline void output_tiles4(const float *q, size_t point, int count, __m256 *out) {
    __m256 s[4][6];
    for (int c = 0; c < 6; c++) {
        __m256 column[6], rows[4];
        for (int r = 0; r < 6; r++) column[r] = ck_load_first(q + (size_t)(r * 6 + c) * point, count);
        output_rows4(column, rows);
        for (int r = 0; r < 4; r++) s[r][c] = rows[r];
    }
    for (int r = 0; r < 4; r++) {
        __m256 yv[4];
        output_rows4(s[r], yv);
        const __m256 lo01 = _mm256_unpacklo_ps(yv[0], yv[1]), hi01 = _mm256_unpackhi_ps(yv[0], yv[1]);
        const __m256 lo23 = _mm256_unpacklo_ps(yv[2], yv[3]), hi23 = _mm256_unpackhi_ps(yv[2], yv[3]);
        const __m256 t04 = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(lo01), _mm256_castps_pd(lo23)));
        const __m256 t15 = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(lo01), _mm256_castps_pd(lo23)));
        const __m256 t26 = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(hi01), _mm256_castps_pd(hi23)));
        const __m256 t37 = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(hi01), _mm256_castps_pd(hi23)));
        out[r * 4] = _mm256_permute2f128_ps(t04, t15, 0x20);
        out[r * 4 + 1] = _mm256_permute2f128_ps(t26, t37, 0x20);
        out[r * 4 + 2] = _mm256_permute2f128_ps(t04, t15, 0x31);
        out[r * 4 + 3] = _mm256_permute2f128_ps(t26, t37, 0x31);
    }
}

// The output transforms of the tile rows [`ty0`, `ty1`) for tiles of 4 rows by `columns` (4: F(4x4), 2:
// F(4x2)), eight tiles a call of `transform`, which leaves each output row's `columns` vectors (8·columns
// consecutive outputs) side by side. Maps of four tiles a row take two tile rows a call: lanes 0-3 give
// output rows 4ty … 4ty + 3 and lanes 4-7 the next four.
typedef void (*output_tiles_fn)(const float *q, size_t point, int count, __m256 *rows);

__attribute__((target("avx2,fma")))
static inline void output_tile_rows(output_tiles_fn transform, int columns, const float *m, size_t point, int height, int width,
                                    int ty0, int ty1, float *dst, int accumulate, float bias, int activation) {
    const int tilesX = (width + columns - 1) / columns;
    const __m256 biasVector = _mm256_set1_ps(bias);
    int ty = ty0;
    if (tilesX == 4) {
        for (; ty + 2 <= ty1; ty += 2) {
            __m256 rows[16];
            transform(m + (size_t)(ty - ty0) * tilesX, point, 8, rows);
            finish_tile_row_pair(rows, 4, columns / 2, ty, height, width, dst, accumulate, biasVector, activation);
        }
    }
    for (; ty < ty1; ty++) {
        const float *q = m + (size_t)(ty - ty0) * tilesX;
        for (int tx = 0; tx < tilesX; tx += 8) {
            __m256 rows[16];
            transform(q + tx, point, tilesX - tx < 8 ? tilesX - tx : 8, rows);
            for (int r = 0; r < 4; r++) {
                const int y = 4 * ty + r;
                if (y >= height) break;
                // 8·columns consecutive outputs from column columns·tx, then the residual, the bias and the
                // activation: the layer's epilogue, in this pass.
                const int x = columns * tx, n = width - x < 8 * columns ? width - x : 8 * columns;
                finish_outputs(dst + (size_t)y * width + x, rows + r * columns, n, accumulate, biasVector, activation);
            }
        }
    }
}

__attribute__((target("avx2,fma")))
void ck_winograd4_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst, int accumulate,
                         float bias, int activation) {
    output_tile_rows(output_tiles4, 4, m, point, height, width, ty0, ty1, dst, accumulate, bias, activation);
}

// F(4x2,3x3): tiles of 4 output rows by 2 columns, F(4) (points 0, ±1, ±2, ∞) down the rows and F(2) (0, ±1,
// ∞) across the columns. Tile (ty, tx) reads rows 4ty − 1 … 4ty + 4 and columns 2tx − 1 … 2tx + 2; point
// ξ = r·4 + c (r < 6, c < 4). Each row is split into its even and odd columns (`ck_split_row`), so eight
// tiles' columns are four 8-wide loads; the tile rows go through F(4x4)'s `input_tile_rows`.

// Bᵀ₄ d B₂ of eight tiles whose 6x4 inputs are d[r][c] (a vector per position, a tile per lane), stored at
// v[(r·4 + c)·point + i] for the first `n` lanes: each row's F(2) column transform, then F(4)'s row
// transform of each column.
__attribute__((target("avx2,fma")))
static inline void input_tiles42(__m256 d[6][4], float *v, int tile, size_t tile_stride, size_t point, int n) {
    v = ck_tile_at(v, tile, tile_stride);
    __m256 t[4][6];
    for (int r = 0; r < 6; r++) {
        t[0][r] = _mm256_sub_ps(d[r][0], d[r][2]);
        t[1][r] = _mm256_add_ps(d[r][1], d[r][2]);
        t[2][r] = _mm256_sub_ps(d[r][2], d[r][1]);
        t[3][r] = _mm256_sub_ps(d[r][1], d[r][3]);
    }
    for (int c = 0; c < 4; c++) {
        __m256 out[6];
        input_rows4(t[c], out);
        for (int r = 0; r < 6; r++) ck_store_first(v + (size_t)(r * 4 + c) * point, out[r], n);
    }
}

// F(4x2)'s slot r: evens[r][j] = row[2j] at scratch + r·pitch, odds[r][j] = row[2j − 1] at scratch +
// (10 + r)·pitch (0 before the row and past it), so tile t's columns 2t − 1 … 2t + 2 are odds[t], evens[t],
// odds[t + 1], evens[t + 1].
__attribute__((target("avx2,fma"), always_inline))
static inline void split_slot42(float *scratch, size_t pitch, int slot, const float *row, int width) {
    float *evens = scratch + (size_t)slot * pitch, *odds = scratch + (size_t)(10 + slot) * pitch;
    if (row) {
        ck_split_row(evens, odds + 1, row, width);
    } else {
        memset(evens, 0, pitch * sizeof(float));
        memset(odds, 0, pitch * sizeof(float));
    }
}

__attribute__((target("avx2,fma"), always_inline))
static inline void slot_tiles42(const float *scratch, size_t pitch, int tx, int pair, float *v, int tile, size_t tile_stride,
                                size_t point, int n) {
    __m256 d[6][4];
    for (int r = 0; r < 6; r++) {
        const float *e = scratch + (size_t)r * pitch + tx, *o = scratch + (size_t)(10 + r) * pitch + tx;
        d[r][0] = slot_load(o, pair, 4 * pitch);
        d[r][1] = slot_load(e, pair, 4 * pitch);
        d[r][2] = slot_load(o + 1, pair, 4 * pitch);
        d[r][3] = slot_load(e + 1, pair, 4 * pitch);
    }
    input_tiles42(d, v, tile, tile_stride, point, n);
}

// F(4x2) on a map 8 wide (ResNet-50's layer3 and layer4 at 256x128 and 384x128: four tiles a row, two
// tile rows a vector): each tile's four columns of rows `lo` (lanes 0-3) and `hi` (lanes 4-7; either NULL
// for a row outside the plane) straight from the rows' registers: odds[t] = row[2t − 1], evens[t],
// odds[t + 1], evens[t + 1], zero before and past the row. Through the scratch (`input_tile_rows`), a row
// narrower than sixteen went in scalar stores, and the 16-byte loads over them stalled on store
// forwarding: perf put 59% of this transform's samples on one such load. The same values reach the same
// operations, so the same bits; ResNet-50 at batch 8 took 0.7-1.4% less time (alternating in-process runs,
// 20 turns, outputs identical), F(4x4) on 16-wide maps (below) 0.8-1% more on top.
__attribute__((target("avx2,fma"), always_inline))
static inline void columns42_width8(const float *lo, const float *hi, __m256 *d) {
    const __m256 zero = _mm256_setzero_ps();
    const __m256 a = lo ? _mm256_loadu_ps(lo) : zero, b = hi ? _mm256_loadu_ps(hi) : zero;
    const __m256 evens = ck_even_lanes(a, b), odds = ck_odd_lanes(a, b);
    d[0] = _mm256_blend_ps(_mm256_permute_ps(odds, _MM_SHUFFLE(2, 1, 0, 0)), zero, 0x11);
    d[1] = evens;
    d[2] = odds;
    d[3] = _mm256_blend_ps(_mm256_permute_ps(evens, _MM_SHUFFLE(3, 3, 2, 1)), zero, 0x88);
}

__attribute__((target("avx2,fma"), always_inline))
static inline void tiles42_of_rows(__m256 *d, float *v, int tile, size_t tile_stride, size_t point, int n) {
    input_tiles42((__m256 (*)[4])d, v, tile, tile_stride, point, n);
}


__attribute__((target("avx2,fma")))
void ck_winograd42_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                         size_t tile_stride, float *scratch, int fresh) {
    if (width == 8) {
        input_register_rows(columns42_width8, 4, tiles42_of_rows, src, height, 8, ty0, ty1, v, point, t0, tile_stride);
        return;
    }
    input_tile_rows(split_slot42, slot_tiles42, tiles2_of(width), ck_winograd42_input_scratch(width), src, height, width, ty0,
                    ty1, v, point, t0, tile_stride, scratch, fresh);
}

// A₄ᵀ M A₂ of eight tiles whose 6x4 values are at q[i·point] (`count` lanes loaded, a tile per lane): each
// row's F(2) column transform, then F(4)'s row transform of each of the two columns; for output row r the
// tiles' two columns interleaved, rows[r·2] for tiles 0-3 (eight columns) and rows[r·2 + 1] for tiles 4-7.
__attribute__((target("avx2,fma")))
static inline void output_tiles42(const float *q, size_t point, int count, __m256 *rows) {
    __m256 s[2][6];
    for (int r = 0; r < 6; r++) {
        const __m256 m0 = ck_load_first(q + (size_t)(r * 4) * point, count);
        const __m256 m1 = ck_load_first(q + (size_t)(r * 4 + 1) * point, count);
        const __m256 m2 = ck_load_first(q + (size_t)(r * 4 + 2) * point, count);
        const __m256 m3 = ck_load_first(q + (size_t)(r * 4 + 3) * point, count);
        s[0][r] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
        s[1][r] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
    }
    __m256 y[2][4];
    output_rows4(s[0], y[0]);
    output_rows4(s[1], y[1]);
    for (int r = 0; r < 4; r++) {
        const __m256 lo = _mm256_unpacklo_ps(y[0][r], y[1][r]), hi = _mm256_unpackhi_ps(y[0][r], y[1][r]);
        rows[r * 2] = _mm256_permute2f128_ps(lo, hi, 0x20);
        rows[r * 2 + 1] = _mm256_permute2f128_ps(lo, hi, 0x31);
    }
}

__attribute__((target("avx2,fma")))
void ck_winograd42_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst, int accumulate,
                          float bias, int activation) {
    output_tile_rows(output_tiles42, 2, m, point, height, width, ty0, ty1, dst, accumulate, bias, activation);
}
#else
void ck_winograd4_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                        size_t tile_stride, float *scratch, int fresh) {
    (void)src; (void)height; (void)width; (void)ty0; (void)ty1; (void)v; (void)point; (void)t0; (void)tile_stride;
    (void)scratch; (void)fresh;
    __builtin_trap();  // ck_has_avx2_fma() is 0 here: callers use their portable path.
}

void ck_winograd4_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst, int accumulate,
                         float bias, int activation) {
    (void)m; (void)point; (void)height; (void)width; (void)ty0; (void)ty1; (void)dst; (void)accumulate; (void)bias;
    (void)activation;
    __builtin_trap();
}

void ck_winograd42_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                         size_t tile_stride, float *scratch, int fresh) {
    (void)src; (void)height; (void)width; (void)ty0; (void)ty1; (void)v; (void)point; (void)t0; (void)tile_stride;
    (void)scratch; (void)fresh;
    __builtin_trap();
}

void ck_winograd42_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst, int accumulate,
                          float bias, int activation) {
    (void)m; (void)point; (void)height; (void)width; (void)ty0; (void)ty1; (void)dst; (void)accumulate; (void)bias;
    (void)activation;
    __builtin_trap();
}
#endif
