import Logging
internal import CFFmpeg

/// Decodes the best video stream of any input FFmpeg opens (a path or a URL such as `rtsp://...`)
/// into RGB24 `Frame`s in presentation order.
///
/// ```swift
/// let reader = try VideoReader(path: "Samples/data/vtest.avi")
/// print(reader.info.width, reader.info.frameRate)
/// while let frame = try reader.nextFrame() { ... }
/// ```
///
/// **Timestamps.** A frame's `time` is its `pts` x the stream's time base, in seconds. When the
/// decoder leaves `pts` unset, the frame's `best_effort_timestamp` is used instead; when that is
/// unset too, the time is the previous frame's time plus one frame period (1 / `info.frameRate`),
/// or 0 for the first frame. Such frames are counted in `statistics.framesWithoutTimestamp`.
/// `Options.timestamps = .bestEffort` takes `best_effort_timestamp` first, as the ffmpeg CLI does.
///
/// **Pixels.** Each decoded picture is converted by swscale to packed RGB24 with the same flags the
/// ffmpeg CLI uses (`SWS_BICUBIC`, no accurate rounding), so the pixels equal those of
/// `ffmpeg -i FILE -pix_fmt rgb24` bit for bit.
///
/// **Damage.** Packets the decoder rejects are skipped, counted in `statistics.damagedPackets` and
/// logged at `.debug`; a `.warning` summary is logged at the end of the stream. Decoding goes on.
/// A read error other than end of file (a lost network stream, an I/O error) ends the stream: the
/// frames still inside the decoder are handed out first, then `nextFrame()` throws `.readFailed`.
///
/// - Note: A reader is not `Sendable`: use it from one task at a time (it may be handed to another
///   task, as a `sending` value). Every FFmpeg object it holds is freed when it is released.
public final class VideoReader: Sequence {
    /// Which FFmpeg timestamp a frame's `time` comes from.
    public enum TimestampSource: String, Sendable, CaseIterable {
        /// The frame's `pts`, as the container and decoder give it (what `ffprobe -show_frames`
        /// reports as `pts_time`); falls back to `best_effort_timestamp` when `pts` is missing.
        case presentation
        /// FFmpeg's `best_effort_timestamp`, which replaces faulty (non-monotonic) `pts` values with
        /// `dts`-based guesses; the ffmpeg CLI times its output frames with it.
        case bestEffort
    }

    /// How to open and decode.
    public struct Options: Sendable {
        /// Decoder threads (frame and slice threading); 0 lets FFmpeg choose (one per core, plus one).
        /// Default 0.
        public var threadCount: Int
        /// swscale slice threads for the RGB24 conversion; 0 means one per core, as the ffmpeg CLI's
        /// scale filter uses. Default 0.
        public var conversionThreadCount: Int
        /// Options passed to the demuxer / protocol when opening (`avformat_open_input`'s dictionary),
        /// such as `["rtsp_transport": "tcp"]`. Default empty.
        public var formatOptions: [String: String]
        /// Seconds a single read or connect may block before it fails (FFmpeg's `rw_timeout`), so a
        /// stalled network stream ends with a `.readFailed` / `.openFailed` error instead of hanging.
        /// `nil` waits forever, as FFmpeg does by default. Default `nil`.
        public var readTimeout: Double?
        /// Which timestamp becomes `Frame.time`. Default `.presentation` (the frame's `pts`).
        public var timestamps: TimestampSource
        /// Cuts the open and later reads short when no frame comes for its stall timeout, or when it is
        /// cancelled (live streams); re-armed at the open and at every frame. Default `nil`.
        public var watchdog: ReadWatchdog?
        /// Where the reader logs damage and summaries. Default: label `panoptes.video`.
        public var logger: Logger

