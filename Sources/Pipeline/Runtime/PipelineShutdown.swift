import Events
import Synchronization

/// The shutdown of a run, as one explicit state that the stages observe and that a signal handler
/// moves on; nothing else in the runtime keeps a stop flag.
///
/// - `running`: the footage is read to its end.
/// - `stopping`: after a first ``request(_:)``. Each camera reader stops before its next frame and
///   ends its stream; the frames already decoded go on through the embedder and the trackers (the
///   bounded channels hold a few, so this takes a moment); each stopped camera's live tracks get
///   `track_ended` with reason ``trackEndedReason``; `run_finished` carries the ``StopReason``; the
///   sink is flushed and closed; the run returns its summary.
/// - `abandoned`: after a second request while stopping. The event sink is closed at once — between
///   two lines, since the writer holds its lock across each line's one `write(2)` — so the file stays
///   a valid JSONL prefix with every line whole; the caller then exits without waiting for the run.
/// - `finished`: the run has returned; requests change nothing.
///
/// - Note: Thread-safe (one lock): ``request(_:)`` is meant to be called from a signal source's queue
///   while the run's tasks read ``stopReason`` before each frame.
public final class PipelineShutdown: Sendable {
    /// Where the shutdown stands.
    public enum State: Sendable, Equatable {
        /// No stop was asked for.
        case running
        /// A stop was asked for; the run is draining the work in flight.
        case stopping(StopReason)
        /// A second stop was asked for while stopping; the sink is closed and the caller should exit now.
        case abandoned(StopReason)
        /// The run has returned.
        case finished
    }

    /// The `reason` of the `track_ended` events a stop causes.
    public static let trackEndedReason = "run_stopped"

    private struct Storage {
        var state = State.running
        /// The sink the run writes to, closed on abandonment.
        var sink: (any EventSink)?
    }

    private let storage = Mutex(Storage())

    /// A shutdown in the `running` state.
    public init() {}

    /// The state now.
    public var state: State { storage.withLock { $0.state } }

    /// Why the run is stopping, or nil while it runs (stages poll this; it is one lock, no wait).
    public var stopReason: StopReason? {
        switch state {
        case .stopping(let reason), .abandoned(let reason): return reason
        case .running, .finished: return nil
        }
    }

    /// Asks the run to stop: the first request starts a graceful stop, a second one abandons the run
    /// (closing its event sink before returning), later ones and those after the run returned change
    /// nothing.
    ///
    /// - Returns: the state after the request; on `.abandoned` the caller should exit at once with
    ///   the reason's ``StopReason/exitStatus``.
    @discardableResult
    public func request(_ reason: StopReason) -> State {
        let (state, sink): (State, (any EventSink)?) = storage.withLock { s in
            switch s.state {
            case .running:
                s.state = .stopping(reason)
                return (s.state, nil)
            case .stopping:
                s.state = .abandoned(reason)
                return (s.state, s.sink)
            case .abandoned, .finished:
                return (s.state, nil)
            }
        }
        // Outside our lock: close waits for a line being written to be whole.
        try? sink?.close()
        return state
    }

    /// Remembers the sink a run writes to, so that abandoning the run can close it.
    func attach(_ sink: any EventSink) {
        storage.withLock { $0.sink = sink }
    }

    /// Marks the run as returned (it forgets the sink).
    func runReturned() {
        storage.withLock { s in
            s.sink = nil
            if case .abandoned = s.state { return }
            s.state = .finished
        }
    }
}
