/// Counts of what happened while decoding, for the log and for callers that report damage.
public struct DecodeStatistics: Sendable, Equatable {
    /// Frames handed out so far.
    public var framesDecoded = 0
    /// Packets of the video stream read from the container.
    public var packetsRead = 0
    /// Packets (or decoder outputs) the decoder rejected as damaged; they were skipped.
    public var damagedPackets = 0
    /// Frames handed out that the decoder flagged as concealed or corrupt (shown as FFmpeg shows them).
    public var corruptFrames = 0
    /// Frames whose presentation time was derived because `pts` was missing.
    public var framesWithoutTimestamp = 0

    /// Creates zero counts.
    public init() {}
}