        /// Creates options; every parameter has the documented default.
        public init(
            threadCount: Int = 0, conversionThreadCount: Int = 0, formatOptions: [String: String] = [:],
            readTimeout: Double? = nil, timestamps: TimestampSource = .presentation,
            watchdog: ReadWatchdog? = nil, logger: Logger = Logger(label: "panoptes.video")
        ) {
            self.watchdog = watchdog
            self.readTimeout = readTimeout
            self.threadCount = threadCount
            self.conversionThreadCount = conversionThreadCount
            self.formatOptions = formatOptions
            self.timestamps = timestamps
            self.logger = logger
        }
    }

    /// The path or URL this reader opened.
    public let url: String
    /// Stream information, known once the reader is open.
    public let info: VideoInfo
    /// What happened while decoding so far.
    public private(set) var statistics = DecodeStatistics()

    private let input: InputContext
    private let decoder: CodecContext
    private let streamIndex: Int32
    private let timeBase: Double
    private let packet: OwnedPacket
    private let decoded: OwnedFrame
    private let converter: RGBConverter
    private let logger: Logger
    private let timestampSource: TimestampSource
    private let watchdog: ReadWatchdog?
    private var state = State.reading
    private var pendingError: VideoError?
    private var previousTime: Double?

    private enum State {
        /// Reading packets and decoding.
        case reading
        /// End of input (or a read error) reached; the decoder is being drained.
        case draining
        /// Every frame has been handed out.
        case finished
    }

    /// Opens a local file.
    ///
    /// - Throws: `VideoError` naming the path with FFmpeg's message when the file cannot be opened,
    ///   holds no decodable video stream, or its decoder cannot be opened; `.librariesUnavailable` when
    ///   FFmpeg's libraries cannot be loaded.
    public convenience init(path: String, options: Options = Options()) throws(VideoError) {
        try self.init(url: path, options: options)
    }

