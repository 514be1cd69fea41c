import Events
import Foundation

/// Writes a run's checkpoints for the tracking stage: whenever the media time crosses a multiple of
/// the interval, and once when the run stops or ends (before the stop's own `track_ended` and
/// `run_finished` lines, so a resume removes them and the tracks go on).
///
/// Before each checkpoint records the event file's and the track files' lengths, it fsyncs them: the
/// lengths it records are on the disk.
struct CheckpointKeeper: Sendable {
    /// The checkpoint file.
    let url: URL
    /// Seconds of media time between checkpoints.
    let interval: Double
    /// What the run is made with.
    let origin: RunCheckpoint.Origin
    /// The event file's writer (its length and next seq go in each checkpoint).
    let events: JSONLEventWriter
    /// How many times the run was resumed so far.
    let resumes: Int
    /// The live clock's wall-clock start, for a run with live cameras.
    let wallStart: Date?
    /// The media time at which the next periodic checkpoint is due.
    private(set) var nextDue: Double

    /// A keeper writing `url` every `interval` media seconds, for a run that starts (or resumed) at `time`.
    init(url: URL, interval: Double, origin: RunCheckpoint.Origin, events: JSONLEventWriter, resumes: Int, wallStart: Date?,
         from time: Double) {
        self.url = url
        self.interval = interval
        self.origin = origin
        self.events = events
        self.resumes = resumes
        self.wallStart = wallStart
        nextDue = Self.multiple(after: time, of: interval)
    }

    /// True when an item at media `time` is due a checkpoint.
    func isDue(at time: Double) -> Bool { time >= nextDue }

    /// Writes the state, and schedules the next periodic checkpoint after `state.time`.
    ///
    /// - Throws: `EventsError` when the event file cannot be synced, `CheckpointError` when the
    ///   checkpoint cannot be written (the run stops: going on would leave it unresumable).
    mutating func save(_ state: State, trackFiles: TrackFileWriter?, tracksDir: URL?) throws {
        try events.synchronize()
        try trackFiles?.synchronize()
        let checkpoint = RunCheckpoint(
            origin: origin, written: Date().formatted(.iso8601), time: state.time,
            events: .init(path: events.path == JSONLEventWriter.standardOutputPath ? nil : events.path,
                          length: events.endOffset ?? events.bytesWritten, nextSeq: events.nextSeq),
            tracksDir: tracksDir?.path, trackFiles: trackFiles?.memory, cameras: state.cameras, tracking: state.tracking,
            identitiesCreated: state.identitiesCreated, failures: state.failures, endTime: state.endTime, resumes: resumes,
            wallStart: wallStart?.timeIntervalSince1970)
        try checkpoint.write(to: url)
        nextDue = Self.multiple(after: state.time, of: interval)
    }

    /// What the tracking stage hands over for one checkpoint.
    struct State {
        var time: Double
        var cameras: [RunCheckpoint.Camera]
        var tracking: TrackingCore.Memory
        var identitiesCreated: Int
        var failures: Int
        var endTime: Double
    }

    /// The first multiple of `interval` after `time` (the schedule is the same however often a run resumes).
    private static func multiple(after time: Double, of interval: Double) -> Double {
        guard time.isFinite else { return interval }
        return ((time / interval).rounded(.down) + 1) * interval
    }
}
