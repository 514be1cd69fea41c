#include "CFFmpegLoader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/md5.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

// Every FFmpeg function Panoptes calls (VideoIO, and CFFmpeg's inline helpers): library, return type,
// name, parameters, arguments. A forwarder's signature must match the header's declaration of the same
// name, so a wrong line here does not compile.
#define PANOPTES_FFMPEG_FUNCTIONS(X, V)                                                                           \
    X(UTIL, AVBufferRef *, av_buffer_create, (uint8_t *data, size_t size, void (*free)(void *, uint8_t *), void *opaque, int flags), (data, size, free, opaque, flags)) \
    V(UTIL, av_dict_free, (AVDictionary **m), (m))                                                                \
    X(UTIL, int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags)) \
    X(UTIL, AVFrame *, av_frame_alloc, (void), ())                                                                \
    V(UTIL, av_frame_free, (AVFrame **frame), (frame))                                                            \
    X(UTIL, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))                                \
    X(UTIL, int, av_frame_make_writable, (AVFrame *frame), (frame))                                               \
    V(UTIL, av_frame_unref, (AVFrame *frame), (frame))                                                            \
    V(UTIL, av_free, (void *ptr), (ptr))                                                                          \
    X(UTIL, enum AVPixelFormat, av_get_pix_fmt, (const char *name), (name))                                       \
    X(UTIL, const char *, av_get_pix_fmt_name, (enum AVPixelFormat pix_fmt), (pix_fmt))                           \
    X(UTIL, int, av_log_format_line2, (void *ptr, int level, const char *fmt, va_list vl, char *line, int line_size, int *print_prefix), (ptr, level, fmt, vl, line, line_size, print_prefix)) \
    V(UTIL, av_log_set_callback, (void (*callback)(void *, int, const char *, va_list)), (callback))              \
    V(UTIL, av_log_set_level, (int level), (level))                                                               \
    X(UTIL, struct AVMD5 *, av_md5_alloc, (void), ())                                                             \
    V(UTIL, av_md5_final, (struct AVMD5 *ctx, uint8_t *dst), (ctx, dst))                                          \
    V(UTIL, av_md5_init, (struct AVMD5 *ctx), (ctx))                                                              \
    V(UTIL, av_md5_update, (struct AVMD5 *ctx, const uint8_t *src, size_t len), (ctx, src, len))                  \
    X(UTIL, int, av_opt_set_int, (void *obj, const char *name, int64_t val, int search_flags), (obj, name, val, search_flags)) \
    X(UTIL, int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))      \
    X(SWSCALE, struct SwsContext *, sws_alloc_context, (void), ())                                                \
    V(SWSCALE, sws_freeContext, (struct SwsContext *swsContext), (swsContext))                                    \
    X(SWSCALE, const int *, sws_getCoefficients, (int colorspace), (colorspace))                                  \
    X(SWSCALE, int, sws_getColorspaceDetails, (struct SwsContext *c, int **inv_table, int *srcRange, int **table, int *dstRange, int *brightness, int *contrast, int *saturation), (c, inv_table, srcRange, table, dstRange, brightness, contrast, saturation)) \
    X(SWSCALE, int, sws_init_context, (struct SwsContext *sws_context, SwsFilter *srcFilter, SwsFilter *dstFilter), (sws_context, srcFilter, dstFilter)) \
    X(SWSCALE, int, sws_scale, (struct SwsContext *c, const uint8_t *const srcSlice[], const int srcStride[], int srcSliceY, int srcSliceH, uint8_t *const dst[], const int dstStride[]), (c, srcSlice, srcStride, srcSliceY, srcSliceH, dst, dstStride)) \
    X(SWSCALE, int, sws_scale_frame, (struct SwsContext *c, AVFrame *dst, const AVFrame *src), (c, dst, src))     \
    X(SWSCALE, int, sws_setColorspaceDetails, (struct SwsContext *c, const int inv_table[4], int srcRange, const int table[4], int dstRange, int brightness, int contrast, int saturation), (c, inv_table, srcRange, table, dstRange, brightness, contrast, saturation)) \
    X(CODEC, int, av_new_packet, (AVPacket *pkt, int size), (pkt, size))                                          \
    X(CODEC, AVPacket *, av_packet_alloc, (void), ())                                                             \
    V(CODEC, av_packet_free, (AVPacket **pkt), (pkt))                                                             \
    V(CODEC, av_packet_rescale_ts, (AVPacket *pkt, AVRational tb_src, AVRational tb_dst), (pkt, tb_src, tb_dst))  \
    V(CODEC, av_packet_unref, (AVPacket *pkt), (pkt))                                                             \
    X(CODEC, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))                           \
    X(CODEC, const AVCodecDescriptor *, avcodec_descriptor_get, (enum AVCodecID id), (id))                        \
    X(CODEC, const AVCodec *, avcodec_find_decoder, (enum AVCodecID id), (id))                                    \
    X(CODEC, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))                           \
    V(CODEC, avcodec_free_context, (AVCodecContext **avctx), (avctx))                                             \
    X(CODEC, const char *, avcodec_get_name, (enum AVCodecID id), (id))                                           \
    X(CODEC, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options), (avctx, codec, options)) \
    X(CODEC, int, avcodec_parameters_from_context, (AVCodecParameters *par, const AVCodecContext *codec), (par, codec)) \
    X(CODEC, int, avcodec_parameters_to_context, (AVCodecContext *codec, const AVCodecParameters *par), (codec, par)) \
    X(CODEC, int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))                 \
    X(CODEC, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *avpkt), (avctx, avpkt))               \
    X(CODEC, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))              \
    X(CODEC, int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))            \
    X(FORMAT, int, av_find_best_stream, (AVFormatContext *ic, enum AVMediaType type, int wanted_stream_nb, int related_stream, const AVCodec **decoder_ret, int flags), (ic, type, wanted_stream_nb, related_stream, decoder_ret, flags)) \
    X(FORMAT, AVRational, av_guess_frame_rate, (AVFormatContext *ctx, AVStream *stream, AVFrame *frame), (ctx, stream, frame)) \
    X(FORMAT, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))                     \
    X(FORMAT, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))                                  \
    X(FORMAT, int, av_write_trailer, (AVFormatContext *s), (s))                                                   \
    X(FORMAT, AVFormatContext *, avformat_alloc_context, (void), ())                                              \
    X(FORMAT, int, avformat_alloc_output_context2, (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename), (ctx, oformat, format_name, filename)) \
    V(FORMAT, avformat_close_input, (AVFormatContext **s), (s))                                                   \
    X(FORMAT, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))       \
    V(FORMAT, avformat_free_context, (AVFormatContext *s), (s))                                                   \
    X(FORMAT, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))                    \
    X(FORMAT, int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options), (ps, url, fmt, options)) \
    X(FORMAT, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))             \
    X(FORMAT, int, avio_closep, (AVIOContext **s), (s))                                                           \
    X(FORMAT, int, avio_open, (AVIOContext **s, const char *url, int flags), (s, url, flags))

