internal import CFFmpeg

/// Encodes RGB24 frames into a video file: H.264 through libx264 when this FFmpeg has it, else
/// MPEG-4 part 2; the container follows the file extension (`.mp4`, `.mkv`, `.avi` ...).
///
/// ```swift
/// let writer = try VideoWriter(path: "out.mp4", width: 640, height: 480, frameRate: Rational(25, 1))
/// for frame in frames { try writer.append(frame) }
/// try writer.finish()
/// ```
///
/// Frame `i` appended is shown at time `i / frameRate`. Pictures are encoded as yuv420p, so width
/// and height must be even.
///
/// - Note: Not `Sendable`; use from one task. Call `finish()` to flush the encoder and complete the
///   file; a writer released without `finish()` frees everything but leaves an incomplete file.
public final class VideoWriter {
    /// The video codec to encode with.
    public enum Codec: String, Sendable, CaseIterable {
        /// libx264 when available, else MPEG-4 part 2.
        case automatic
        /// H.264 through libx264 (fails with `.codecUnavailable` if this FFmpeg lacks it).
        case h264
        /// MPEG-4 part 2 through FFmpeg's native encoder.
        case mpeg4
    }

    /// How to encode.
    public struct Options: Sendable {
        /// Codec. Default `.automatic`.
        public var codec: Codec
        /// Quality: x264's CRF for H.264 (0 lossless ... 51; default 18, visually near-lossless), the
        /// fixed quantiser for MPEG-4 (2 best ... 31; default 2). `nil` picks the default.
        public var quality: Int?
        /// x264 preset (speed against size). Default "veryfast".
        public var preset: String
        /// Encoder threads; 0 lets FFmpeg choose. Default 0.
        public var threadCount: Int
        /// Container name (as `ffmpeg -f`), or `nil` to follow the file extension. Default `nil`.
        public var container: String?

        /// Creates options; every parameter has the documented default.
        public init(
            codec: Codec = .automatic, quality: Int? = nil, preset: String = "veryfast", threadCount: Int = 0,
            container: String? = nil
        ) {
            self.codec = codec
            self.quality = quality
            self.preset = preset
            self.threadCount = threadCount
            self.container = container
        }
    }

    /// The file being written.
    public let path: String
    /// Picture width in pixels.
    public let width: Int
    /// Picture height in pixels.
    public let height: Int
    /// Frames per second.
    public let frameRate: Rational
    /// The FFmpeg encoder in use ("libx264" or "mpeg4").
    public let encoderName: String
    /// Frames appended so far.
    public private(set) var framesWritten = 0

    private let output: OutputContext
    private let stream: UnsafeMutablePointer<AVStream>
    private let encoder: FrameEncoder
    private var finished = false

    /// Creates `path` and prepares to encode `width` x `height` frames at `frameRate`.
    ///
    /// - Throws: `VideoError` `.invalidArgument` for odd or non-positive sizes or a non-positive
    ///   rate, `.codecUnavailable` when the codec is missing, `.writeFailed` when the file or its
    ///   header cannot be written (FFmpeg's message included), `.librariesUnavailable` when FFmpeg's
    ///   libraries cannot be loaded.
    public init(
        path: String, width: Int, height: Int, frameRate: Rational, options: Options = Options()
    ) throws(VideoError) {
        try FFmpegLibraries.load(for: path, operation: "write video to")
        guard width > 0, height > 0, width % 2 == 0, height % 2 == 0 else {
            throw VideoError(
                kind: .invalidArgument, path: path, operation: "write \(width)x\(height) video to",
                hint: "Width and height must be positive and even (frames are encoded as 4:2:0)")
        }
        guard frameRate.isValid else {
            throw VideoError(
                kind: .invalidArgument, path: path, operation: "write video at \(frameRate) fps to",
                hint: "The frame rate must be a positive fraction such as 25/1 or 30000/1001")
        }
        self.path = path
        self.width = width
        self.height = height
        self.frameRate = frameRate
        let useH264: Bool
        switch options.codec {
        case .h264: useH264 = true
        case .mpeg4: useH264 = false
        case .automatic: useH264 = FFmpeg.findEncoder(named: "libx264") != nil
        }
        encoderName = useH264 ? "libx264" : "mpeg4"
        do {
            output = try OutputContext(path: path, formatName: options.container)
        } catch {
            throw VideoError(
                kind: .writeFailed, path: path, operation: "choose a container for", ffmpegMessage: error.message,
                ffmpegCode: error.code, hint: "Use a known extension (.mp4, .mkv, .avi) or set Options.container")
        }
        let globalHeader = FFmpeg.wantsGlobalHeader(output.pointer)
        let timeBase = AVRational(num: Int32(frameRate.denominator), den: Int32(frameRate.numerator))
        let rate = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        var codecOptions: [String: String] = [:]
        if useH264 {
            codecOptions["crf"] = String(options.quality ?? 18)
            codecOptions["preset"] = options.preset
        }
        let quantiser = options.quality ?? 2
        do {
            encoder = try FrameEncoder(
                codecName: encoderName, width: width, height: height, pixelFormat: "yuv420p", options: codecOptions
            ) { context in
                context.pointee.time_base = timeBase
                context.pointee.framerate = rate
                context.pointee.thread_count = Int32(clamping: Swift.max(0, options.threadCount))
                if !useH264 {
                    context.pointee.flags |= AV_CODEC_FLAG_QSCALE
                    context.pointee.global_quality = Int32(quantiser) * panoptes_qp2lambda()
                    context.pointee.gop_size = 12
                }
                if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
            }
        } catch {
            throw VideoError(
                kind: .codecUnavailable, path: path, operation: "open the \(encoderName) encoder for",
                ffmpegMessage: error.message, ffmpegCode: error.code,
                hint: useH264 && options.codec == .h264
                    ? "This FFmpeg lacks libx264; use Codec.automatic or .mpeg4" : "Check the encoder options")
        }
        do {
            stream = try FFmpeg.addStream(output.pointer)
            stream.pointee.time_base = timeBase
            stream.pointee.avg_frame_rate = rate
            try FFmpeg.copyParameters(from: encoder.context.pointer, to: stream.pointee.codecpar)
            try output.openFile(path: path)
            try FFmpeg.writeHeader(output.pointer)
        } catch {
            throw VideoError(
                kind: .writeFailed, path: path, operation: "create", ffmpegMessage: error.message, ffmpegCode: error.code,
                hint: "Check that the folder exists and is writable")
        }
    }

