/// One supplied person box in one camera's frame, with its appearance embedding.
///
/// Frames are 0-based decode indices (DESIGN.md); MOTChallenge files are 1-based and
/// `MOTRecord` converts. `time` is media time in seconds.
public struct Detection: Sendable, Equatable {
    /// The camera's name, as in the scene or pipeline configuration.
    public var camera: String
    /// 0-based decode index of the frame.
    public var frame: Int
    /// Media time of the frame in seconds.
    public var time: Double
    /// The person box in pixels.
    public var box: BoundingBox
    /// The detector's confidence.
    public var score: Double
    /// The appearance embedding (any length, the same for every detection of a run; empty when none).
    /// Need not be normalised: the tracker L2-normalises it.
    public var embedding: [Float]

    /// Makes a detection.
    public init(camera: String, frame: Int, time: Double, box: BoundingBox, score: Double = 1, embedding: [Float] = []) {
        self.camera = camera
        self.frame = frame
        self.time = time
        self.box = box
        self.score = score
        self.embedding = embedding
    }
}
