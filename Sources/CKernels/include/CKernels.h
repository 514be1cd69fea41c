// Hand-written CPU kernels for ReIDNet's layers where OpenBLAS has nothing to offer: AVX2 + FMA code
// selected at run time (`ck_has_avx2_fma`), so the package still builds and runs on any x86-64 (and on
// other CPUs ReIDNet keeps its portable Swift loops).
#ifndef PANOPTES_CKERNELS_H
#define PANOPTES_CKERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU and build run the AVX2 + FMA kernels below, else 0 (then they must not be called).
int ck_has_avx2_fma(void);

/// 1 when this CPU and build also run AVX-512F, which `ck_sgemm_packed` and `ck_conv_stride2` can use
/// for their whole tiles (their `avx512` argument), else 0.
int ck_has_avx512f(void);

/// 1 where `ck_has_avx512f` and whole tiles run faster two at a time, over two panels where they can (an
/// `avx512` argument of 2 to `ck_sgemm_packed`, `ck_sgemm_packed_tiles` and `ck_conv_stride2`): on
/// Intel's CPUs, whose two 512-bit FMA units one tile's six chains keep only 75% busy. 0 elsewhere (AMD's
/// Zen 4, where pairs ran slower).
int ck_avx512_pairs_pay(void);

/// Floats of scratch `ck_depthwise3x3` needs for one plane of `height`×`width` at `stride` (1 or 2).
size_t ck_depthwise3x3_scratch(int height, int width, int stride);

/// Depthwise 3x3 convolution, padding 1, stride 1 or 2, of `planes` consecutive `height`×`width` input
/// planes that share one filter (one channel over a batch), into consecutive `oh`×`ow` output planes.
///
/// Each output is `bias + Σ filter[ky·3+kx] · in[oy·s+ky−1][ox·s+kx−1]`, the taps summed in (ky, kx)
/// order with fused multiply-adds, then (when `accumulate`) plus the value already in `output`, then the
/// activation (0 identity, 1 relu, 2 relu6), stored once. The arithmetic of a plane depends only on that
/// plane. `scratch` holds `ck_depthwise3x3_scratch` floats; the kernel zeroes it first when `fresh`, else
/// it must hold what an earlier call with the same height, width and stride left there (the calls write
/// only its interior, so its zero border stays): a caller running many channels zeroes it once.
///
/// With `tile_stride` > 0 (one plane, `ow` a multiple of 8), only output rows `row0` ..< `row1` are
/// computed, written in 16-column tiles for `ck_sgemm_packed_tiles`: output q = (oy − row0)·ow + ox at
/// `output + (q / 16)·tile_stride + q % 16` (`output` is the channel's place in the first tile;
/// `tile_stride` is 16 × the channels). `row0` and `row1` are unused otherwise.
///
/// At stride 1, planes at most 8 wide or a multiple of 8 wide go down their rows in place, each input row
/// loaded once for the three output rows that take it, without the scratch.
///
/// With `avx512` (only where `ck_has_avx512f`), planes whose output rows are whole 16-float registers
/// (stride 1: `width` a multiple of 16; stride 2: of 32) or 8 floats (`width` 8 at stride 1, 16 at
/// stride 2: two rows a register) run on AVX-512 without the scratch: the same operations in the same
/// order, so the same bits.
void ck_depthwise3x3(const float *input, float *output, int planes, int height, int width, int stride,
                     const float *filter, float bias, int accumulate, int activation, float *scratch, int fresh,
                     size_t tile_stride, int row0, int row1, int avx512);

/// Floats of scratch `ck_depthwise3x3_channels` needs for `height`×`width` planes at `stride`.
size_t ck_depthwise3x3_channels_scratch(int height, int width, int stride);

/// `ck_depthwise3x3` (without `accumulate`) of `channels` channels, each with its own filter
/// (`filters[c·9 …]`) and bias, over `planes` consecutive planes of each: channel c's planes at
/// `input + c · input_stride` and `output + c · output_stride`. For planes at most 8 wide: eight
/// channels go side by side in the lanes (through `scratch`), where one plane's narrow rows filled half
/// a register and each output waited on a chain of nine dependent multiply-adds. With `avx512` (only
/// where `ck_has_avx512f`), planes 4 wide and 4 to 32 high (a multiple of 4) at stride 1 run instead
/// plane by plane on AVX-512, four rows a register, without the scratch. Every output is computed
/// exactly as `ck_depthwise3x3` computes it.
void ck_depthwise3x3_channels(const float *input, size_t input_stride, float *output, size_t output_stride, int channels,
                              int planes, int height, int width, int stride, const float *filters, const float *biases,
                              int activation, float *scratch, int avx512);

