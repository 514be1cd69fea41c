import ReIDNet
import Tracking

/// The synchronous heart of the tracking stage: each camera's tracker and the identity registry,
/// fed frames already ordered by (media time, camera). The `run` pipeline's tracking stage and
/// `calibrate`'s replays of recorded embeddings both step it, so both decide alike.
public struct TrackingCore: Sendable {
    /// What one frame or one camera's end caused.
    public struct Outcome: Sendable {
        /// The tracker's step (matched, lost and ended tracks).
        public var step: TrackerStep
        /// The registry's events, in order.
        public var events: [IdentityEvent]
    }

    /// Camera ids by index.
    public let cameras: [String]
    private let trackerConfig: TrackerConfig
    private var trackers: [Int: CameraTracker] = [:]
    /// The registry.
    public private(set) var registry: InMemoryIdentityRegistry
    /// Seconds spent in the trackers' `update` and in the registry's `ingest` so far (the tracking
    /// benchmark's update time).
    public private(set) var trackerSeconds = 0.0
    public private(set) var registrySeconds = 0.0

    /// Trackers with `tracker` parameters (the frame size is set per camera) and a registry with `registry`.
    public init(cameras: [String], tracker: TrackerConfig, registry: RegistryConfig) {
        self.cameras = cameras
        trackerConfig = tracker
        self.registry = InMemoryIdentityRegistry(config: registry)
    }

    /// Tracks one frame of camera `frame.camera` and hands the step to the registry.
    ///
    /// - Throws: `TrackingError` when frames go back in time.
    public mutating func track(_ frame: EmbeddedFrame) throws -> Outcome {
        let id = cameras[frame.camera]
        if trackers[frame.camera] == nil {
            var config = trackerConfig
            config.frameSize = (Double(frame.width), Double(frame.height))
            trackers[frame.camera] = CameraTracker(camera: id, config: config)
        }
        let detections = frame.boxes.enumerated().map { i, b in
            Detection(camera: id, frame: frame.frame, time: frame.time, box: b.box, score: b.score,
                      embedding: i < frame.embeddings.count ? frame.embeddings[i] : [])
        }
        let start = MonotonicClock.seconds()
        let step = try trackers[frame.camera]!.update(frame: frame.frame, time: frame.time, detections: detections)
        let tracked = MonotonicClock.seconds()
        let events = try registry.ingest(step)
        trackerSeconds += tracked - start
        registrySeconds += MonotonicClock.seconds() - tracked
        return Outcome(step: step, events: events)
    }

    /// Ends camera `camera`'s live tracks (its footage ended, it failed, or the run stopped) at its last
    /// frame.
    ///
    /// - Parameter reason: the `reason` their `track_ended` events carry (nil: none, as when the
    ///   footage simply ended).
    public mutating func end(camera: Int, lastFrame: Int?, lastTime: Double?, reason: String? = nil) throws -> Outcome? {
        guard var tracker = trackers.removeValue(forKey: camera) else { return nil }
        let step = tracker.finish(frame: lastFrame ?? 0, time: lastTime ?? 0)
        var events = try registry.ingest(step)
        if let reason {
            for i in events.indices where events[i].kind == .trackEnded { events[i].reason = reason }
        }
        return Outcome(step: step, events: events)
    }

    /// Ends camera `camera`'s live tracks at `time` because its live stream went down, and keeps its
    /// tracker: the registry keeps their identities, and when the camera comes back its new tracks
    /// take new track ids and can be re-identified as the same people.
    ///
    /// - Parameter reason: the `reason` their `track_ended` events carry.
    public mutating func suspend(camera: Int, lastFrame: Int?, time: Double, reason: String) throws -> Outcome? {
        guard trackers[camera] != nil else { return nil }
        let step = trackers[camera]!.finish(frame: lastFrame ?? 0, time: time)
        var events = try registry.ingest(step)
        for i in events.indices where events[i].kind == .trackEnded { events[i].reason = reason }
        return Outcome(step: step, events: events)
    }

    /// The identity a live track holds now.
    public func identity(camera: Int, track: Int) -> Int? {
        registry.identity(camera: cameras[camera], track: track)
    }
}

/// One camera frame as the trackers see it: its boxes and their embeddings (no pixels).
public struct EmbeddedFrame: Sendable {
    /// Index of the camera in the pipeline.
    public var camera: Int
    /// 0-based decode index.
    public var frame: Int
    /// Media seconds.
    public var time: Double
    /// Frame size in the camera's pixels.
    public var width: Int
    public var height: Int
    /// The supplied boxes.
    public var boxes: [SuppliedDetections.Box]
    /// Per box, its embedding (empty when not embedded).
    public var embeddings: [[Float]]

    /// A frame of camera `camera`.
    public init(camera: Int, frame: Int, time: Double, width: Int, height: Int, boxes: [SuppliedDetections.Box], embeddings: [[Float]]) {
        self.camera = camera
        self.frame = frame
        self.time = time
        self.width = width
        self.height = height
        self.boxes = boxes
        self.embeddings = embeddings
    }
}

/// What reached the tracking stage, in order: replayable without decoding or embedding again
/// (`calibrate` sweeps thresholds over it).
public enum RecordedItem: Sendable {
    /// A frame.
    case frame(EmbeddedFrame)
    /// A camera's end (with why it failed, if it did).
    case end(camera: Int, lastFrame: Int?, lastTime: Double?, error: String?)
}

extension TrackingCore {
    /// Everything the trackers and the registry remember, for a run's checkpoint.
    public struct Memory: Codable, Sendable {
        /// One camera's tracker, with the frame size it was made for.
        struct Camera: Codable, Sendable {
            var camera: Int
            var width: Double
            var height: Double
            var tracker: CameraTracker.Memory
        }

        var trackers: [Camera]
        var registry: InMemoryIdentityRegistry.Memory
    }

    /// What the trackers and the registry remember now.
    public var memory: Memory {
        Memory(trackers: trackers.keys.sorted().map { i in
                   let t = trackers[i]!
                   return .init(camera: i, width: t.config.frameSize?.width ?? 0, height: t.config.frameSize?.height ?? 0,
                                tracker: t.memory)
               },
               registry: registry.memory)
    }

    /// A core with `tracker` and `registry` parameters that goes on from `memory`, deciding exactly as
    /// the one it was taken from would.
    ///
    /// - Throws: `DecodingError` when `memory` names a camera index out of range or an unknown skip reason.
    public init(cameras: [String], tracker: TrackerConfig, registry: RegistryConfig, memory: Memory) throws {
        self.init(cameras: cameras, tracker: tracker, registry: registry)
        self.registry = InMemoryIdentityRegistry(config: registry, memory: memory.registry)
        for saved in memory.trackers {
            guard cameras.indices.contains(saved.camera) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "tracker of camera #\(saved.camera) of \(cameras.count)"))
            }
            var config = tracker
            if saved.width > 0 { config.frameSize = (saved.width, saved.height) }
            trackers[saved.camera] = try CameraTracker(camera: cameras[saved.camera], config: config, memory: saved.tracker)
        }
    }
}
