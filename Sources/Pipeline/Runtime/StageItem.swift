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
    /// Live cameras: the frame's presentation time in seconds of the stream (`time` is the run's
    /// clock), which detection lines keyed by `pts` name.
    var streamTime: Double? = nil
    /// Live cameras: the wall-clock time the frame arrived, seconds since 1970 (its events' `wall_time`),
    /// which detection lines keyed by `wall_time` name.
    var wallTime: Double? = nil
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

/// A live camera lost its stream for longer than its stall timeout (`camera_down`); it is reconnecting.
struct CameraDown: Sendable {
    /// Index of the camera.
    var camera: Int
    /// Seconds since the run started, when the loss was declared.
    var time: Double
    /// The last frame delivered before the loss and its time (nil when none was).
    var lastFrame: Int?
    var lastTime: Double?
    /// Why, in words: the end of the stream, FFmpeg's error text, or a stall.
    var reason: String
}

/// A live camera that was down delivers frames again (`camera_up`).
struct CameraUp: Sendable {
    /// Index of the camera.
    var camera: Int
    /// Seconds since the run started, at the first frame after the return.
    var time: Double
    /// Seconds without coverage: from the last frame before the loss to the first one after it.
    var gap: Double
}

/// What flows between stages.
enum StageItem: Sendable {
    case frame(CameraFrame)
    case end(CameraEnd)
    /// Live cameras only.
    case down(CameraDown)
    case up(CameraUp)

    /// The camera the item belongs to.
    var camera: Int {
        switch self {
        case .frame(let f): return f.camera
        case .end(let e): return e.camera
        case .down(let d): return d.camera
        case .up(let u): return u.camera
        }
    }

    /// The media time the item is ordered by (an end sorts at its last frame's time; a camera that
    /// delivered nothing ends before everything).
    var time: Double {
        switch self {
        case .frame(let f): return f.time
        case .end(let e): return e.lastTime ?? -.infinity
        case .down(let d): return d.time
        case .up(let u): return u.time
        }
    }

    /// The item with its time raised to `floor` if it was earlier (the live merge keeps times rising
    /// across cameras; an end's last frame time is its time).
    func noEarlier(than floor: Double) -> StageItem {
        guard time < floor else { return self }
        switch self {
        case .frame(var f): f.time = floor; return .frame(f)
        case .end(var e): e.lastTime = floor; return .end(e)
        case .down(var d): d.time = floor; return .down(d)
        case .up(var u): u.time = floor; return .up(u)
        }
    }

    /// True for a frame, which a live camera's full buffer may drop; the others always get through.
    var isFrame: Bool {
        if case .frame = self { return true }
        return false
    }
}
