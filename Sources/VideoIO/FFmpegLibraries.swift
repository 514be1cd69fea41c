internal import CFFmpegLoader

/// FFmpeg's libraries, which this process loads the first time it needs them rather than at its start.
///
/// The executable does not name libavformat, libavcodec, libswscale or libavutil (CFFmpegLoader forwards
/// each call): linked that way, they and the hundred and fifty libraries they depend on were loaded before
/// `main`, which made every `panoptes` start take about 46 ms instead of 12 (`--version`, `tail`,
/// `validate` ...). VideoIO loads them the first time it opens a file, stream or encoder, and decoding
/// PNG and JPEG images (`embed`, `eval`) loads all but libavformat.
enum FFmpegLibraries {
    /// Loads the libraries unless they are loaded (once per process) and routes FFmpeg's log
    /// (``FFmpegLog``'s default), before VideoIO's first FFmpeg call for `path`: every entry point that
    /// opens something calls this first.
    ///
    /// - Parameter containers: false loads only the codec libraries (libavutil, libswscale, libavcodec),
    ///   enough to decode a still image held in memory; libavformat and the forty libraries it brings
    ///   (about 17 of a 30 ms load) wait until something opens a file or stream through it.
    /// - Throws: `VideoError` `.librariesUnavailable` naming `path`, what was being done to it, and the
    ///   library the system could not load.
    static func load(for path: String, operation: String, containers: Bool = true) throws(VideoError) {
        let load = containers ? panoptes_ffmpeg_load : panoptes_ffmpeg_load_codecs
        // Loaded (every call after the first): no message to fetch.
        if load(nil, 0) != 0 {
            FFmpegLog.installDefault()
            return
        }
        var message = [CChar](repeating: 0, count: 512)
        _ = load(&message, message.count)
        throw VideoError(
            kind: .librariesUnavailable, path: path, operation: operation,
            ffmpegMessage: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            hint: "Install FFmpeg's shared libraries (on Debian, apt-get install ffmpeg brings them) and run again")
    }
}
