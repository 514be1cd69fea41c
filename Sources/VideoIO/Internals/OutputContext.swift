internal import CFFmpeg

/// Owns an `AVFormatContext` for writing and its output file; closes the file (`avio_closep`) and
/// frees the context (`avformat_free_context`) exactly once.
final class OutputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    /// Allocates an output context for `path` (container from the extension, or `formatName`) and
    /// takes ownership of it. The file is opened later by `openFile()`.
    init(path: String, formatName: String?) throws(FFmpegStatus) {
        pointer = try FFmpeg.allocateOutput(path: path, formatName: formatName)
    }

    deinit {
        FFmpeg.closeOutput(pointer)
    }

    /// Opens the output file unless the format writes none.
    func openFile(path: String) throws(FFmpegStatus) {
        if FFmpeg.needsFile(pointer) {
            try FFmpeg.openOutputFile(pointer, path: path)
        }
    }
}