// The libraries, in the order they are opened (each after those it depends on), by the major versions of
// the headers built against: the same ABI the linker would have asked for.
enum { UTIL, SWSCALE, CODEC, FORMAT, LIBRARIES };
#ifdef __APPLE__
#define PANOPTES_SONAME(name, major) "lib" name "." AV_STRINGIFY(major) ".dylib"
#else
#define PANOPTES_SONAME(name, major) "lib" name ".so." AV_STRINGIFY(major)
#endif
static const char *const library_names[LIBRARIES] = {
    PANOPTES_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR), PANOPTES_SONAME("swscale", LIBSWSCALE_VERSION_MAJOR),
    PANOPTES_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR), PANOPTES_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR),
};

// The real functions, filled once by `load` before `once` completes (pthread_once orders those writes
// before every reader that passes it).
#define PANOPTES_POINTER(lib, ret, name, params, args) static __typeof__(&name) real_##name;
#define PANOPTES_POINTER_VOID(lib, name, params, args) static __typeof__(&name) real_##name;
PANOPTES_FFMPEG_FUNCTIONS(PANOPTES_POINTER, PANOPTES_POINTER_VOID)

// Two tiers, each loaded once: the codec libraries (libavutil, libswscale, libavcodec), which decoding a
// still image needs, and libavformat (containers, streams, protocols), which brings about forty more
// libraries of its own (17 ms of a 30 ms load) and which only videos and streams need.
enum { CODECS, FORMATS, TIERS };
static const int tier_end[TIERS] = {FORMAT, LIBRARIES};
static pthread_once_t once[TIERS] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT};
static int loaded[TIERS];
static char failure[TIERS][512];

