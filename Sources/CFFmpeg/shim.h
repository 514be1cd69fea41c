#ifndef PANOPTES_CFFMPEG_SHIM_H
#define PANOPTES_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/log.h>
#include <libavutil/md5.h>

// Swift cannot import function-like macros; these prefixed wrappers stand in for them.

/// `AVERROR(EAGAIN)`: the codec wants more input (or output must be drained first).
static inline int panoptes_averror_eagain(void) { return AVERROR(EAGAIN); }
/// `AVERROR_EOF`: end of stream.
static inline int panoptes_averror_eof(void) { return AVERROR_EOF; }
/// `AVERROR(ENOMEM)`.
static inline int panoptes_averror_enomem(void) { return AVERROR(ENOMEM); }
/// `AV_NOPTS_VALUE`: a timestamp that is not set (a 64-bit constant macro Swift imports poorly).
static inline int64_t panoptes_nopts_value(void) { return AV_NOPTS_VALUE; }
/// `av_err2str` is a macro over a compound literal; this writes FFmpeg's message for `code` into `buf`.
static inline const char *panoptes_av_err2str(int code, char *buf, size_t size) {
    return av_make_error_string(buf, size, code);
}

// Helpers over AVFrame's fixed-size `data`/`linesize` arrays, which Swift imports as tuples.

/// Converts one packed plane (RGB24) of `height` rows at `src` with `sws_scale` into the planes of `dst`.
static inline int panoptes_sws_scale_from_packed(struct SwsContext *ctx, const uint8_t *src, int src_stride,
                                                 int height, AVFrame *dst) {
    const uint8_t *planes[4] = { src, NULL, NULL, NULL };
    int strides[4] = { src_stride, 0, 0, 0 };
    return sws_scale(ctx, planes, strides, 0, height, dst->data, dst->linesize);
}

/// Bit mask `AV_FRAME_FLAG_CORRUPT` of `AVFrame.flags`: the decoder concealed errors in this frame.
static inline int panoptes_frame_is_corrupt(const AVFrame *frame) {
    return (frame->flags & AV_FRAME_FLAG_CORRUPT) != 0 || frame->decode_error_flags != 0;
}

/// `AVERROR_INVALIDDATA`: invalid data found when processing input.
static inline int panoptes_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// `AVERROR_DECODER_NOT_FOUND`.
static inline int panoptes_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
/// `FF_QP2LAMBDA`: scale from a quantiser to the lambda that `global_quality` expects.
static inline int panoptes_qp2lambda(void) { return FF_QP2LAMBDA; }

/// No-op free callback for `av_buffer_create` over memory owned elsewhere (a Swift `PixelStorage`).
static inline void panoptes_free_nothing(void *opaque, uint8_t *data) { (void)opaque; (void)data; }

/// Converts `src` into one packed plane at `dst` with `sws_scale_frame`, the call the ffmpeg CLI's
/// scale filter makes (it runs swscale's slice threads; plain `sws_scale` does not).
///
/// `scratch` is an empty frame reused between calls: it briefly wraps `dst` in a buffer reference
/// whose free callback does nothing, and is unreferenced before returning, so nothing keeps `dst`.
static inline int panoptes_sws_scale_frame_to_packed(struct SwsContext *ctx, AVFrame *scratch, const AVFrame *src,
                                                     uint8_t *dst, int dst_stride, size_t dst_size, int dst_format) {
    scratch->buf[0] = av_buffer_create(dst, dst_size, panoptes_free_nothing, NULL, 0);
    if (!scratch->buf[0]) return AVERROR(ENOMEM);
    scratch->data[0] = dst;
    scratch->linesize[0] = dst_stride;
    scratch->width = src->width;
    scratch->height = src->height;
    scratch->format = dst_format;
    int ret = sws_scale_frame(ctx, scratch, src);
    av_frame_unref(scratch);
    return ret;
}

/// Sets the converter's YCbCr matrix and input range from the frame's tags, as the ffmpeg CLI's
/// scale filter (vf_scale, options `in_color_matrix=auto`, ranges unset) does for every frame:
/// the matrix of `frame->colorspace` (BT.601 / BT.470BG when unspecified or unknown), used for
/// output too; full input range when `frame->color_range` says JPEG, limited when it says MPEG,
/// unchanged when unspecified.
static inline void panoptes_sws_follow_frame_colorspace(struct SwsContext *ctx, const AVFrame *frame) {
    int *inv_table, *table, in_full, out_full, brightness, contrast, saturation;
    if (sws_getColorspaceDetails(ctx, &inv_table, &in_full, &table, &out_full,
                                 &brightness, &contrast, &saturation) < 0)
        return;
    int colorspace = frame->colorspace;
    if (colorspace < 1 || colorspace > 10 || colorspace == 8)
        colorspace = AVCOL_SPC_BT470BG;
    const int *coefficients = sws_getCoefficients(colorspace);
    if (frame->color_range != AVCOL_RANGE_UNSPECIFIED)
        in_full = frame->color_range == AVCOL_RANGE_JPEG;
    sws_setColorspaceDetails(ctx, coefficients, in_full, coefficients, out_full, brightness, contrast, saturation);
}

/// Creates an unopened swscale context with the options the CLI's scale filter sets
/// (`srcw`, `srch`, `src_format`, `dstw`, `dsth`, `dst_format`, `sws_flags`, `threads`), then
/// initialises it; NULL on failure.
static inline struct SwsContext *panoptes_sws_make(int src_w, int src_h, int src_format, int dst_w, int dst_h,
                                                   int dst_format, int flags, int threads) {
    struct SwsContext *ctx = sws_alloc_context();
    if (!ctx) return NULL;
    av_opt_set_int(ctx, "srcw", src_w, 0);
    av_opt_set_int(ctx, "srch", src_h, 0);
    av_opt_set_int(ctx, "src_format", src_format, 0);
    av_opt_set_int(ctx, "dstw", dst_w, 0);
    av_opt_set_int(ctx, "dsth", dst_h, 0);
    av_opt_set_int(ctx, "dst_format", dst_format, 0);
    av_opt_set_int(ctx, "sws_flags", flags, 0);
    av_opt_set_int(ctx, "threads", threads, 0);
    if (sws_init_context(ctx, NULL, NULL) < 0) {
        sws_freeContext(ctx);
        return NULL;
    }
    return ctx;
}

#endif
