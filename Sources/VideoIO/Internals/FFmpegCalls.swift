internal import CFFmpeg

// Every call into FFmpeg's C API made by VideoIO goes through this file (as swift-system's
// Syscalls.swift does for the C library): status codes become `FFmpegStatus` errors here, and the
// owner types (`InputContext`, `CodecContext`, `OwnedFrame` ...) call these functions only.

/// A negative status code returned by an FFmpeg function, with the function's name.
struct FFmpegStatus: Error, CustomStringConvertible {
    /// FFmpeg's negative error code (an `AVERROR(...)` value).
    let code: Int32
    /// The C function that returned it.
    let function: String

    /// FFmpeg's own message for the code (`av_strerror`).
    var message: String { FFmpeg.errorMessage(code) }
    /// `AVERROR(EAGAIN)`: send more input or drain output first.
    var isAgain: Bool { code == FFmpeg.again }
    /// `AVERROR_EOF`.
    var isEndOfFile: Bool { code == FFmpeg.endOfFile }
    var description: String { "\(function): \(message)" }
}

/// Namespace of the thin wrappers over FFmpeg's C functions.
enum FFmpeg {
    /// `AVERROR(EAGAIN)`.
    static let again = panoptes_averror_eagain()
    /// `AVERROR_EOF`.
    static let endOfFile = panoptes_averror_eof()
    /// `AVERROR_INVALIDDATA`.
    static let invalidData = panoptes_averror_invaliddata()
    /// `AV_NOPTS_VALUE`: no timestamp.
    static let noTimestamp = panoptes_nopts_value()
    /// `AV_PIX_FMT_RGB24` as an `Int32` (the type of `AVFrame.format`).
    static let rgb24 = AV_PIX_FMT_RGB24.rawValue

    /// FFmpeg's message for `code` (wraps `av_make_error_string`, the function behind `av_err2str`).
    static func errorMessage(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        return buffer.withUnsafeMutableBufferPointer { pointer in
            _ = panoptes_av_err2str(code, pointer.baseAddress, pointer.count)
            return String(cString: pointer.baseAddress!)
        }
    }

    /// Returns `code` when it is not negative, else throws it as `FFmpegStatus`.
    @discardableResult
    static func check(_ code: Int32, _ function: String) throws(FFmpegStatus) -> Int32 {
        guard code >= 0 else { throw FFmpegStatus(code: code, function: function) }
        return code
    }

    // MARK: Demuxing

