import DequeModule

/// A live camera's detection lines waiting for their frames, and the matching of a frame to its lines.
///
/// A frame at presentation time `p` takes the lines keyed by a `pts` within half a frame interval of
/// `p` (float rounding in the detector's arithmetic or in a time base does not matter; a line between
/// two frames goes to the nearer one); the same for `wall_time` against the frame's arrival on the
/// wall clock. Lines are expected in the order of their frames, as a detector writes them:
///
/// - A frame is **complete** once a line for a later frame has come (the detector has moved past it):
///   it need not wait for `detections_latency`.
/// - A line for a frame already handed out is **late**: counted and dropped.
/// - A line whose frame never comes (dropped by a full buffer, lost with the stream, or keyed between
///   frames by more than half an interval) is **unmatched**: counted and dropped when a later frame
///   is handed out.
///
/// **Restarts.** A stream that restarts (a new connection to an encoder that started again) starts its
/// `pts` again, and so does a detector reading it. A jump back of more than ``restartGap`` seconds in
/// the frames' `pts` or in the lines' `pts` starts a new epoch on that side: the lines held from the
/// old one are dropped (unmatched), and the lines of the new one are matched to the frames of the new
/// one, whichever side restarts first. `wall_time` never restarts.
///
/// - Note: A value type with no clock and no I/O; ``LiveDetectionJoin`` owns one behind its lock.
public struct LiveDetectionBuffer: Sendable {
    /// Seconds the `pts` of frames or of lines must go back to count as a restarted stream: far more
    /// than rounding or a detector's reordering within a frame, far less than any stream's run.
    public static let restartGap = 1.0
    /// The most lines held for frames not yet handed out (per key kind); past it the oldest are dropped
    /// as unmatched. 10,000 lines are 40 s of a busy scene (10 people at 25 fps) — a detector that runs
    /// further ahead of the stream than that is not following it.
    public static let capacity = 10_000

    private var pts = KeyedLines(restarts: true)
    private var wall = KeyedLines(restarts: false)

    /// Lines that came after their frame was handed out.
    public private(set) var late = 0
    /// Lines whose frame never came.
    public private(set) var unmatched = 0

    /// An empty buffer.
    public init() {}

    /// Lines held now.
    public var count: Int { pts.lines.count + wall.lines.count }

    /// Adds a line as it arrives.
    ///
    /// - Returns: false when the line was late (its frame was handed out already).
    @discardableResult
    public mutating func add(_ line: LiveDetectionLine) -> Bool {
        let stored: Bool, dropped: Int
        switch line.key {
        case .pts(let key): (stored, dropped) = pts.add(key: key, box: line.box)
        case .wallTime(let key): (stored, dropped) = wall.add(key: key, box: line.box)
        }
        unmatched += dropped
        if !stored { late += 1 }
        return stored
    }

    /// True when the detector has moved past the frame at `pts` / `wallTime` (a line for a later frame
    /// came), so every line of the frame that will come in order is here.
    public func isComplete(pts p: Double?, wallTime w: Double?, interval: Double) -> Bool {
        let half = interval / 2
        return p.map { pts.isComplete(key: $0, half: half) } == true || w.map { wall.isComplete(key: $0, half: half) } == true
    }

    /// Hands out the frame at `pts` / `wallTime`: its boxes, in the order their lines came. Lines for
    /// earlier frames still held are dropped (unmatched); lines that come later for this frame or an
    /// earlier one are late.
    public mutating func take(pts p: Double?, wallTime w: Double?, interval: Double) -> [SuppliedDetections.Box] {
        let half = interval / 2
        var boxes: [SuppliedDetections.Box] = []
        if let p { unmatched += pts.take(key: p, half: half, into: &boxes) }
        if let w { unmatched += wall.take(key: w, half: half, into: &boxes) }
        return boxes
    }
}

/// The lines of one key kind (`pts` or `wall_time`), in key order.
private struct KeyedLines: Sendable {
    /// Whether a jump back starts a new epoch (`pts`), or is only a late line (`wall_time`).
    let restarts: Bool
    /// Held lines, by key.
    var lines = Deque<(key: Double, box: SuppliedDetections.Box?)>()
    /// The key of the newest line (the detector's position).
    var lastLineKey: Double?
    /// The key of the last frame handed out.
    var lastFrameKey: Double?
    /// Keys up to this belong to frames handed out.
    var horizon = -Double.infinity
    /// True when the lines jumped back (a new epoch) while the frames have not yet: the new lines are
    /// held, not late, until the frames restart too or the lines pass the frames.
    var linesRestarted = false

    /// Adds a line; returns whether it was held, and how many held lines it made drop.
    mutating func add(key: Double, box: SuppliedDetections.Box?) -> (stored: Bool, dropped: Int) {
        var dropped = 0
        if restarts, let last = lastLineKey, key < last - LiveDetectionBuffer.restartGap {
            dropped += lines.count
            lines.removeAll()
            linesRestarted = true
        }
        lastLineKey = key
        if linesRestarted && key > horizon { linesRestarted = false }
        if !linesRestarted && key <= horizon { return (false, dropped) }
        // A detector writes in frame order, so this is nearly always an append.
        var at = lines.endIndex
        while at > lines.startIndex, lines[at - 1].key > key { at -= 1 }
        lines.insert((key, box), at: at)
        if lines.count > LiveDetectionBuffer.capacity {
            lines.removeFirst()
            dropped += 1
        }
        return (true, dropped)
    }

    func isComplete(key: Double, half: Double) -> Bool {
        guard let last = lastLineKey else { return false }
        // The first frame of a restarted stream: only lines of a restarted detector say anything of it.
        if restarts, let lastFrame = lastFrameKey, key < lastFrame - LiveDetectionBuffer.restartGap {
            return linesRestarted && last > key + half
        }
        return !linesRestarted && last > key + half
    }

    /// Moves the boxes within `half` of `key` into `boxes`; returns the held lines dropped unmatched.
    mutating func take(key: Double, half: Double, into boxes: inout [SuppliedDetections.Box]) -> Int {
        var dropped = 0
        if restarts, let last = lastFrameKey, key < last - LiveDetectionBuffer.restartGap {
            // The stream restarted. Lines held from before a restart of the detector's own are the old
            // stream's, and so is its position.
            horizon = -.infinity
            if !linesRestarted {
                dropped += lines.count
                lines.removeAll()
                lastLineKey = nil
            }
            linesRestarted = false
        }
        lastFrameKey = key
        // Lines of a new epoch that the frames have not reached: they wait for the frames' restart.
        if linesRestarted { return dropped }
        while let first = lines.first, first.key <= key + half {
            lines.removeFirst()
            if first.key >= key - half {
                if let box = first.box { boxes.append(box) }
            } else {
                dropped += 1
            }
        }
        horizon = max(horizon, key + half)
        return dropped
    }
}
