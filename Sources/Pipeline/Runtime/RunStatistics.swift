import ReIDNet
import Synchronization

/// Counters every stage updates and the progress display, the summary and the metrics endpoint read:
/// the only state shared between stages, behind one lock. `/metrics` renders these same counts (see
/// ``RunMetrics``), so a scrape after the run agrees with the summary by construction.
///
/// - Note: Live inputs count what only they see through ``droppedFrames(camera:count:)``,
///   ``reconnected(camera:)`` and ``setState(camera:_:)`` (`down` while a stream is lost).
public final class RunStatistics: Sendable {
    /// One camera's counts.
    public struct Camera: Sendable, Equatable {
        /// The camera's id.
        public var id: String
        /// Where the camera stands now.
        public var state = CameraState.starting
        /// Frames decoded (they are tracked a moment later: `frames`).
        public var decodedFrames = 0
        /// Frames a live input could not keep and skipped (recorded footage never drops one).
        public var droppedFrames = 0
        /// Packets the decoder rejected and skipped (the camera went on).
        public var decodeErrors = 0
        /// Times a live input reconnected to a lost stream (recorded footage never does).
        public var reconnects = 0
        /// Live detection lines that came after their frame had gone on (counted, dropped).
        public var detectionLinesLate = 0
        /// Live detection lines whose frame never came (dropped by a full buffer, lost with the stream,
        /// or keyed between frames).
        public var detectionLinesUnmatched = 0
        /// Live detection lines skipped as bad (`on_error.bad_detection_line: skip`).
        public var detectionLinesSkipped = 0
        /// Live frames that went on before the detector had moved past them: `detections_latency` ran
        /// out (tracked with the boxes that had come, or as empty).
        public var framesPastDetectionsLatency = 0
        /// Confirmed tracks that have not ended yet.
        public var liveTracks = 0
        /// When the camera came up and when it stopped being read (monotonic seconds), for its frame rate.
        public var readSince: Double?
        public var readUntil: Double?
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
        /// True once `run_finished` is written: the counts are final.
        public var runFinished = false
        /// Each bounded channel's depth when the snapshot was taken, in pipeline order.
        public var queues: [QueueDepth] = []

        /// Frames tracked so far, over every camera.
        public var trackedFrames: Int { cameras.reduce(0) { $0 + $1.frames } }
    }

    /// One bounded channel's fill.
    public struct QueueDepth: Sendable, Equatable {
        /// The channel: `frames/<camera>` (decoded, per camera), `merged`, `embedded`, `annotations`.
        public var name: String
        /// Elements waiting.
        public var depth: Int
        /// The most it holds.
        public var capacity: Int
    }

    private struct QueueProbe: Sendable {
        var name: String
        var capacity: Int
        var depth: @Sendable () -> Int
    }

    private let state: Mutex<Snapshot>
    private let probes = Mutex<[QueueProbe]>([])
    /// The Prometheus side of these counts; its batch-latency histogram is recorded as batches finish.
    let metrics: RunMetrics

    /// Zero counts for `cameras`.
    public init(cameras: [String]) {
        state = Mutex(Snapshot(cameras: cameras.map { Camera(id: $0) }))
        metrics = RunMetrics(cameras: cameras)
    }

    /// The counts now, with the queues' depths.
    public var snapshot: Snapshot {
        var s = state.withLock { $0 }
        s.queues = queueDepths()
        return s
    }

    /// The Prometheus text exposition (version 0.0.4) of the counts now: every series ``RunMetrics``
    /// documents, taken under the lock so one scrape is one consistent moment.
    public func prometheusText() -> String {
        let queues = queueDepths()
        return state.withLock { s in metrics.render(s, queues: queues, now: MonotonicClock.seconds()) }
    }

    /// Adds a channel to the queue depths that snapshots and metrics report.
    func watch<Element>(queue name: String, _ channel: BoundedChannel<Element>) {
        probes.withLock { $0.append(QueueProbe(name: name, capacity: channel.capacity, depth: { channel.depth })) }
    }

    private func queueDepths() -> [QueueDepth] {
        probes.withLock { $0 }.map { QueueDepth(name: $0.name, depth: $0.depth(), capacity: $0.capacity) }
    }

    func embedded(crops: Int, seconds: Double) {
        state.withLock {
            $0.embedded += crops
            $0.embedSeconds += seconds
            $0.batches += 1
            // Under the same lock as `batches`, so a scrape's histogram count always equals it.
            metrics.batchLatency.record(seconds)
        }
    }

    /// Counts a frame camera `camera` decoded, its packets skipped so far, and the frames in flight.
    func decoded(camera: Int, decodeErrors: Int) {
        state.withLock {
            $0.decodedFrames += 1
            $0.cameras[camera].decodedFrames += 1
            $0.cameras[camera].decodeErrors = decodeErrors
            $0.mostFramesInFlight = max($0.mostFramesInFlight, $0.decodedFrames - $0.trackedFrames)
        }
    }

    /// Moves camera `camera` to `state`, noting when it came up and when it stopped being read.
    func setState(camera: Int, _ new: CameraState) {
        let now = MonotonicClock.seconds()
        state.withLock {
            $0.cameras[camera].state = new
            switch new {
            case .up:
                if $0.cameras[camera].readSince == nil { $0.cameras[camera].readSince = now }
                $0.cameras[camera].readUntil = nil
            case .finished, .stopped, .error:
                $0.cameras[camera].readUntil = $0.cameras[camera].readUntil ?? now
            case .starting, .down:
                break
            }
        }
    }

    /// Counts frames a live input skipped because the pipeline could not keep up.
    func droppedFrames(camera: Int, count: Int = 1) {
        state.withLock { $0.cameras[camera].droppedFrames += count }
    }

    /// Counts a live input's reconnection to a lost stream.
    func reconnected(camera: Int) {
        state.withLock { $0.cameras[camera].reconnects += 1 }
    }

    func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