static int resolve(int tier, void *handle, const char *library, const char *name, void **slot) {
    *slot = dlsym(handle, name);
    if (*slot) return 1;
    snprintf(failure[tier], sizeof failure[tier], "%s has no function %s (built against other FFmpeg headers?)", library, name);
    return 0;
}

// Opens the libraries of `tier` and fills the pointers of their functions.
static void load_tier(int tier) {
    void *handles[LIBRARIES] = {0};
    for (int i = tier == CODECS ? 0 : tier_end[tier - 1]; i < tier_end[tier]; i++) {
        handles[i] = dlopen(library_names[i], RTLD_NOW | RTLD_LOCAL);
        if (!handles[i]) {
            const char *reason = dlerror();
            snprintf(failure[tier], sizeof failure[tier], "cannot load FFmpeg's %s: %s", library_names[i],
                     reason ? reason : "unknown error");
            return;
        }
    }
#define PANOPTES_RESOLVE(lib, ret, name, params, args)                                                        \
    if (handles[lib] && !resolve(tier, handles[lib], library_names[lib], #name, (void **)&real_##name)) return;
#define PANOPTES_RESOLVE_VOID(lib, name, params, args) PANOPTES_RESOLVE(lib, void, name, params, args)
    PANOPTES_FFMPEG_FUNCTIONS(PANOPTES_RESOLVE, PANOPTES_RESOLVE_VOID)
    loaded[tier] = 1;
}

static void load_codecs(void) { load_tier(CODECS); }

static void load_formats(void) {
    pthread_once(&once[CODECS], load_codecs);
    if (!loaded[CODECS]) {
        memcpy(failure[FORMATS], failure[CODECS], sizeof failure[FORMATS]);
        return;
    }
    load_tier(FORMATS);
}

static int load(int tier, char *message, size_t size) {
    pthread_once(&once[tier], tier == CODECS ? load_codecs : load_formats);
    if (!loaded[tier] && message && size > 0) snprintf(message, size, "%s", failure[tier]);
    return loaded[tier];
}

int panoptes_ffmpeg_load_codecs(char *message, size_t size) { return load(CODECS, message, size); }

int panoptes_ffmpeg_load(char *message, size_t size) { return load(FORMATS, message, size); }

// A call that reaches FFmpeg before VideoIO could report a failed load (VideoIO loads first and throws
// VideoError): the process cannot go on without the function, so say which library is missing and stop.
static void require(int library) {
    const int tier = library < FORMAT ? CODECS : FORMATS;
    if (load(tier, NULL, 0)) return;
    fprintf(stderr, "panoptes: %s; install FFmpeg's shared libraries (on Debian, apt-get install ffmpeg brings them) "
                    "and run again\n", failure[tier]);
    abort();
}

#define PANOPTES_FORWARD(lib, ret, name, params, args) \
    __attribute__((visibility("hidden"))) ret name params { require(lib); return real_##name args; }
#define PANOPTES_FORWARD_VOID(lib, name, params, args) \
    __attribute__((visibility("hidden"))) void name params { require(lib); real_##name args; }
PANOPTES_FFMPEG_FUNCTIONS(PANOPTES_FORWARD, PANOPTES_FORWARD_VOID)
