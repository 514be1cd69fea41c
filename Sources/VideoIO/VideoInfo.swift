/// What a video input holds: container, codec, size, rate, duration and frame count when known.
public struct VideoInfo: Sendable, Equatable {
    /// The container's short name as FFmpeg reports it ("avi", "mov,mp4,m4a,3gp,3g2,mj2", "image2" ...).
    public var container: String
    /// Index of the decoded video stream in the container.
    public var streamIndex: Int
    /// The codec's short name ("h264", "msmpeg4v3", "png" ...).
    public var codec: String
    /// The codec's descriptive name ("H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10").
    public var codecLongName: String
    /// Coded pixel format before conversion to RGB24 ("yuv420p" ...), or "unknown".
    public var pixelFormat: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// The frame rate FFmpeg guesses for the stream (`av_guess_frame_rate`); 0/1 when unknown.
    public var frameRate: Rational
    /// The stream's time base: timestamps count units of this many seconds.
    public var timeBase: Rational
    /// Start time of the container in seconds (its first timestamp), when known; the ffmpeg CLI
    /// subtracts it from output timestamps.
    public var startTime: Double?
    /// Duration in seconds (the stream's, else the container's), when known.
    public var duration: Double?
    /// Number of frames the container declares for the stream, when it declares one.
    public var frameCount: Int?
    /// Bit rate in bits per second (stream's, else container's), when known.
    public var bitRate: Int?
}

extension VideoInfo {
    /// The information as `key: value` lines, as `panoptes probe` prints it.
    public var summary: String {
        var lines = [
            "container: \(container)",
            "stream: \(streamIndex) (video)",
            "codec: \(codec) (\(codecLongName))",
            "pixel format: \(pixelFormat)",
            "size: \(width)x\(height)",
            "frame rate: \(frameRate) (\(Self.decimal(frameRate.doubleValue, places: 3)) fps)",
            "time base: \(timeBase)",
        ]
        lines.append("start time: " + (startTime.map { Self.decimal($0, places: 6) + " s" } ?? "unknown"))
        lines.append("duration: " + (duration.map { Self.decimal($0, places: 6) + " s" } ?? "unknown"))
        lines.append("frames: " + (frameCount.map(String.init) ?? "unknown"))
        lines.append("bit rate: " + (bitRate.map { "\($0 / 1000) kb/s" } ?? "unknown"))
        return lines.joined(separator: "\n")
    }

    /// `value` with at most `places` decimals, trailing zeros removed ("10", "29.97").
    private static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int(scaled / scale)
        var fraction = Int(abs(scaled - Double(whole) * scale))
        guard fraction > 0 else { return String(whole) }
        var digits = places
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return "\(whole).\(String(repeating: "0", count: digits - text.count))\(text)"
    }
}
