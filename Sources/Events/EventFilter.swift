/// Which events a reader wants: by type, camera and identity; an empty set lets everything through.
public struct EventFilter: Sendable, Equatable {
    /// Event types to keep (empty: all).
    public var types: Set<EventType>
    /// Cameras whose events to keep, matched against `camera` (empty: all; an event without a camera,
    /// such as `run_started`, never matches a camera).
    public var cameras: Set<String>
    /// Identities to keep, matched against `identity` and `previous_identity` (so a correction away
    /// from an identity is kept too) (empty: all).
    public var identities: Set<Int>

    /// A filter; the default keeps every event.
    public init(types: Set<EventType> = [], cameras: Set<String> = [], identities: Set<Int> = []) {
        self.types = types
        self.cameras = cameras
        self.identities = identities
    }

    /// True when `record` passes every non-empty criterion.
    public func matches(_ record: EventRecord) -> Bool {
        if !types.isEmpty, !types.contains(record.type) { return false }
        if !cameras.isEmpty, !(record.camera.map(cameras.contains) ?? false) { return false }
        if !identities.isEmpty {
            let about = [record.identity, record.previousIdentity].compactMap { $0 }
            if !about.contains(where: identities.contains) { return false }
        }
        return true
    }
}
