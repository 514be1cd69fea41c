/// Everything that decides a synthetic scene. The same value always gives byte-identical ground
/// truth, detections and `scene.json` (and identical pixels before encoding).
public struct SynthConfig: Sendable, Equatable, Codable {
    /// Number of camera views, 2 to 4. Default 4.
    public var cameras: Int = 4
    /// Number of distinct people walking through the cameras, 1 to 24. Default 12.
    public var people: Int = 12
    /// Length of every camera's video in seconds. Default 60.
    public var seconds: Double = 60
    /// The seed of the scene's pseudo-random generator (SplitMix64). Default 1.
    public var seed: UInt64 = 1
    /// Frame width in pixels (even, 160 to 1920). Default 640.
    public var width: Int = 640
    /// Frame height in pixels (even, 120 to 1080). Default 360.
    public var height: Int = 360
    /// Frames per second, 1 to 60. Default 10.
    public var fps: Int = 10
    /// Standard deviation of the supplied boxes' jitter, as a fraction of the box size. Default 0.03.
    public var jitter: Double = 0.03
    /// Probability that a detectable ground-truth box has no detection. Default 0.10.
    public var missRate: Double = 0.10
    /// Mean number of false-positive detections per frame (Poisson). Default 0.05.
    public var falsePositivesPerFrame: Double = 0.05
    /// Mean seconds a person needs to cross one camera view. Default 8.
    public var crossingSeconds: Double = 8
    /// Shortest gap in seconds between leaving one camera and entering the next. Default 2.
    public var minGapSeconds: Double = 2
    /// Longest gap in seconds between leaving one camera and entering the next. Default 5.
    public var maxGapSeconds: Double = 5
    /// A ground-truth box counts (confidence 1) and can be detected only when at least this fraction
    /// of it is visible (not occluded, inside the frame). Default 0.25.
    public var minVisibility: Double = 0.25

    /// The default scene (`--cameras 4 --people 12 --seconds 60 --seed 1`).
    public init() {}

    /// Number of frames in each camera's video.
    public var frameCount: Int { Int((seconds * Double(fps)).rounded()) }

    /// Camera names, `cam1`, `cam2`, ...: also the file stems in the scene folder.
    public var cameraNames: [String] { (1...cameras).map { "cam\($0)" } }

    /// Checks every setting; the error names the option, the value and the accepted range.
    public func validate() throws(SynthError) {
        func check(_ ok: Bool, _ name: String, _ value: CustomStringConvertible, _ expected: String) throws(SynthError) {
            if !ok { throw .invalidSetting(name, value.description, expected: expected) }
        }
        try check((2...4).contains(cameras), "--cameras", cameras, "2 to 4 cameras")
        try check((1...24).contains(people), "--people", people, "1 to 24 people")
        try check(seconds.isFinite && seconds >= 1 && seconds <= 3600, "--seconds", seconds, "1 to 3600 seconds")
        try check(width % 2 == 0 && (160...1920).contains(width), "--width", width, "an even width from 160 to 1920")
        try check(height % 2 == 0 && (120...1080).contains(height), "--height", height, "an even height from 120 to 1080")
        try check((1...60).contains(fps), "--fps", fps, "1 to 60 frames per second")
        try check(jitter.isFinite && jitter >= 0 && jitter <= 0.5, "--jitter", jitter, "a fraction of the box size from 0 to 0.5")
        try check(missRate.isFinite && missRate >= 0 && missRate <= 1, "--miss-rate", missRate, "a probability from 0 to 1")
        try check(falsePositivesPerFrame.isFinite && falsePositivesPerFrame >= 0 && falsePositivesPerFrame <= 20,
                  "--false-positives", falsePositivesPerFrame, "a mean count per frame from 0 to 20")
        try check(crossingSeconds.isFinite && crossingSeconds >= 1 && crossingSeconds <= 600,
                  "--crossing-seconds", crossingSeconds, "1 to 600 seconds")
        try check(minGapSeconds.isFinite && minGapSeconds >= 0, "--min-gap", minGapSeconds, "a gap of 0 seconds or more")
        try check(maxGapSeconds.isFinite && maxGapSeconds >= minGapSeconds && maxGapSeconds <= 600,
                  "--max-gap", maxGapSeconds, "a gap from --min-gap (\(minGapSeconds)) to 600 seconds")
        try check(minVisibility.isFinite && minVisibility >= 0 && minVisibility <= 1,
                  "--min-visibility", minVisibility, "a fraction from 0 to 1")
    }
}
