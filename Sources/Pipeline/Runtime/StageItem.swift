import VideoIO

/// One camera frame on its way through the stages: its supplied boxes, the crops chosen for
/// embedding, then their embeddings.
struct CameraFrame: Sendable {
    /// Index of the camera in the pipeline.
    var camera: Int
    /// 0-based decode index.
    var frame: Int
    /// Media seconds.
    var time: Double
    /// Frames per second of the camera's video (for annotated output).
    var frameRate: Rational
    /// Frame size in the camera's pixels (the crop region's, for a virtual camera).
    var width: Int
    var height: Int
    /// The picture, kept only when annotated video is written.
    var image: Frame?
    /// The supplied boxes, in the camera's pixels.
    var boxes: [SuppliedDetections.Box]
    /// Crops to embed, and for each the index of its box in `boxes`.
    var crops: [FrameRegion]
    var cropBoxes: [Int]
    /// Per box, its embedding (empty when the box was not embedded); filled by the embedder stage.
    var embeddings: [[Float]]
}

/// A camera's stream has ended: the footage ran out, a frame limit was reached, it failed, or the run
/// was asked to stop.
struct CameraEnd: Sendable {
    /// Index of the camera.
    var camera: Int
    /// The last frame delivered and its time (nil when none was).
    var lastFrame: Int?
    var lastTime: Double?
    /// Why the camera failed (FFmpeg's message, a bad detection file ...), nil when it simply ended.
    var error: String?
    /// Set when the camera stopped because the run was asked to stop (its footage had not ended).
    var stoppedBy: StopReason? = nil
}

/// What flows between stages.
enum StageItem: Sendable {
    case frame(CameraFrame)
    case end(CameraEnd)

    /// The camera the item belongs to.
    var camera: Int {
        switch self {
        case .frame(let f): return f.camera
        case .end(let e): return e.camera
        }
    }

    /// The media time the item is ordered by (an end sorts at its last frame's time; a camera that
    /// delivered nothing ends before everything).
    var time: Double {
        switch self {
        case .frame(let f): return f.time
        case .end(let e): return e.lastTime ?? -.infinity
        }
    }
}
