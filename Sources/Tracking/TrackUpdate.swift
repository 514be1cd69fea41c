/// What happened to one track in one frame.
///
/// A tracker step reports every track matched in the frame (state `.tentative` or `.confirmed`, with
/// the detection and its embedding), every track that became `.lost` in this frame, and every track
/// that `.ended` in this frame.
public struct TrackUpdate: Sendable, Equatable {
    /// The camera's name.
    public var camera: String
    /// The track's id, unique within its camera, counting from 1.
    public var track: Int
    /// 0-based frame index.
    public var frame: Int
    /// Media time in seconds.
    public var time: Double
    /// The track's state after this frame.
    public var state: TrackState
    /// The matched detection's box (clipped), or the predicted box when not matched.
    public var box: BoundingBox
    /// The Kalman filter's estimate after this frame.
    public var estimate: BoundingBox
    /// The matched detection's score (0 when not matched).
    public var score: Double
    /// Index of the matched detection in the `update` call's array; nil when not matched.
    public var detectionIndex: Int?
    /// The matched detection's L2-normalised embedding (empty when not matched or none was given).
    public var embedding: [Float]
    /// True in the frame the track was created.
    public var isNew: Bool
    /// True in the frame the track became confirmed.
    public var becameConfirmed: Bool
    /// Frames matched so far (a tentative track's are consecutive: it ends at its first miss).
    public var hits: Int
    /// True when the matched box touches the frame's edge (within the tracker's `edgeMargin`): the
    /// person is likely cut off by the frame, and the crop's embedding less like the whole person's.
    /// Always false when the tracker has no frame size.
    public var atFrameEdge: Bool

    /// Makes an update (normally produced by `CameraTracker`).
    public init(
        camera: String, track: Int, frame: Int, time: Double, state: TrackState, box: BoundingBox,
        estimate: BoundingBox, score: Double, detectionIndex: Int?, embedding: [Float], isNew: Bool,
        becameConfirmed: Bool, hits: Int, atFrameEdge: Bool = false
    ) {
        self.camera = camera
        self.track = track
        self.frame = frame
        self.time = time
        self.state = state
        self.box = box
        self.estimate = estimate
        self.score = score
        self.detectionIndex = detectionIndex
        self.embedding = embedding
        self.isNew = isNew
        self.becameConfirmed = becameConfirmed
        self.hits = hits
        self.atFrameEdge = atFrameEdge
    }

    /// True when a detection was matched to the track in this frame.
    public var isMatched: Bool { detectionIndex != nil }
}
