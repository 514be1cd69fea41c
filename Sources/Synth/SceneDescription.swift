/// `scene.json`: what a consumer of a synthetic scene needs besides the per-camera files — the
/// cameras and their files, which views overlap (none in Synth's ring), and the transition windows
/// between cameras (which the identity registry's configuration takes). Keys are snake_case.
public struct SceneDescription: Sendable, Equatable, Codable {
    /// One camera of the scene and its files, relative to the scene folder.
    public struct Camera: Sendable, Equatable, Codable {
        /// The camera's name, also its file stem.
        public var name: String
        /// The encoded video, `<name>.mp4`.
        public var video: String
        /// Ground truth, `<name>.gt.txt`.
        public var groundTruth: String
        /// Supplied detections, `<name>.det.txt`.
        public var detections: String
        /// Frame width in pixels.
        public var width: Int
        /// Frame height in pixels.
        public var height: Int
        /// Frames per second.
        public var fps: Int
        /// Number of frames.
        public var frames: Int
    }

    /// Two cameras whose views overlap (someone can be in both at once).
    public struct Overlap: Sendable, Equatable, Codable {
        /// One camera's name.
        public var a: String
        /// The other camera's name.
        public var b: String
    }

    /// Leaving camera `from` can lead into camera `to` after a gap of `minGap` to `maxGap` seconds
    /// (from the last counted box in `from` to the first counted box in `to`). `from == to` is a
    /// person turning round and coming back. The window is the planned gap widened by a quarter of the
    /// crossing time, the most that walking in and out of the edge of a view can add.
    public struct Transition: Sendable, Equatable, Codable {
        /// Camera left.
        public var from: String
        /// Camera entered.
        public var to: String
        /// Shortest gap in seconds.
        public var minGap: Double
        /// Longest gap in seconds.
        public var maxGap: Double
    }

    /// Schema version of this file; 1.
    public var version: Int
    /// The settings that made the scene (rerun `panoptes synth` with them to get it again).
    public var config: SynthConfig
    /// Number of people (global ids 1...people).
    public var people: Int
    /// The cameras, in order.
    public var cameras: [Camera]
    /// Overlapping views; empty in Synth's scenes.
    public var overlaps: [Overlap]
    /// Every possible transition and its window.
    public var transitions: [Transition]

    /// The description of `plan`.
    public init(plan: ScenePlan) {
        let config = plan.config
        version = 1
        self.config = config
        people = config.people
        cameras = plan.views.map {
            Camera(
                name: $0.name, video: "\($0.name).mp4", groundTruth: "\($0.name).gt.txt",
                detections: "\($0.name).det.txt", width: config.width, height: config.height, fps: config.fps,
                frames: config.frameCount)
        }
        overlaps = []
        var transitions: [Transition] = []
        let names = config.cameraNames
        let n = names.count
        for i in 0..<n {
            var targets = [(i + 1) % n, (i + n - 1) % n, i]
            targets = targets.enumerated().filter { k, t in !targets[..<k].contains(t) }.map(\.element)
            for j in targets.sorted() {
                transitions.append(Transition(
                    from: names[i], to: names[j], minGap: config.minGapSeconds,
                    maxGap: config.maxGapSeconds + 0.25 * config.crossingSeconds))
            }
        }
        self.transitions = transitions
    }
}
