internal import CFFmpeg

/// Owns an `AVPacket`; frees it (and the buffer it references) with `av_packet_free` exactly once.
final class OwnedPacket {
    let pointer: UnsafeMutablePointer<AVPacket>

    /// Allocates an empty packet and takes ownership of it.
    init() throws(FFmpegStatus) {
        pointer = try FFmpeg.allocatePacket()
    }

    deinit {
        FFmpeg.freePacket(pointer)
    }
}
