import DequeModule
import Foundation
import Synchronization

/// Where a ``LiveCameraReader`` puts what it reads: the camera's channel itself, or a
/// ``LiveDetectionJoin`` in front of it when the camera has supplied detections.
protocol LiveOutlet: Sendable {
    /// Appends without waiting, dropping the oldest droppable element when full.
    @discardableResult
    func sendDroppingOldest(_ item: StageItem, droppable: (StageItem) -> Bool) -> (sent: Bool, dropped: Int)
    /// Appends, waiting while full; false once the outlet is finished.
    @discardableResult
    func send(_ item: StageItem) async -> Bool
    /// No more items.
    func finish()
    /// Why the camera cannot go on because of its detections (a bad line under `on_error:
    /// bad_detection_line: fatal`), or nil.
    var failure: String? { get }
}

extension BoundedChannel: LiveOutlet where Element == StageItem {
    var failure: String? { nil }
}

/// A live camera's frames joined with its supplied detections as they come: each frame waits until
/// the detector has moved past it (a line for a later frame came) or until `detections_latency`
/// seconds after its arrival, whichever is first, then goes on with the boxes that came for it (none:
/// tracked as empty) and its crops chosen by the embedding policy. Lines are matched by
/// ``LiveDetectionBuffer`` and read by ``LiveDetectionFollower``.
///
/// The join never waits for the stages after it: it forwards frames into the camera's drop-oldest
/// channel, so the detector's latency delays frames but never blocks the reader. At most
/// ``maxWaiting`` frames wait at once (memory stays bounded whatever the latency); when more come, the
/// oldest goes on early. Camera state changes (`camera_down`, `camera_up`, the end) keep their place
/// after the frames before them. When the reader ends (the stream gave up, or a stop), the waiting
/// frames go on at once with what they have.
///
/// - Note: The reader sends from its task, the follower's thread wakes the join through the same
///   channel, and ``run()`` is the one receiver; the buffer is behind a lock shared by the follower
///   and the join.
final class LiveDetectionJoin: LiveOutlet {
    /// What reaches the join.
    enum Arrival: Sendable {
        case item(StageItem)
        /// Detection lines came (at most one waits in the channel).
        case linesCame

        var isFrame: Bool {
            if case .item(let item) = self { return item.isFrame }
            return false
        }
    }

    let index: Int
    let cameraID: String
    let latency: Double
    let policy: EmbeddingPolicy
    let keepImages: Bool
    let fatal: Bool
    let output: BoundedChannel<StageItem>
    let statistics: RunStatistics
    let clock: RunClock
    let log: @Sendable (String) -> Void
    /// The most frames waiting for their detections at once.
    let maxWaiting: Int
    private let input: BoundedChannel<Arrival>
    private let shared = Shared()
    private let follower: LiveDetectionFollower

    /// What the follower's thread and the join share.
    private final class Shared: Sendable {
        let buffer = Mutex(LiveDetectionBuffer())
        let fatalLine = Mutex<String?>(nil)
        /// True while a `linesCame` waits in the channel (one is enough to wake the join).
        let wakePending = Atomic<Bool>(false)
    }

    /// A join for camera `index` reading the detection stream at `path`, sending to `output`.
    ///
    /// - Parameters:
    ///   - capacity: frames the reader may put in the join before the oldest is dropped (the camera's
    ///     `frames_per_camera`); ``maxWaiting`` is four times it.
    init(index: Int, cameraID: String, path: String, latency: Double, policy: EmbeddingPolicy, keepImages: Bool, fatal: Bool,
         capacity: Int, output: BoundedChannel<StageItem>, statistics: RunStatistics, clock: RunClock,
         log: @escaping @Sendable (String) -> Void) {
        self.index = index
        self.cameraID = cameraID
        self.latency = latency
        self.policy = policy
        self.keepImages = keepImages
        self.fatal = fatal
        self.output = output
        self.statistics = statistics
        self.clock = clock
        self.log = log
        maxWaiting = 4 * capacity
        let input = BoundedChannel<Arrival>(capacity: capacity)
        self.input = input
        let shared = self.shared
        follower = LiveDetectionFollower(path: path) { event in
            switch event {
            case .lines(let lines):
                let counts = shared.buffer.withLock { b -> (late: Int, unmatched: Int) in
                    for line in lines { b.add(line) }
                    return (b.late, b.unmatched)
                }
                statistics.update {
                    $0.cameras[index].detectionLinesLate = counts.late
                    $0.cameras[index].detectionLinesUnmatched = counts.unmatched
                }
                if !shared.wakePending.exchange(true, ordering: .acquiringAndReleasing) {
                    input.sendDroppingOldest(.linesCame, droppable: { _ in false })
                }
            case .badLine(let error):
                if fatal {
                    shared.fatalLine.withLock { if $0 == nil { $0 = "\(error) (on_error.bad_detection_line is fatal)" } }
                } else {
                    statistics.update { $0.cameras[index].detectionLinesSkipped += 1 }
                    log("\(cameraID): skipped a bad detection line: \(error)")
                }
            case .notice(let text):
                log("\(cameraID): detections: \(text)")
            }
        }
    }

