internal import CFFmpeg

/// Owns an `AVFormatContext` opened for reading; closes it with `avformat_close_input` exactly once.
final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    /// Opens `url` and reads its stream parameters; takes ownership of the resulting context.
    init(url: String, options: [String: String]) throws(FFmpegStatus) {
        let context = try FFmpeg.openInput(url, options: options)
        do {
            try FFmpeg.findStreamInfo(context)
        } catch {
            FFmpeg.closeInput(context)
            throw error
        }
        pointer = context
    }

    deinit {
        FFmpeg.closeInput(pointer)
    }

    /// The stream at `index`.
    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream> {
        pointer.pointee.streams[Int(index)]!
    }
}
