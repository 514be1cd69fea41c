import Foundation
import ReIDNet

/// The clock of a run with live cameras: a live frame's `time` is the seconds since the run started
/// on the monotonic clock (so times keep rising across reconnects and wall-clock steps), and its
/// event's `wall_time` is the run's wall-clock start plus that `time`.
struct RunClock: Sendable {
    /// Monotonic seconds at the start of the run.
    let start: Double
    /// Wall-clock time at the start of the run.
    let wallStart: Date

    /// The clock of a run starting now.
    init() {
        start = MonotonicClock.seconds()
        wallStart = Date()
    }

    /// The clock of a resumed run that started at `wallStart` (by the wall clock) and had reached
    /// `time`: times go on from there, counting the time it was stopped (never less than `time`, even
    /// if the wall clock was set back meanwhile).
    init(resumingFrom wallStart: Date, notBefore time: Double) {
        self.wallStart = wallStart
        start = MonotonicClock.seconds() - max(Date().timeIntervalSince(wallStart), time)
    }

    /// Seconds since the run started.
    func now() -> Double { MonotonicClock.seconds() - start }

    /// RFC 3339 in UTC with milliseconds (`2026-11-29T03:30:00.250Z`) of the moment `time` seconds
    /// after the start.
    func wallTime(at time: Double) -> String {
        wallStart.addingTimeInterval(time).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
