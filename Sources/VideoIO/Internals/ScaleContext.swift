internal import CFFmpeg

/// Owns a swscale `SwsContext` converting one size and pixel format into another; frees it with
/// `sws_freeContext` exactly once.
final class ScaleContext {
    let pointer: OpaquePointer
    let sourceWidth: Int32, sourceHeight: Int32, sourceFormat: Int32

    /// Creates a converter with the ffmpeg CLI's default flags (`SWS_BICUBIC`) and takes ownership of it.
    init(
        sourceWidth: Int32, sourceHeight: Int32, sourceFormat: Int32,
        destinationWidth: Int32, destinationHeight: Int32, destinationFormat: Int32
    ) throws(FFmpegStatus) {
        pointer = try FFmpeg.makeScaler(
            sourceWidth: sourceWidth, sourceHeight: sourceHeight, sourceFormat: sourceFormat,
            destinationWidth: destinationWidth, destinationHeight: destinationHeight,
            destinationFormat: destinationFormat, flags: FFmpeg.cliScaleFlags)
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.sourceFormat = sourceFormat
    }

    deinit {
        FFmpeg.freeScaler(pointer)
    }

    /// Whether this converter accepts frames of this size and format.
    func accepts(width: Int32, height: Int32, format: Int32) -> Bool {
        width == sourceWidth && height == sourceHeight && format == sourceFormat
    }
}