/// Floats of scratch `ck_maxpool3x3s2` needs for planes `width` wide.
size_t ck_maxpool3x3s2_scratch(int width);

/// 3x3 max pooling, stride 2, padding 1 (padding never wins), of `planes` consecutive `height`×`width`
/// planes into consecutive ⌈height/2⌉×⌈width/2⌉ ones: ResNet's stem pooling. Exact, like any maximum.
/// `scratch` holds `ck_maxpool3x3s2_scratch` floats. AVX2 + FMA only.
void ck_maxpool3x3s2(const float *input, float *output, int planes, int height, int width, float *scratch);

/// Rows of A per packed panel, columns of B per micro-tile, and depth per block of `ck_sgemm_packed`.
enum { CK_SGEMM_MR = 6, CK_SGEMM_NR = 16, CK_SGEMM_KC = 512 };

/// 16-column tiles of B that `ck_sgemm_packed` copies and uses together for depth `k`.
int ck_sgemm_block_tiles(int k);

/// B given implicitly as a convolution's im2col matrix: row (ci, ky, kx), column (image, oy, ox) holds
/// input[ci][image0 + image][oy·stride_y − pad_y + ky][ox·stride_x − pad_x + kx], zero in the padding.
/// `input` is channel-major over `planes` images per channel: [channels][planes][height][width].
typedef struct {
    const float *input;
    int planes, height, width, image0;
    int kernel_h, kernel_w, stride_y, stride_x, pad_y, pad_x, out_h, out_w;
} ck_im2col;

/// Columns [`j0`, `j0` + `count`) of row `r` = (ci, ky, kx) of the im2col matrix `s` describes, into
/// `dst`: the one im2col fill, used by `ck_sgemm_packed` (implicit B) and by ReIDNet's explicit matrix
/// (CPUs without the packed product). Portable C; stride-2 rows go eight at a time where the CPU has AVX2.
void ck_im2col_row(const ck_im2col *s, int r, int j0, int count, float *dst);

/// Floats of the `bpanel` scratch `ck_sgemm_packed` needs for depth `k`.
size_t ck_sgemm_panel_count(int k);

/// Floats `ck_sgemm_pack_a` writes for an `m`×`k` matrix: ⌈m/6⌉·6·k.
size_t ck_sgemm_packed_a_count(int m, int k);

/// Packs row-major `a` (`m`×`k`, row stride `lda`) into panels of 6 rows, each stored k-major
/// (`packed[(panel·k + kk)·6 + r]`), the last panel's missing rows as zeros. Portable C.
void ck_sgemm_pack_a(const float *a, int lda, int m, int k, float *packed);

/// C (`m`×`n`, row stride `ldc`) = A·B, or C += A·B when `accumulate` (the chain of each output then
/// starts from C's value), for the 16-column tiles [`tile0`, `tile1`) and the 6-row panels [`panel0`, `panel1`) of C
/// only, so threads can share one product.
///
/// A is packed by `ck_sgemm_pack_a`; B is row-major `k`×`n` (row stride `ldb`). Every output is one
/// chain of fused multiply-adds over kk = 0..<k in order (kept in C between blocks of depth), whatever
/// `n`, the tile or the column's place in it: a column of C depends only on the same column of B.
/// With `bias` (one value per row of C), each output then gets its row's bias added and the activation
/// (0 identity, 1 relu, 2 relu6) applied before its last store: a layer's epilogue with no pass of its own.
/// `bpanel` holds `ck_sgemm_panel_count(k)` floats, 32-byte aligned, best 64 (a block of B's tiles,
/// copied contiguous). AVX2 + FMA only (see `ck_has_avx2_fma`); with `avx512` (only where
/// `ck_has_avx512f`) 1, whole 6x16 tiles run as six 16-float registers, and with 2, adjacent whole
/// tiles two at a time as twelve, or as twenty-four over two whole panels (`ck_avx512_pairs_pay`): the
/// same operations on each output in the same order, so the same bits.
///
/// With `implicit` (then `b` and `ldb` are unused), B is that im2col matrix, gathered from the input
/// block by block into `bpanel`: a convolution's product without the whole matrix in memory. The
/// gathered values, and so the outputs, are those of the explicit matrix.
///
/// `tile_ahead` (at least `tile1`): the tiles up to which the caller is likely to go on after `tile1`,
/// whose first block the last block's products prefetch (`tile1` for none).
void ck_sgemm_packed(int m, int n, int k, const float *packed_a, const float *b, int ldb, const ck_im2col *implicit,
                     float *c, int ldc, int accumulate, const float *bias, int activation, int tile0, int tile1,
                     int tile_ahead, int panel0, int panel1, float *bpanel, int avx512);

