internal import CFFmpeg

/// Converts decoded pictures to RGB24 pixels as the `ffmpeg` CLI does (swscale at the same size with its
/// flags, following each picture's colour tags): `VideoReader` for every frame, `ImageDecoder` for a
/// still image. It keeps its scaler while the pictures keep their size and format, and reuses the last
/// storage it returned once nothing else holds it.
final class RGBConverter {
    private let threads: Int32
    private var scaler: ScaleContext?
    /// An empty frame that briefly wraps each output buffer for `sws_scale_frame`.
    private let scratch: OwnedFrame
    /// The storage of the last picture converted, reused when the caller has let go of it.
    private var spare: PixelStorage?

    /// A converter whose swscale contexts use `threads` threads (0: swscale's choice).
    init(threads: Int32) throws(FFmpegStatus) {
        self.threads = threads
        scratch = try OwnedFrame()
    }

    /// `picture`'s pixels as RGB24 rows of ``PixelStorage/alignedStride(width:)`` bytes.
    ///
    /// - Parameters:
    ///   - url: the input, for errors.
    ///   - what: the picture, for errors (`frame 12`).
    /// - Throws: `VideoError` `.decodeFailed` when swscale cannot convert the picture.
    func convert(_ picture: UnsafeMutablePointer<AVFrame>, url: String, what: String) throws(VideoError)
        -> (storage: PixelStorage, stride: Int) {
        let width = picture.pointee.width, height = picture.pointee.height, format = picture.pointee.format
        if scaler.map({ !$0.accepts(width: width, height: height, format: format) }) ?? true {
            do {
                scaler = try ScaleContext(
                    sourceWidth: width, sourceHeight: height, sourceFormat: format,
                    destinationWidth: width, destinationHeight: height, destinationFormat: FFmpeg.rgb24,
                    threads: threads)
            } catch {
                throw VideoError(
                    kind: .decodeFailed, path: url, operation: "convert \(what) of",
                    ffmpegMessage: "swscale cannot convert \(FFmpeg.pixelFormatName(format)) \(width)x\(height) to rgb24",
                    hint: "The decoded picture has a size or pixel format swscale does not support")
            }
        }
        let stride = PixelStorage.alignedStride(width: Int(width))
        let byteCount = stride * Int(height)
        let storage: PixelStorage
        // Checked on `spare` itself: binding it to another variable first would add a reference.
        if isKnownUniquelyReferenced(&spare), let reusable = spare, reusable.byteCount == byteCount {
            storage = reusable
        } else {
            storage = PixelStorage(byteCount: byteCount, zeroed: false)
        }
        spare = nil
        let converter = scaler!
        let tags = FFmpeg.colorTags(picture)
        if converter.appliedColorTags != tags {
            FFmpeg.followColorspace(converter.pointer, of: picture)
            converter.appliedColorTags = tags
        }
        let status = FFmpeg.scale(
            converter.pointer, picture, scratch: scratch.pointer, to: storage.bytes, stride: stride,
            byteCount: byteCount, format: FFmpeg.rgb24)
        if status < 0 {
            throw VideoError(
                kind: .decodeFailed, path: url, operation: "convert \(what) of",
                ffmpegMessage: FFmpeg.errorMessage(status), ffmpegCode: status,
                hint: "swscale failed to convert the decoded picture to RGB24")
        }
        spare = storage
        return (storage, stride)
    }
}
