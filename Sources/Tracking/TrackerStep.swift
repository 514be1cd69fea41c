/// One camera's tracker output for one frame.
public struct TrackerStep: Sendable, Equatable {
    /// The camera's name.
    public var camera: String
    /// 0-based frame index.
    public var frame: Int
    /// Media time in seconds.
    public var time: Double
    /// Matched, newly lost and newly ended tracks, ordered by track id.
    public var updates: [TrackUpdate]
    /// Detections of this frame that were not used, by reason.
    public var skipped: [SkipReason: Int]

    /// Makes a step.
    public init(camera: String, frame: Int, time: Double, updates: [TrackUpdate], skipped: [SkipReason: Int] = [:]) {
        self.camera = camera
        self.frame = frame
        self.time = time
        self.updates = updates
        self.skipped = skipped
    }

    /// The confirmed tracks matched in this frame: what a MOT track file lists.
    public var confirmedMatches: [TrackUpdate] {
        updates.filter { $0.state == .confirmed && $0.isMatched }
    }
}

/// Why the tracker set a detection aside.
public enum SkipReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// A coordinate or the score was NaN or infinite.
    case notFinite
    /// Width or height zero or negative.
    case emptyBox
    /// Wholly outside the configured frame.
    case outsideFrame
    /// Score below `minDetectionScore`.
    case lowScore
    /// Embedding length differs from the first embedding the tracker saw, or holds NaN.
    case badEmbedding
}
