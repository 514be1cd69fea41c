/// Writes `ffmpeg -i FILE -pix_fmt rgb24 -f framemd5 -` lines for decoded frames, so the two can be
/// diffed: every line that does not start with `#` is meant to be identical.
///
/// The ffmpeg CLI shifts timestamps so that the input starts at 0, expresses them in units of one
/// frame period (`#tb 0: 1/rate`), and, in its default variable-frame-rate sync for this muxer,
/// drops a frame that would fall before the previous one and moves a frame that lands within
/// 0.6 periods of the next slot onto that slot. `line(for:)` applies the same rules.
public struct FrameMD5Listing: Sendable {
    /// The stream the frames come from.
    public let info: VideoInfo
    private let rate: Double
    private let start: Double
    /// The next output timestamp the CLI would expect (its `sync_opts`), in frame periods.
    private var nextPts: Int64 = 0

    /// A listing for frames decoded from a stream described by `info`.
    public init(info: VideoInfo) {
        self.info = info
        rate = info.frameRate.isValid ? info.frameRate.doubleValue : 25  // the CLI's fallback rate
        start = info.startTime ?? 0
    }

    /// The `#` header lines (as the CLI prints them, except the `#software` line, which names Panoptes).
    public func header(software: String) -> [String] {
        let rate = info.frameRate.isValid ? info.frameRate : Rational(25, 1)
        return [
            "#format: frame checksums",
            "#version: 2",
            "#hash: MD5",
            "#software: \(software)",
            "#tb 0: \(rate.denominator)/\(rate.numerator)",
            "#media_type 0: video",
            "#codec_id 0: rawvideo",
            "#dimensions 0: \(info.width)x\(info.height)",
            "#sar 0: 0/1",
            "#stream#, dts,        pts, duration,     size, hash",
        ]
    }

    /// The line for `frame`, or `nil` when the CLI would drop it.
    public mutating func line(for frame: Frame) -> String? {
        let exact = (frame.time - start) * rate
        let delta = exact - Double(nextPts) + 1
        if delta <= -0.6 { return nil }
        if delta > 0.6 { nextPts = Int64((exact).rounded(.toNearestOrEven)) }
        let pts = nextPts
        nextPts += 1
        return Self.format(pts: pts, size: 3 * frame.width * frame.height, hash: frame.md5())
    }

    /// `%d, %10lld, %10lld, %8lld, %8d, %s` as FFmpeg's framehash muxer writes it.
    static func format(pts: Int64, size: Int, hash: String) -> String {
        func pad(_ value: some BinaryInteger, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
        }
        return "0, \(pad(pts, 10)), \(pad(pts, 10)), \(pad(1, 8)), \(pad(size, 8)), \(hash)"
    }
}
