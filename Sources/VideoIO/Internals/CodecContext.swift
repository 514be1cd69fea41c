internal import CFFmpeg

/// Owns an `AVCodecContext` (decoder or encoder); frees it with `avcodec_free_context` exactly once.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    let codec: UnsafePointer<AVCodec>

    /// Allocates a context for `codec` and takes ownership of it.
    init(codec: UnsafePointer<AVCodec>) throws(FFmpegStatus) {
        pointer = try FFmpeg.allocateCodecContext(codec)
        self.codec = codec
    }

    deinit {
        FFmpeg.freeCodecContext(pointer)
    }

    /// Opens the codec with private `options` (wraps `avcodec_open2`).
    func open(options: [String: String] = [:]) throws(FFmpegStatus) {
        try FFmpeg.openCodec(pointer, codec, options: options)
    }
}