/// Claims items of the range [front, back) packed in `*share` (front in the high 32 bits, back in the
/// low), from its front or, with `from_back`, its back, atomically: threads that each own a share take
/// from their own front, and from the others' backs when theirs is done. From the front it claims half of
/// what is left, in whole `grain`s, and at least one `grain` (or what is left); from the back one `grain`.
/// Returns the number claimed (0 when the share is empty), the first at `*first`, and the share's back as
/// it was at `*back`. Portable C.
int ck_claim(long long *share, int grain, int from_back, int *first, int *back);

/// `ck_sgemm_packed` (no `implicit`) on a B that is already in its tiles: tile t (columns 16t ..< 16t + 16)
/// is `k` rows of 16 floats at `b + t·k·16`, 32-byte aligned (B "in 16-column tiles", as a producer can
/// write it: see the `tile_stride` of `ck_depthwise3x3` and of the Winograd input transforms). The
/// products skip the copy; the outputs are the same bits. A last tile's columns past `n` may hold
/// anything: they reach no output.
void ck_sgemm_packed_tiles(int m, int n, int k, const float *packed_a, const float *b, float *c, int ldc, int accumulate,
                           const float *bias, int activation, int tile0, int tile1, int panel0, int panel1, int avx512);

/// Floats of scratch `ck_conv_stride2` needs for bands of `rows` output rows of inputs `width` wide.
size_t ck_conv_stride2_scratch(int channels, int kernel_h, int kernel_w, int stride_y, int pad_x, int width, int out_w,
                               int rows);

/// A convolution of stride 2 across (any stride down) over few input channels, the networks' stems: output
/// rows [`oy0`, `oy1`) of one image, every output channel. The band's input rows are split into their
/// even and odd columns (in `scratch`), and the packed product's kernel reads each tap's row there, so no
/// im2col block is gathered or copied. The same operations as `ck_sgemm_packed` on the implicit im2col
/// matrix (`ck_im2col`, rows (ci, ky, kx)), so the same outputs bit for bit; needs `channels` ·
/// `kernel_h` · `kernel_w` ≤ `CK_SGEMM_KC` (one chain per output).
///
/// `input`: the image's first channel plane, `height`×`width`, the next `channel_stride` floats on;
/// `output`: the image's first output plane (`out_w` wide), the next channel `output_stride` floats on;
/// `packed_a`: the `m`×k weights packed by `ck_sgemm_pack_a`. With `accumulate` each chain starts from
/// the output; `bias`, `activation` and `avx512` as in `ck_sgemm_packed`. AVX2 + FMA only.
void ck_conv_stride2(const float *packed_a, int m, int channels, int kernel_h, int kernel_w, int stride_y, int pad_y,
                     int pad_x, const float *input, size_t channel_stride, int height, int width, int oy0, int oy1,
                     int out_w, float *output, int output_stride, int accumulate, const float *bias, int activation,
                     float *scratch, int avx512);

/// Floats of scratch `ck_winograd4_input` needs for planes `width` wide.
size_t ck_winograd4_input_scratch(int width);

/// Winograd F(4x4,3x3) input transform (Lavin & Gray's matrices, points 0, ±1, ±2, ∞) of the tile rows
/// [`ty0`, `ty1`) of one `height`×`width` plane (padding 1): tile (ty, tx) at rows 4ty − 1 … 4ty + 4 and
/// columns 4tx − 1 … 4tx + 4 (zero outside) becomes V = Bᵀ d B, point ξ (of 36) of tile t = `t0` +
/// (ty − ty0)·⌈width/4⌉ + tx stored at `v[ξ·point + t]`, or, with a `tile_stride`, in the 16-column tiles
/// `ck_sgemm_packed_tiles` multiplies by: `v[ξ·point + (t / 16)·tile_stride + t % 16]` (then `t0` is a
/// multiple of 8, and ⌈width/4⌉ one too or 4). Eight tiles at a time. `scratch`: when `fresh` is 0, as an
/// earlier call on a plane of the same width left it (0: the call zeroes it first). AVX2 + FMA only.
void ck_winograd4_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                        size_t tile_stride, float *scratch, int fresh);

