/// The life cycle of a track inside one camera.
public enum TrackState: String, Sendable, Hashable, Codable {
    /// Seen fewer than `confirmationHits` frames in a row; ends at its first miss.
    case tentative
    /// Matched in the current frame after confirmation.
    case confirmed
    /// Confirmed before, but not matched in the current frame; kept alive by prediction up to `maxAge`.
    case lost
    /// Gone: missed for more than `maxAge` frames, or a tentative track's first miss. Final.
    case ended
}
