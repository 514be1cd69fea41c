/// Cross-camera association of tracks into global identities, behind a small protocol so that other
/// back ends (a shared store past one machine) can replace the in-memory one without touching the stages.
public protocol IdentityRegistry: Sendable {
    /// Takes one camera's tracker step and returns the identity events it causes, in order.
    ///
    /// Steps of all cameras must come ordered by (media time, camera); the same ordered input always
    /// gives the same events.
    /// - Throws: `TrackingError` for an unknown camera or a step earlier than the previous one.
    mutating func ingest(_ step: TrackerStep) throws -> [IdentityEvent]

    /// The identity a live track holds now, or nil (not yet associated, or unknown).
    func identity(camera: String, track: Int) -> Int?
}
