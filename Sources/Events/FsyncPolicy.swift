/// When a ``JSONLEventWriter`` asks the disk to keep what it wrote (`fsync(2)`).
///
/// Without fsync a line is in the page cache once `write` returns: other processes (a `tail`) see
/// it at once, and it survives the writer crashing, but not the machine losing power.
public enum FsyncPolicy: Sendable, Equatable {
    /// Never; the kernel writes back on its own schedule (about 30 s on Linux). The default: events
    /// can be rebuilt by running the footage again, and fsync costs a disk round trip.
    case never
    /// After every line: nothing acknowledged is lost on power failure, at one disk flush per event.
    case always
    /// After a line when at least `seconds` of monotonic wall time passed since the last fsync, and
    /// at close: bounds what power loss can take to about that long.
    case interval(seconds: Double)
}
