/// A video or image operation failed; `description` is the sentence a user reads.
///
/// Every error names the file or URL, the operation that failed, FFmpeg's own message when FFmpeg
/// reported one, and what to do about it.
public struct VideoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, as a closed set a caller can switch over.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// FFmpeg could not open the input (`avformat_open_input` or `avformat_find_stream_info` failed).
        case openFailed
        /// The input opened but holds no video stream that FFmpeg can decode.
        case noVideoStream
        /// No decoder or encoder for the codec is built into this FFmpeg.
        case codecUnavailable
        /// Reading from the input failed mid-stream (`av_read_frame` returned an error other than EOF).
        case readFailed
        /// Decoding failed in a way that skipping packets cannot recover from.
        case decodeFailed
        /// The output could not be created or written.
        case writeFailed
        /// Encoding a frame failed.
        case encodeFailed
        /// An argument is outside what the operation supports (odd size for 4:2:0, frame of the wrong size ...).
        case invalidArgument
        /// The input holds no picture at all.
        case empty
        /// FFmpeg's shared libraries could not be loaded (VideoIO loads them when it first needs them).
        case librariesUnavailable
    }

    /// What went wrong.
    public var kind: Kind
    /// The file path or URL concerned.
    public var path: String
    /// What Panoptes was doing, in words ("open", "decode", "write header" ...).
    public var operation: String
    /// FFmpeg's own message (from `av_strerror`), when FFmpeg reported an error code; for
    /// `.librariesUnavailable`, the system loader's message naming the library.
    public var ffmpegMessage: String?
    /// FFmpeg's negative error code, when there was one.
    public var ffmpegCode: Int32?
    /// What the user can do about it.
    public var hint: String

    /// Creates an error; prefer the static constructors used inside VideoIO.
    public init(
        kind: Kind, path: String, operation: String, ffmpegMessage: String? = nil, ffmpegCode: Int32? = nil,
        hint: String
    ) {
        self.kind = kind
        self.path = path
        self.operation = operation
        self.ffmpegMessage = ffmpegMessage
        self.ffmpegCode = ffmpegCode
        self.hint = hint
    }

    /// One line: `cannot <operation> '<path>': <FFmpeg's message>. <hint>`.
    public var description: String {
        var text = "cannot \(operation) '\(path)'"
        if let ffmpegMessage { text += ": \(ffmpegMessage)" }
        if !hint.isEmpty { text += ". \(hint)" }
        return text
    }
}
