internal import CFFmpeg

/// Owns an `AVFormatContext` opened for reading; closes it with `avformat_close_input` exactly once.
final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// Asked by FFmpeg between network waits (its interrupt callback holds it unretained, so the
    /// context keeps it alive).
    private let watchdog: ReadWatchdog?

    /// Opens `url` and reads its stream parameters; takes ownership of the resulting context. With a
    /// `watchdog`, the open, the probe and every later read can be cut short by it.
    init(url: String, options: [String: String], watchdog: ReadWatchdog? = nil) throws(FFmpegStatus) {
        self.watchdog = watchdog
        watchdog?.beginOpen()
        let context = try FFmpeg.openInput(url, options: options, watchdog: watchdog)
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