    /// Encodes `frame` as the next picture (its `index` and `time` are ignored: frames are spaced
    /// evenly at the writer's rate).
    ///
    /// - Throws: `VideoError` `.invalidArgument` if the frame's size differs from the writer's,
    ///   `.encodeFailed` / `.writeFailed` with FFmpeg's message.
    public func append(_ frame: Frame) throws(VideoError) {
        guard frame.width == width, frame.height == height else {
            throw VideoError(
                kind: .invalidArgument, path: path, operation: "append a \(frame.width)x\(frame.height) frame to",
                hint: "This writer encodes \(width)x\(height) frames; resize or crop first")
        }
        try frame.withUnsafePixels { (pixels, _, _, stride) throws(VideoError) in
            try append(pixels: pixels, rowStride: stride)
        }
    }

    /// Encodes `height` rows of packed RGB24 at `pixels`, `rowStride` bytes apart, as the next picture.
    ///
    /// - Precondition: `rowStride >= 3 * width` and the memory holds `height` such rows.
    public func append(pixels: UnsafePointer<UInt8>, rowStride: Int) throws(VideoError) {
        precondition(rowStride >= 3 * width, "rowStride \(rowStride) is shorter than a row of \(width) pixels")
        precondition(!finished, "append after finish() on \(path)")
        do {
            try encoder.send(pixels: pixels, rowStride: rowStride, pts: Int64(framesWritten))
        } catch {
            throw VideoError(
                kind: .encodeFailed, path: path, operation: "encode frame \(framesWritten) for",
                ffmpegMessage: error.message, ffmpegCode: error.code, hint: "The encoder rejected the picture")
        }
        framesWritten += 1
        try writeReadyPackets()
    }

    /// Flushes the encoder, writes the trailer and closes the file. Calling it again does nothing.
    public func finish() throws(VideoError) {
        guard !finished else { return }
        finished = true
        do {
            try encoder.sendEnd()
        } catch {
            throw VideoError(
                kind: .encodeFailed, path: path, operation: "flush the encoder for", ffmpegMessage: error.message,
                ffmpegCode: error.code, hint: "The encoder failed while finishing")
        }
        try writeReadyPackets()
        do {
            try FFmpeg.writeTrailer(output.pointer)
        } catch {
            throw VideoError(
                kind: .writeFailed, path: path, operation: "finish", ffmpegMessage: error.message, ffmpegCode: error.code,
                hint: "Check free disk space")
        }
    }

    private func writeReadyPackets() throws(VideoError) {
        let encoderTimeBase = encoder.context.pointer.pointee.time_base
        let streamTimeBase = stream.pointee.time_base
        let index = stream.pointee.index
        let (output, path) = (self.output, self.path)
        let failure = try encoder.drain { (packet) throws(VideoError) in
            packet.pointee.stream_index = index
            FFmpeg.rescaleTimestamps(packet, from: encoderTimeBase, to: streamTimeBase)
            do throws(FFmpegStatus) {
                try FFmpeg.writePacket(output.pointer, packet)
            } catch {
                throw VideoError(
                    kind: .writeFailed, path: path, operation: "write to", ffmpegMessage: error.message,
                    ffmpegCode: error.code, hint: "Check free disk space and permissions")
            }
        }
        if let failure {
            throw VideoError(
                kind: .encodeFailed, path: path, operation: "encode", ffmpegMessage: failure.message,
                ffmpegCode: failure.code, hint: "The encoder failed")
        }
    }
}
