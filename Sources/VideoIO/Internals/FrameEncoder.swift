internal import CFFmpeg

/// An opened encoder with its reusable input picture and converter: takes RGB24 pixels, hands back
/// packets. Shared by `VideoWriter` and `ImageWriter`.
final class FrameEncoder {
    let context: CodecContext
    let width: Int32, height: Int32
    private let picture: OwnedFrame
    private let scaler: ScaleContext
    private let packet: OwnedPacket

    /// Opens encoder `codecName` for `width` x `height` pictures in `pixelFormat`.
    ///
    /// `configure` sets codec-specific fields (time base, quality, flags) before the encoder opens.
    init(
        codecName: String, width: Int, height: Int, pixelFormat: String, options: [String: String],
        configure: (UnsafeMutablePointer<AVCodecContext>) -> Void
    ) throws(FFmpegStatus) {
        guard let codec = FFmpeg.findEncoder(named: codecName) else {
            throw FFmpegStatus(code: panoptes_averror_decoder_not_found(), function: "avcodec_find_encoder_by_name")
        }
        self.width = Int32(width)
        self.height = Int32(height)
        let format = FFmpeg.pixelFormat(named: pixelFormat)
        context = try CodecContext(codec: codec)
        context.pointer.pointee.width = Int32(width)
        context.pointer.pointee.height = Int32(height)
        context.pointer.pointee.pix_fmt = AVPixelFormat(rawValue: format)
        configure(context.pointer)
        try context.open(options: options)
        picture = try OwnedFrame()
        picture.pointer.pointee.width = Int32(width)
        picture.pointer.pointee.height = Int32(height)
        picture.pointer.pointee.format = format
        try FFmpeg.allocateBuffers(picture.pointer)
        scaler = try ScaleContext(
            sourceWidth: Int32(width), sourceHeight: Int32(height), sourceFormat: FFmpeg.rgb24,
            destinationWidth: Int32(width), destinationHeight: Int32(height), destinationFormat: format)
        packet = try OwnedPacket()
    }

    /// Converts `height` rows of RGB24 at `pixels` (`rowStride` bytes apart) and sends them with `pts`.
    func send(pixels: UnsafePointer<UInt8>, rowStride: Int, pts: Int64) throws(FFmpegStatus) {
        try FFmpeg.makeWritable(picture.pointer)
        _ = FFmpeg.scale(scaler.pointer, packed: pixels, stride: rowStride, height: Int(height), to: picture.pointer)
        picture.pointer.pointee.pts = pts
        try FFmpeg.check(FFmpeg.sendFrame(context.pointer, picture.pointer), "avcodec_send_frame")
    }

    /// Tells the encoder no more pictures come (it then flushes what it holds).
    func sendEnd() throws(FFmpegStatus) {
        let status = FFmpeg.sendFrame(context.pointer, nil)
        if status != FFmpeg.endOfFile { try FFmpeg.check(status, "avcodec_send_frame") }
    }

    /// Hands every packet the encoder has ready to `body` (which must not keep the pointer), then
    /// unreferences it.
    func drain<Failure: Error>(
        _ body: (UnsafeMutablePointer<AVPacket>) throws(Failure) -> Void
    ) throws(Failure) -> FFmpegStatus? {
        while true {
            let status = FFmpeg.receivePacket(context.pointer, packet.pointer)
            if status == FFmpeg.again || status == FFmpeg.endOfFile { return nil }
            if status < 0 { return FFmpegStatus(code: status, function: "avcodec_receive_packet") }
            defer { FFmpeg.unreference(packet.pointer) }
            try body(packet.pointer)
        }
    }
}
