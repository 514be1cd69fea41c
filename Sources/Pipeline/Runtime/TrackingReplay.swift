import Tracking

/// Tracking again over a recorded run (`PipelineRunner.recordsEmbeddings`) with other tracker and
/// registry parameters, without decoding or embedding: what `calibrate` sweeps.
public struct TrackingReplay: Sendable {
    /// The result of one replay.
    public struct Result: Sendable {
        /// Per camera id, the MOT records of the global-identity track files (`--tracks-dir`'s content).
        public var tracks: [String: [MOTRecord]]
        /// Per camera id, the MOT records with per-camera track ids (within-camera metrics).
        public var cameraTracks: [String: [MOTRecord]]
        /// Every identity event.
        public var events: [IdentityEvent]
        /// Seconds in the trackers' updates and in the registry.
        public var trackerSeconds: Double
        public var registrySeconds: Double
        /// Frames tracked.
        public var frames: Int
    }

    /// Camera ids by index.
    public let cameras: [String]
    /// What reached the trackers.
    public let recording: [RecordedItem]

    /// A replay of `recording` for `cameras`.
    public init(cameras: [String], recording: [RecordedItem]) {
        self.cameras = cameras
        self.recording = recording
    }

    /// Tracks the recording with `tracker` and `registry` (whose topology names the cameras).
    public func run(tracker: TrackerConfig, registry: RegistryConfig) throws -> Result {
        var core = TrackingCore(cameras: cameras, tracker: tracker, registry: registry)
        let files = try TrackFileWriter(folder: nil, cameras: cameras)
        var cameraTracks: [String: [MOTRecord]] = [:]
        var events: [IdentityEvent] = []
        var frames = 0
        func take(_ outcome: TrackingCore.Outcome, camera: Int) throws {
            events += outcome.events
            try files.take(outcome, camera: camera)
        }
        for item in recording {
            switch item {
            case .frame(let f):
                let outcome = try core.track(f)
                frames += 1
                cameraTracks[cameras[f.camera], default: []] += outcome.step.confirmedMatches.map { MOTRecord($0) }
                try take(outcome, camera: f.camera)
            case .end(let camera, let lastFrame, let lastTime, _):
                if let outcome = try core.end(camera: camera, lastFrame: lastFrame, lastTime: lastTime) {
                    try take(outcome, camera: camera)
                }
            }
        }
        var tracks: [String: [MOTRecord]] = [:]
        for (i, id) in cameras.enumerated() { tracks[id] = files.inMemory[i] ?? [] }
        return Result(tracks: tracks, cameraTracks: cameraTracks, events: events, trackerSeconds: core.trackerSeconds,
                      registrySeconds: core.registrySeconds, frames: frames)
    }
}
