import Synchronization

/// Cuts a blocking open or read of a stream short: FFmpeg asks it between the network waits of
/// `avformat_open_input`, `avformat_find_stream_info` and `av_read_frame` (its `AVIOInterruptCB`), and
/// it answers "stop" when no frame came for `stallTimeout` seconds or when `isCancelled` says so.
/// The cut call then fails (`AVERROR_EXIT`), so a stalled stream or a hung connect ends with a
/// `VideoError` instead of blocking its thread forever.
///
/// ```swift
/// let watchdog = ReadWatchdog(stallTimeout: 10) { shutdownRequested() }
/// let reader = try VideoReader(url: "udp://127.0.0.1:5000", options: .init(watchdog: watchdog))
/// ```
///
/// - Note: Thread-safe: FFmpeg calls it on the reading thread while another thread may cancel. A
///   reader keeps its watchdog alive for as long as its input is open; one watchdog may serve the
///   readers of one camera in turn (each open re-arms it).
public final class ReadWatchdog: Sendable {
    /// Why the watchdog cut a call short.
    public enum Trip: Sendable, Equatable {
        /// No frame for `stallTimeout` seconds.
        case stalled
        /// `isCancelled` said so (the run is stopping).
        case cancelled
    }

    private struct State {
        var deadline: ContinuousClock.Instant
        var tripped: Trip?
    }

    /// Seconds without a frame after which a blocking call is cut short.
    public let stallTimeout: Double
    private let isCancelled: @Sendable () -> Bool
    private let state: Mutex<State>

    /// A watchdog cutting calls short after `stallTimeout` seconds without a frame, or when
    /// `isCancelled` returns true (asked often, from FFmpeg's thread: keep it cheap).
    ///
    /// - Precondition: `stallTimeout > 0`.
    public init(stallTimeout: Double, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        precondition(stallTimeout > 0, "a stall timeout must be positive, got \(stallTimeout)")
        self.stallTimeout = stallTimeout
        self.isCancelled = isCancelled
        state = Mutex(State(deadline: ContinuousClock.now.advanced(by: .seconds(stallTimeout)), tripped: nil))
    }

    /// Why a call was cut short since the last open began, or nil when none was. Once tripped, every
    /// later call on the same input is cut short too: that input is given up.
    public var tripped: Trip? { state.withLock { $0.tripped } }

    /// Starts a new wait of `stallTimeout` seconds: a frame arrived.
    public func rearm() {
        let deadline = ContinuousClock.now.advanced(by: .seconds(stallTimeout))
        state.withLock { $0.deadline = deadline }
    }

    /// Starts a new wait of `stallTimeout` seconds for an open, forgetting the last input's trip.
    func beginOpen() {
        let deadline = ContinuousClock.now.advanced(by: .seconds(stallTimeout))
        state.withLock {
            $0.deadline = deadline
            $0.tripped = nil
        }
    }

    /// True when the call FFmpeg is in should stop now; notes why.
    func shouldInterrupt() -> Bool {
        let cancelled = isCancelled()
        let now = ContinuousClock.now
        return state.withLock {
            if cancelled { $0.tripped = .cancelled } else if now >= $0.deadline { $0.tripped = .stalled }
            return $0.tripped != nil
        }
    }
}