    /// Opens `url`: a path, or any URL FFmpeg's protocols accept (`file:`, `rtsp://`, `http://` ...).
    ///
    /// - Throws: `VideoError` naming the URL with FFmpeg's message when the input cannot be opened,
    ///   holds no decodable video stream, or its decoder cannot be opened; `.librariesUnavailable` when
    ///   FFmpeg's libraries cannot be loaded.
    public init(url: String, options: Options = Options()) throws(VideoError) {
        try FFmpegLibraries.load(for: url, operation: "open")
        self.url = url
        self.logger = options.logger
        self.timestampSource = options.timestamps
        self.watchdog = options.watchdog
        do {
            var formatOptions = options.formatOptions
            if let timeout = options.readTimeout, timeout > 0 {
                formatOptions["rw_timeout"] = String(Int64((timeout * 1_000_000).rounded()))
            }
            input = try InputContext(url: url, options: formatOptions, watchdog: options.watchdog)
        } catch {
            throw VideoError(
                kind: .openFailed, path: url, operation: "open", ffmpegMessage: error.message,
                ffmpegCode: error.code,
                hint: error.code == -2
                    ? "Check the path; the file does not exist"
                    : "Check that it is a video file or stream FFmpeg can read (try `ffprobe \(url)`)")
        }
        let best: (index: Int32, decoder: UnsafePointer<AVCodec>)
        do {
            best = try FFmpeg.findBestVideoStream(input.pointer)
        } catch {
            let hasVideo = FFmpeg.hasVideoStream(input.pointer)
            throw VideoError(
                kind: hasVideo ? .codecUnavailable : .noVideoStream, path: url, operation: "find a video stream in",
                ffmpegMessage: error.message, ffmpegCode: error.code,
                hint: hasVideo
                    ? "This FFmpeg has no decoder for its video codec; transcode it (e.g. to H.264) first"
                    : "The input holds no video stream; pass a video file")
        }
        streamIndex = best.index
        let stream = input.stream(best.index)
        let parameters = stream.pointee.codecpar!
        do {
            decoder = try CodecContext(codec: best.decoder)
            try FFmpeg.copyParameters(parameters, to: decoder.pointer)
            decoder.pointer.pointee.thread_count = Int32(clamping: Swift.max(0, options.threadCount))
            decoder.pointer.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
            decoder.pointer.pointee.pkt_timebase = stream.pointee.time_base
            try decoder.open()
            packet = try OwnedPacket()
            decoded = try OwnedFrame()
            converter = try RGBConverter(threads: Int32(clamping: Swift.max(0, options.conversionThreadCount)))
        } catch {
            throw VideoError(
                kind: .codecUnavailable, path: url, operation: "open the decoder for", ffmpegMessage: error.message,
                ffmpegCode: error.code,
                hint: "FFmpeg could not start its \(FFmpeg.codecName(parameters.pointee.codec_id)) decoder for this stream")
        }
        let tb = stream.pointee.time_base
        timeBase = tb.den == 0 ? 0 : Double(tb.num) / Double(tb.den)
        let rate = FFmpeg.guessFrameRate(input.pointer, stream: stream)
        let format = input.pointer.pointee
        var duration: Double? = nil
        if stream.pointee.duration != FFmpeg.noTimestamp, stream.pointee.duration > 0, timeBase > 0 {
            duration = Double(stream.pointee.duration) * timeBase
        } else if format.duration != FFmpeg.noTimestamp, format.duration > 0 {
            duration = Double(format.duration) / Double(AV_TIME_BASE)
        }
        let bitRate = parameters.pointee.bit_rate > 0 ? parameters.pointee.bit_rate : format.bit_rate
        info = VideoInfo(
            container: format.iformat.map { String(cString: $0.pointee.name) } ?? "unknown",
            streamIndex: Int(best.index),
            codec: FFmpeg.codecName(parameters.pointee.codec_id),
            codecLongName: FFmpeg.codecLongName(parameters.pointee.codec_id),
            pixelFormat: FFmpeg.pixelFormatName(parameters.pointee.format),
            width: Int(parameters.pointee.width),
            height: Int(parameters.pointee.height),
            frameRate: Rational(Int(rate.num), Int(rate.den == 0 ? 1 : rate.den)),
            timeBase: Rational(Int(tb.num), Int(tb.den)),
            startTime: format.start_time != FFmpeg.noTimestamp ? Double(format.start_time) / Double(AV_TIME_BASE) : nil,
            duration: duration,
            frameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            bitRate: bitRate > 0 ? Int(bitRate) : nil)
        // The open is done and the stream flows: the first frame gets a whole stall timeout too.
        options.watchdog?.rearm()
    }

    /// The next frame in presentation order, or `nil` after the last one.
    ///
    /// - Throws: `VideoError` `.readFailed` once, after the frames decoded before a read error;
    ///   `.decodeFailed` when the decoder keeps failing without consuming input.
    public func nextFrame() throws(VideoError) -> Frame? {
        var failuresInARow = 0
        while true {
            let status = FFmpeg.receiveFrame(decoder.pointer, decoded.pointer)
            if status >= 0 {
                defer { FFmpeg.unreference(decoded.pointer) }
                watchdog?.rearm()
                return try makeFrame()
            }
            if status == FFmpeg.endOfFile {
                return try finish()
            }
            if status != FFmpeg.again {
                // With frame threading a damaged packet's error surfaces here, one error per packet.
                failuresInARow += 1
                noteDamage(status, where: "avcodec_receive_frame")
                if failuresInARow > 1000 {
                    throw VideoError(
                        kind: .decodeFailed, path: url, operation: "decode", ffmpegMessage: FFmpeg.errorMessage(status),
                        ffmpegCode: status, hint: "The decoder fails on every packet; the stream is unreadable")
                }
                continue
            }
            switch state {
            case .finished:
                return nil
            case .draining:
                // A drained decoder answers EOF, not EAGAIN; treat this as the end rather than spin.
                return try finish()
            case .reading:
                try feedDecoder()
            }
        }
    }

