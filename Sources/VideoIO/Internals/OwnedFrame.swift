internal import CFFmpeg

/// Owns an `AVFrame`; frees it (and any buffers it references) with `av_frame_free` exactly once.
final class OwnedFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    /// Allocates an empty frame and takes ownership of it.
    init() throws(FFmpegStatus) {
        pointer = try FFmpeg.allocateFrame()
    }

    deinit {
        FFmpeg.freeFrame(pointer)
    }
}