    /// Opens `url` for reading (wraps `avformat_open_input`); the caller owns the context.
    ///
    /// With a `watchdog`, the context is allocated first and its `interrupt_callback` set to ask the
    /// watchdog, so the open itself can be cut short too; `watchdog` must outlive the context.
    static func openInput(_ url: String, options: [String: String], watchdog: ReadWatchdog? = nil) throws(FFmpegStatus)
        -> UnsafeMutablePointer<AVFormatContext>
    {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        if let watchdog {
            guard let allocated = avformat_alloc_context() else {
                throw FFmpegStatus(code: panoptes_averror_enomem(), function: "avformat_alloc_context")
            }
            allocated.pointee.interrupt_callback = AVIOInterruptCB(
                callback: { opaque in
                    guard let opaque else { return 0 }
                    return Unmanaged<ReadWatchdog>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt() ? 1 : 0
                },
                opaque: Unmanaged.passUnretained(watchdog).toOpaque())
            context = allocated
        }
        var dictionary: OpaquePointer? = nil
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&dictionary, key, value, 0)
        }
        let status = avformat_open_input(&context, url, nil, &dictionary)
        av_dict_free(&dictionary)
        try check(status, "avformat_open_input")
        guard let context else { throw FFmpegStatus(code: panoptes_averror_enomem(), function: "avformat_open_input") }
        return context
    }

    /// Reads packets to learn the streams' parameters (wraps `avformat_find_stream_info`).
    static func findStreamInfo(_ context: UnsafeMutablePointer<AVFormatContext>) throws(FFmpegStatus) {
        try check(avformat_find_stream_info(context, nil), "avformat_find_stream_info")
    }

    /// Closes an input opened by `openInput` (wraps `avformat_close_input`).
    static func closeInput(_ context: UnsafeMutablePointer<AVFormatContext>) {
        var pointer: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&pointer)
    }

    /// The best video stream and its decoder (wraps `av_find_best_stream`).
    static func findBestVideoStream(_ context: UnsafeMutablePointer<AVFormatContext>) throws(FFmpegStatus)
        -> (index: Int32, decoder: UnsafePointer<AVCodec>)
    {
        var decoder: UnsafePointer<AVCodec>? = nil
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        try check(index, "av_find_best_stream")
        guard let decoder else {
            throw FFmpegStatus(code: panoptes_averror_decoder_not_found(), function: "av_find_best_stream")
        }
        return (index, decoder)
    }

    /// Whether the container holds any video stream at all (decodable or not).
    static func hasVideoStream(_ context: UnsafeMutablePointer<AVFormatContext>) -> Bool {
        (0..<Int(context.pointee.nb_streams)).contains { i in
            context.pointee.streams[i]?.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
        }
    }

    /// Reads the next packet (wraps `av_read_frame`); returns FFmpeg's status.
    static func readPacket(
        _ context: UnsafeMutablePointer<AVFormatContext>, into packet: UnsafeMutablePointer<AVPacket>
    ) -> Int32 {
        av_read_frame(context, packet)
    }

    /// The frame rate FFmpeg guesses for a stream (wraps `av_guess_frame_rate`).
    static func guessFrameRate(
        _ context: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>
    ) -> AVRational {
        av_guess_frame_rate(context, stream, nil)
    }

    // MARK: Codecs

    /// The short name of a codec id (wraps `avcodec_get_name`).
    static func codecName(_ id: AVCodecID) -> String { String(cString: avcodec_get_name(id)) }

    /// The long name of a codec id (wraps `avcodec_descriptor_get`), or the short name.
    static func codecLongName(_ id: AVCodecID) -> String {
        guard let descriptor = avcodec_descriptor_get(id), let long = descriptor.pointee.long_name else {
            return codecName(id)
        }
        return String(cString: long)
    }

    /// The name of a pixel format (wraps `av_get_pix_fmt_name`), or "unknown".
    static func pixelFormatName(_ format: Int32) -> String {
        guard format >= 0, let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: format)) else { return "unknown" }
        return String(cString: name)
    }

    /// A pixel format by name (wraps `av_get_pix_fmt`); `AV_PIX_FMT_NONE` (-1) when unknown.
    static func pixelFormat(named name: String) -> Int32 { av_get_pix_fmt(name).rawValue }

    /// The decoder of a codec (wraps `avcodec_find_decoder`); nil when this FFmpeg has none.
    static func findDecoder(_ id: AVCodecID) -> UnsafePointer<AVCodec>? { avcodec_find_decoder(id) }

    /// An encoder by name (wraps `avcodec_find_encoder_by_name`).
    static func findEncoder(named name: String) -> UnsafePointer<AVCodec>? { avcodec_find_encoder_by_name(name) }

    /// Allocates a codec context (wraps `avcodec_alloc_context3`); the caller owns it.
    static func allocateCodecContext(_ codec: UnsafePointer<AVCodec>?) throws(FFmpegStatus)
        -> UnsafeMutablePointer<AVCodecContext>
    {
        guard let context = avcodec_alloc_context3(codec) else {
            throw FFmpegStatus(code: panoptes_averror_enomem(), function: "avcodec_alloc_context3")
        }
        return context
    }

    /// Frees a codec context (wraps `avcodec_free_context`).
    static func freeCodecContext(_ context: UnsafeMutablePointer<AVCodecContext>) {
        var pointer: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&pointer)
    }

    /// Copies a stream's parameters into a decoder context (wraps `avcodec_parameters_to_context`).
    static func copyParameters(
        _ parameters: UnsafePointer<AVCodecParameters>, to context: UnsafeMutablePointer<AVCodecContext>
    ) throws(FFmpegStatus) {
        try check(avcodec_parameters_to_context(context, parameters), "avcodec_parameters_to_context")
    }

    /// Copies an encoder's parameters into a stream (wraps `avcodec_parameters_from_context`).
    static func copyParameters(
        from context: UnsafeMutablePointer<AVCodecContext>, to parameters: UnsafeMutablePointer<AVCodecParameters>
    ) throws(FFmpegStatus) {
        try check(avcodec_parameters_from_context(parameters, context), "avcodec_parameters_from_context")
    }

    /// Opens a codec context (wraps `avcodec_open2`) with private options such as `crf`.
    static func openCodec(
        _ context: UnsafeMutablePointer<AVCodecContext>, _ codec: UnsafePointer<AVCodec>?, options: [String: String]
    ) throws(FFmpegStatus) {
        var dictionary: OpaquePointer? = nil
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&dictionary, key, value, 0)
        }
        let status = avcodec_open2(context, codec, &dictionary)
        av_dict_free(&dictionary)
        try check(status, "avcodec_open2")
    }

    /// Sends a packet to a decoder, or `nil` to start draining (wraps `avcodec_send_packet`).
    static func sendPacket(
        _ context: UnsafeMutablePointer<AVCodecContext>, _ packet: UnsafeMutablePointer<AVPacket>?
    ) -> Int32 {
        avcodec_send_packet(context, packet)
    }

    /// Takes the next decoded frame (wraps `avcodec_receive_frame`).
    static func receiveFrame(
        _ context: UnsafeMutablePointer<AVCodecContext>, _ frame: UnsafeMutablePointer<AVFrame>
    ) -> Int32 {
        avcodec_receive_frame(context, frame)
    }

    /// Sends a frame to an encoder, or `nil` to start draining (wraps `avcodec_send_frame`).
    static func sendFrame(
        _ context: UnsafeMutablePointer<AVCodecContext>, _ frame: UnsafeMutablePointer<AVFrame>?
    ) -> Int32 {
        avcodec_send_frame(context, frame)
    }

    /// Takes the next encoded packet (wraps `avcodec_receive_packet`).
    static func receivePacket(
        _ context: UnsafeMutablePointer<AVCodecContext>, _ packet: UnsafeMutablePointer<AVPacket>
    ) -> Int32 {
        avcodec_receive_packet(context, packet)
    }

    // MARK: Frames and packets

    /// Allocates an empty frame (wraps `av_frame_alloc`); the caller owns it.
    static func allocateFrame() throws(FFmpegStatus) -> UnsafeMutablePointer<AVFrame> {
        guard let frame = av_frame_alloc() else {
            throw FFmpegStatus(code: panoptes_averror_enomem(), function: "av_frame_alloc")
        }
        return frame
    }

    /// Frees a frame and its buffers (wraps `av_frame_free`).
    static func freeFrame(_ frame: UnsafeMutablePointer<AVFrame>) {
        var pointer: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&pointer)
    }

    /// Drops the frame's buffer references (wraps `av_frame_unref`).
    static func unreference(_ frame: UnsafeMutablePointer<AVFrame>) { av_frame_unref(frame) }

    /// Allocates buffers for a frame whose format, width and height are set (wraps `av_frame_get_buffer`).
    static func allocateBuffers(_ frame: UnsafeMutablePointer<AVFrame>) throws(FFmpegStatus) {
        try check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer")
    }

    /// Makes the frame's buffers writable, copying them if an encoder still holds them
    /// (wraps `av_frame_make_writable`).
    static func makeWritable(_ frame: UnsafeMutablePointer<AVFrame>) throws(FFmpegStatus) {
        try check(av_frame_make_writable(frame), "av_frame_make_writable")
    }

    /// Whether the decoder flagged the frame as corrupt or concealed.
    static func isCorrupt(_ frame: UnsafeMutablePointer<AVFrame>) -> Bool { panoptes_frame_is_corrupt(frame) != 0 }

    /// Allocates an empty packet (wraps `av_packet_alloc`); the caller owns it.
    static func allocatePacket() throws(FFmpegStatus) -> UnsafeMutablePointer<AVPacket> {
        guard let packet = av_packet_alloc() else {
            throw FFmpegStatus(code: panoptes_averror_enomem(), function: "av_packet_alloc")
        }
        return packet
    }

    /// Gives `packet` a buffer of `bytes`' length, padded as decoders require, holding `bytes` (wraps
    /// `av_new_packet`).
    static func fill(_ packet: UnsafeMutablePointer<AVPacket>, with bytes: UnsafeRawBufferPointer) throws(FFmpegStatus) {
        _ = try check(av_new_packet(packet, Int32(clamping: bytes.count)), "av_new_packet")
        if let base = bytes.baseAddress, !bytes.isEmpty {
            packet.pointee.data.update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
    }

    /// Frees a packet and its buffer (wraps `av_packet_free`).
    static func freePacket(_ packet: UnsafeMutablePointer<AVPacket>) {
        var pointer: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&pointer)
    }

    /// Drops the packet's buffer reference (wraps `av_packet_unref`).
    static func unreference(_ packet: UnsafeMutablePointer<AVPacket>) { av_packet_unref(packet) }

    /// Converts a packet's timestamps between time bases (wraps `av_packet_rescale_ts`).
    static func rescaleTimestamps(_ packet: UnsafeMutablePointer<AVPacket>, from: AVRational, to: AVRational) {
        av_packet_rescale_ts(packet, from, to)
    }

    // MARK: Scaling

    /// Creates a converter with `threads` slice threads (wraps `sws_alloc_context`, `av_opt_set_int`,
    /// `sws_init_context`); the caller owns it. `threads` 0 means one per core, as in the CLI's filters.
    static func makeScaler(
        sourceWidth: Int32, sourceHeight: Int32, sourceFormat: Int32,
        destinationWidth: Int32, destinationHeight: Int32, destinationFormat: Int32, flags: Int32, threads: Int32
    ) throws(FFmpegStatus) -> OpaquePointer {
        guard
            let context = panoptes_sws_make(
                sourceWidth, sourceHeight, sourceFormat, destinationWidth, destinationHeight, destinationFormat,
                flags, threads)
        else {
            throw FFmpegStatus(code: panoptes_averror_invaliddata(), function: "sws_getContext")
        }
        return context
    }

    /// Frees a converter (wraps `sws_freeContext`).
    static func freeScaler(_ context: OpaquePointer) { sws_freeContext(context) }

    /// swscale's default flags as the ffmpeg CLI passes them: `SWS_BICUBIC`, no accurate rounding.
    static let cliScaleFlags = Int32(SWS_BICUBIC)

    /// Converts a decoded frame into one packed plane of `format` with `sws_scale_frame` (slice-threaded,
    /// as in the CLI's scale filter), through the reusable empty frame `scratch`.
    static func scale(
        _ context: OpaquePointer, _ source: UnsafeMutablePointer<AVFrame>, scratch: UnsafeMutablePointer<AVFrame>,
        to destination: UnsafeMutableRawPointer, stride: Int, byteCount: Int, format: Int32
    ) -> Int32 {
        panoptes_sws_scale_frame_to_packed(
            context, scratch, source, destination.assumingMemoryBound(to: UInt8.self), Int32(stride), byteCount,
            format)
    }

    /// Takes the YCbCr matrix and range for `frame` from its tags, as the CLI's scale filter does
    /// (wraps `sws_getColorspaceDetails`, `sws_getCoefficients`, `sws_setColorspaceDetails`).
    static func followColorspace(_ context: OpaquePointer, of frame: UnsafeMutablePointer<AVFrame>) {
        panoptes_sws_follow_frame_colorspace(context, frame)
    }

    /// The frame's colour tags (`colorspace`, `color_range`) as one comparable value.
    static func colorTags(_ frame: UnsafeMutablePointer<AVFrame>) -> Int64 {
        Int64(frame.pointee.colorspace.rawValue) << 32 | Int64(frame.pointee.color_range.rawValue)
    }

    /// Converts one packed plane into a frame's planes (wraps `sws_scale`); returns the rows written.
    static func scale(
        _ context: OpaquePointer, packed source: UnsafePointer<UInt8>, stride: Int, height: Int,
        to destination: UnsafeMutablePointer<AVFrame>
    ) -> Int32 {
        panoptes_sws_scale_from_packed(context, source, Int32(stride), Int32(height), destination)
    }

    // MARK: Muxing

    /// Allocates an output context, guessing the container from `path`'s extension
    /// (wraps `avformat_alloc_output_context2`); the caller owns it.
    static func allocateOutput(path: String, formatName: String?) throws(FFmpegStatus)
        -> UnsafeMutablePointer<AVFormatContext>
    {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&context, nil, formatName, path), "avformat_alloc_output_context2")
        guard let context else {
            throw FFmpegStatus(code: panoptes_averror_enomem(), function: "avformat_alloc_output_context2")
        }
        return context
    }

    /// Whether the output format wants codec headers out of band (`AVFMT_GLOBALHEADER`).
    static func wantsGlobalHeader(_ context: UnsafeMutablePointer<AVFormatContext>) -> Bool {
        (context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0
    }

    /// Whether the output format writes to a file of its own (`AVFMT_NOFILE` unset).
    static func needsFile(_ context: UnsafeMutablePointer<AVFormatContext>) -> Bool {
        (context.pointee.oformat.pointee.flags & AVFMT_NOFILE) == 0
    }

    /// Adds a stream to an output (wraps `avformat_new_stream`).
    static func addStream(_ context: UnsafeMutablePointer<AVFormatContext>) throws(FFmpegStatus)
        -> UnsafeMutablePointer<AVStream>
    {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpegStatus(code: panoptes_averror_enomem(), function: "avformat_new_stream")
        }
        return stream
    }

    /// Opens the output file (wraps `avio_open`).
    static func openOutputFile(_ context: UnsafeMutablePointer<AVFormatContext>, path: String) throws(FFmpegStatus) {
        try check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "avio_open")
    }

    /// Writes the container header (wraps `avformat_write_header`).
    static func writeHeader(_ context: UnsafeMutablePointer<AVFormatContext>) throws(FFmpegStatus) {
        try check(avformat_write_header(context, nil), "avformat_write_header")
    }

    /// Writes one packet, interleaving by timestamp (wraps `av_interleaved_write_frame`).
    static func writePacket(
        _ context: UnsafeMutablePointer<AVFormatContext>, _ packet: UnsafeMutablePointer<AVPacket>
    ) throws(FFmpegStatus) {
        try check(av_interleaved_write_frame(context, packet), "av_interleaved_write_frame")
    }

    /// Writes the container trailer (wraps `av_write_trailer`).
    static func writeTrailer(_ context: UnsafeMutablePointer<AVFormatContext>) throws(FFmpegStatus) {
        try check(av_write_trailer(context), "av_write_trailer")
    }

    /// Closes the output file if open (wraps `avio_closep`) and frees the context (`avformat_free_context`).
    static func closeOutput(_ context: UnsafeMutablePointer<AVFormatContext>) {
        if needsFile(context), context.pointee.pb != nil {
            avio_closep(&context.pointee.pb)
        }
        avformat_free_context(context)
    }

    // MARK: MD5

    /// The MD5 of `count` bytes from each of `rows` rows `stride` apart, as lowercase hex
    /// (wraps `av_md5_alloc`, `av_md5_init`, `av_md5_update`, `av_md5_final`).
    static func md5Hex(rows: Int, rowBytes: Int, stride: Int, base: UnsafePointer<UInt8>) -> String {
        guard let context = av_md5_alloc() else { return "" }
        defer { av_free(UnsafeMutableRawPointer(context)) }
        av_md5_init(context)
        for row in 0..<rows {
            av_md5_update(context, base + row * stride, rowBytes)
        }
        var digest = [UInt8](repeating: 0, count: 16)
        av_md5_final(context, &digest)
        let hex: [Character] = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(32)
        for byte in digest {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return text
    }

    // MARK: Logging

    /// Sets the level below which FFmpeg drops messages before formatting them (wraps `av_log_set_level`).
    static func setLogLevel(_ level: Int32) { av_log_set_level(level) }

    /// Routes FFmpeg's log to `FFmpegLog.receive` (wraps `av_log_set_callback`). The callback is a
    /// closure literal so that Swift infers its C type, which contains `va_list` and cannot be spelled.
    static func installLogCallback() {
        av_log_set_callback { object, level, format, arguments in
            guard let format, let arguments else { return }
            FFmpegLog.receive(object: object, level: level, format: format, arguments: arguments)
        }
    }

    /// Formats one log message the way FFmpeg's default callback does (wraps `av_log_format_line2`).
    static func formatLogLine(
        _ object: UnsafeMutableRawPointer?, level: Int32, format: UnsafePointer<CChar>, arguments: CVaListPointer,
        printPrefix: inout Int32
    ) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            av_log_format_line2(object, level, format, arguments, pointer.baseAddress, Int32(pointer.count), &printPrefix)
        }
        guard length > 0 else { return "" }
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `AV_LOG_ERROR`, `AV_LOG_WARNING`, `AV_LOG_INFO`, `AV_LOG_VERBOSE` and `AV_LOG_DEBUG`.
    static let logError = AV_LOG_ERROR, logWarning = AV_LOG_WARNING, logInfo = AV_LOG_INFO,
        logVerbose = AV_LOG_VERBOSE, logDebug = AV_LOG_DEBUG
}