/// Winograd F(4x4,3x3) output transform of the tile rows [`ty0`, `ty1`) into one `height`×`width` plane:
/// Y = Aᵀ M A of each tile (M's point ξ read at `m[ξ·point + (ty − ty0)·⌈width/4⌉ + tx]`); then, clipped
/// to the plane, each output (plus the value already there when `accumulate`) gets `bias` added and the
/// activation (0 identity, 1 relu, 2 relu6) applied, and is stored once. AVX2 + FMA only.
void ck_winograd4_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst,
                         int accumulate, float bias, int activation);

/// Floats of scratch `ck_winograd42_input` needs for planes `width` wide.
size_t ck_winograd42_input_scratch(int width);

/// Winograd F(4x2,3x3) input transform (F(4x4)'s matrices down the rows, F(2x2)'s across the columns) of
/// the tile rows [`ty0`, `ty1`) of one `height`×`width` plane (padding 1): tile (ty, tx) at rows 4ty − 1 …
/// 4ty + 4 and columns 2tx − 1 … 2tx + 2 (zero outside) becomes V = B₄ᵀ d B₂, point ξ = r·4 + c (of 24)
/// stored as `ck_winograd4_input` stores its points, with t = `t0` + (ty − ty0)·⌈width/2⌉ + tx (and with a
/// `tile_stride`, ⌈width/2⌉ a multiple of 8 or 4). Eight tiles at a time; `scratch` and `fresh` as for
/// `ck_winograd4_input`. AVX2 + FMA only.
void ck_winograd42_input(const float *src, int height, int width, int ty0, int ty1, float *v, size_t point, int t0,
                         size_t tile_stride, float *scratch, int fresh);

/// Winograd F(4x2,3x3) output transform of the tile rows [`ty0`, `ty1`) into one `height`×`width` plane:
/// Y = A₄ᵀ M A₂ of each tile (M's point ξ read at `m[ξ·point + (ty − ty0)·⌈width/2⌉ + tx]`), then the
/// residual, bias and activation as `ck_winograd4_output` applies them. AVX2 + FMA only.
void ck_winograd42_output(const float *m, size_t point, int height, int width, int ty0, int ty1, float *dst,
                          int accumulate, float bias, int activation);

/// Bits of fixed-point precision of Pillow's 8-bit resampling coefficients (32 − 8 − 2).
#define CK_RESAMPLE_PRECISION_BITS 22

/// One row of Pillow's horizontal bilinear pass over RGB24: output pixel x (of `out_width`) is
/// clip8(2^21 + Σ_j src[offsets[x] + 3j + c] · weights[x·taps + j]) for each channel c, written packed
/// at `dst`; a tap may carry weight 0, but every one must lie inside the row. Any CPU; with `avx2` (only
/// where `ck_has_avx2_fma`), rows of two taps (enlarging) eight pixels at a time through AVX2 gathers.
void ck_resample_horizontal(const unsigned char *src, const ptrdiff_t *offsets, const int *weights, int taps, int out_width,
                            unsigned char *dst, int avx2);

/// One row of Pillow's vertical pass: dst[x] = clip8(2^21 + Σ_j src[j·stride + x] · weights[j]) for x <
/// `count`. Any CPU (plain C the compiler vectorises).
void ck_resample_vertical(const unsigned char *src, ptrdiff_t stride, const int *weights, int taps, int count,
                          unsigned char *dst);

/// Makes glibc's allocator keep memory the process frees for its next allocations: blocks of up to 32 MiB
/// come from its heap instead of mappings of their own, and the heap is never trimmed. Returns 1 when
/// both settings took (0 elsewhere than glibc). For a process that frees memory only to allocate as much
/// again (`panoptes embed` drops a checkpoint's tensors, then sizes its workspace).
int ck_keep_freed_memory(void);

/// Has the kernel map every whole page of `start ..< start + bytes` now, in one call
/// (`MADV_POPULATE_WRITE`: about half the time of faulting them in one by one), so that the first writes
/// to them do not stop. The contents are kept. On kernels before 5.14, touches each page instead.
void ck_prefault(void *start, size_t bytes);

/// Allocates `bytes` in heap blocks (below `ck_keep_freed_memory`'s mapping threshold) and frees them, then
/// prefaults them on a thread of its own, last block first, while the caller goes on: after
/// `ck_keep_freed_memory`, the allocator's heap holds that much memory for the allocations that follow,
/// mapped by the time they reach it (those that get there first fault their pages in themselves).
void ck_reserve_heap(size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
