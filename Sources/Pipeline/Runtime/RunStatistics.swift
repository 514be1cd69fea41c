import Synchronization

/// Counters every stage updates and the progress display, the summary (and metrics) read: the only
/// state shared between stages, behind one lock.
public final class RunStatistics: Sendable {
    /// One camera's counts.
    public struct Camera: Sendable, Equatable {
        /// The camera's id.
        public var id: String
        /// Frames tracked.
        public var frames = 0
        /// Supplied boxes handed to the tracker.
        public var detections = 0
        /// Boxes embedded.
        public var embeddings = 0
        /// Confirmed tracks (one `track_started` each).
        public var tracks = 0
        /// The last frame's media time.
        public var lastTime: Double?
        /// Frames the video holds, when the container says (for progress).
        public var expectedFrames: Int?
        /// Why the camera failed, if it did.
        public var error: String?
        /// True once the camera's stream has ended.
        public var finished = false
        /// True when the camera's stream ended because the run was asked to stop, before its footage did.
        public var stopped = false
    }

    /// A snapshot.
    public struct Snapshot: Sendable {
        /// Per camera, in pipeline order.
        public var cameras: [Camera]
        /// Identities the registry holds now.
        public var identities = 0
        /// Identities created since the start.
        public var identitiesCreated = 0
        /// Events written.
        public var events = 0
        /// Crops embedded and seconds spent in the network.
        public var embedded = 0
        public var embedSeconds = 0.0
        /// Embedding batches run.
        public var batches = 0
        /// Frames decoded so far, over every camera.
        public var decodedFrames = 0
        /// The most frames that were decoded but not yet tracked at once: what the bounded channels
        /// hold, whatever the footage length.
        public var mostFramesInFlight = 0
        /// Why the run stopped before the end of its footage (nil when it was not stopped).
        public var stopReason: StopReason?
        /// Live tracks that the stop ended (`track_ended` with reason `run_stopped`).
        public var tracksEndedByStop = 0

        /// Frames tracked so far, over every camera.
        public var trackedFrames: Int { cameras.reduce(0) { $0 + $1.frames } }
    }

    private let state: Mutex<Snapshot>

    /// Zero counts for `cameras`.
    public init(cameras: [String]) {
        state = Mutex(Snapshot(cameras: cameras.map { Camera(id: $0) }))
    }

    /// The counts now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func embedded(crops: Int, seconds: Double) {
        state.withLock {
            $0.embedded += crops
            $0.embedSeconds += seconds
            $0.batches += 1
        }
    }

    /// Counts a decoded frame and the frames in flight.
    func decoded() {
        state.withLock {
            $0.decodedFrames += 1
            $0.mostFramesInFlight = max($0.mostFramesInFlight, $0.decodedFrames - $0.trackedFrames)
        }
    }

    func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