    /// Reads packets until one of the video stream is accepted by the decoder, or starts draining.
    private func feedDecoder() throws(VideoError) {
        while true {
            let status = FFmpeg.readPacket(input.pointer, into: packet.pointer)
            if status < 0 {
                if status != FFmpeg.endOfFile {
                    logger.warning(
                        "read error in \(url) after \(statistics.packetsRead) packets: \(FFmpeg.errorMessage(status))")
                    pendingError = VideoError(
                        kind: .readFailed, path: url, operation: "read", ffmpegMessage: FFmpeg.errorMessage(status),
                        ffmpegCode: status,
                        hint: "The input ended with an error after \(statistics.framesDecoded) good frames; "
                            + "check the file or the connection")
                }
                _ = FFmpeg.sendPacket(decoder.pointer, nil)
                state = .draining
                return
            }
            defer { FFmpeg.unreference(packet.pointer) }
            guard packet.pointer.pointee.stream_index == streamIndex else { continue }
            statistics.packetsRead += 1
            let sent = FFmpeg.sendPacket(decoder.pointer, packet.pointer)
            if sent >= 0 || sent == FFmpeg.again {
                // EAGAIN cannot happen here (every frame was received first); were it to, dropping
                // this one packet is the safe answer.
                return
            }
            noteDamage(sent, where: "avcodec_send_packet")
        }
    }

    private func noteDamage(_ status: Int32, where function: String) {
        statistics.damagedPackets += 1
        logger.debug(
            "skipped a damaged packet in \(url) (\(function): \(FFmpeg.errorMessage(status))); \(statistics.damagedPackets) so far")
    }

    /// Marks the end of the stream; logs the damage summary; throws a pending read error once.
    private func finish() throws(VideoError) -> Frame? {
        if state != .finished {
            state = .finished
            if statistics.damagedPackets > 0 {
                logger.warning(
                    "\(url): skipped \(statistics.damagedPackets) damaged packets; decoded \(statistics.framesDecoded) frames")
            }
        }
        if let error = pendingError {
            pendingError = nil
            throw error
        }
        return nil
    }

    /// Converts the decoded picture to an RGB24 `Frame` with its index and time.
    private func makeFrame() throws(VideoError) -> Frame {
        let picture = decoded.pointer
        let (storage, stride) = try converter.convert(picture, url: url, what: "frame \(statistics.framesDecoded)")
        var time: Double
        var (pts, fallback) = (picture.pointee.pts, picture.pointee.best_effort_timestamp)
        if timestampSource == .bestEffort { swap(&pts, &fallback) }
        if pts == FFmpeg.noTimestamp { pts = fallback }
        if pts != FFmpeg.noTimestamp {
            time = Double(pts) * timeBase
        } else {
            statistics.framesWithoutTimestamp += 1
            let period = info.frameRate.isValid ? 1 / info.frameRate.doubleValue : 0
            time = previousTime.map { $0 + period } ?? 0
        }
        previousTime = time
        if FFmpeg.isCorrupt(picture) { statistics.corruptFrames += 1 }
        let frame = Frame(
            width: Int(picture.pointee.width), height: Int(picture.pointee.height), rowStride: stride,
            index: statistics.framesDecoded, time: time,
            storage: storage)
        statistics.framesDecoded += 1
        return frame
    }

    /// An iterator over the remaining frames; it stops at the first error and stores it in
    /// `terminalError` (use `nextFrame()` to handle errors as they happen).
    public func makeIterator() -> FrameIterator { FrameIterator(reader: self) }

    /// The error that stopped iteration with `for frame in reader`, if any.
    public private(set) var terminalError: VideoError?

    /// Iterates a `VideoReader`'s frames; see `VideoReader.makeIterator()`.
    public struct FrameIterator: IteratorProtocol {
        let reader: VideoReader

        /// The next frame, or `nil` at the end or after an error (then in `reader.terminalError`).
        public mutating func next() -> Frame? {
            do {
                return try reader.nextFrame()
            } catch {
                reader.terminalError = error
                return nil
            }
        }
    }
}
