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

#endif
