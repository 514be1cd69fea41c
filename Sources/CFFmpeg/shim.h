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

/// Converts `src` with `sws_scale` into one packed plane (RGB24) at `dst` with `dst_stride` bytes per row.
static inline int panoptes_sws_scale_to_packed(struct SwsContext *ctx, const AVFrame *src,
                                               uint8_t *dst, int dst_stride) {
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    int strides[4] = { dst_stride, 0, 0, 0 };
    return sws_scale(ctx, (const uint8_t *const *)src->data, src->linesize, 0, src->height, planes, strides);
}

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

#endif