    var failure: String? { shared.fatalLine.withLock { $0 } }

    func sendDroppingOldest(_ item: StageItem, droppable: (StageItem) -> Bool) -> (sent: Bool, dropped: Int) {
        input.sendDroppingOldest(.item(item)) { arrival in
            if case .item(let held) = arrival { return droppable(held) }
            return false
        }
    }

    func send(_ item: StageItem) async -> Bool { await input.send(.item(item)) }

    func finish() { input.finish() }

    /// Follows the detections and forwards the reader's items until the reader finishes; then stops the
    /// follower and finishes the camera's channel.
    func run() async {
        follower.start()
        var waiting = Deque<StageItem>()
        var schedule = EmbeddingSchedule(policy)
        var readerDone = false
        while true {
            guard await release(&waiting, schedule: &schedule, all: readerDone) else { break }
            if readerDone && waiting.isEmpty { break }
            var wait: Double?
            if case .frame(let head) = waiting.first { wait = max(0.001, head.time + latency - clock.now()) }
            switch await input.receive(within: wait) {
            case .element(.item(let item)): waiting.append(item)
            case .element(.linesCame): shared.wakePending.store(false, ordering: .releasing)
            case .timedOut: break
            case .finished: readerDone = true
            }
        }
        // The camera's channel is finished either way; a reader still sending finds the join finished.
        input.finish()
        follower.stop()
        await follower.waitUntilStopped()
        output.finish()
    }

    /// Forwards the items at the head that may go: frames whose detections are complete or whose wait
    /// is over (every one when `all`), and the items behind them.
    ///
    /// - Returns: false when the camera's channel is finished (a later stage failed).
    private func release(_ waiting: inout Deque<StageItem>, schedule: inout EmbeddingSchedule, all: Bool) async -> Bool {
        while let head = waiting.first {
            guard case .frame(var frame) = head else {
                waiting.removeFirst()
                guard await output.send(head) else { return false }
                continue
            }
            let rate = frame.frameRate
            let interval = rate.isValid && rate.doubleValue > 0 ? 1 / rate.doubleValue : 0.04
            let complete = shared.buffer.withLock { $0.isComplete(pts: frame.streamTime, wallTime: frame.wallTime, interval: interval) }
            let due = all || waiting.count > maxWaiting || clock.now() >= frame.time + latency
            guard complete || due else { return true }
            waiting.removeFirst()
            let (boxes, unmatched) = shared.buffer.withLock { b in
                (b.take(pts: frame.streamTime, wallTime: frame.wallTime, interval: interval), b.unmatched)
            }
            frame.boxes = boxes
            if let view = frame.image {
                let chosen = schedule.crops(of: boxes, in: view, frame: frame.frame)
                frame.crops = chosen.map(\.region)
                frame.cropBoxes = chosen.map(\.box)
            }
            if !keepImages { frame.image = nil }
            statistics.update {
                $0.cameras[index].detectionLinesUnmatched = unmatched
                if !complete { $0.cameras[index].framesPastDetectionsLatency += 1 }
            }
            let sent = output.sendDroppingOldest(.frame(frame), droppable: \.isFrame)
            guard sent.sent else { return false }
            if sent.dropped > 0 { statistics.droppedFrames(camera: index, count: sent.dropped) }
        }
        return true
    }
}
