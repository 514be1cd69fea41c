/// The kinds of identity events, spelled as schema version 1 writes them (`type`).
public enum EventType: String, Codable, CaseIterable, Sendable {
    /// A run began (carries `cameras`, and `pipeline` when it came from a pipeline file).
    case runStarted = "run_started"
    /// A run ended (carries `reason`: footage over, stopped, failed ...).
    case runFinished = "run_finished"
    /// A run continued from a checkpoint.
    case runResumed = "run_resumed"
    /// A track was confirmed in a camera.
    case trackStarted = "track_started"
    /// A track got a new global identity.
    case identityAssigned = "identity_assigned"
    /// A track was re-identified as an identity seen before, with the evidence.
    case identityMatched = "identity_matched"
    /// An earlier assignment was retracted, or two identities were merged.
    case identityCorrected = "identity_corrected"
    /// A confirmed track ended.
    case trackEnded = "track_ended"
    /// A camera reported an error it survived (carries `message`).
    case cameraError = "camera_error"
    /// A camera stopped delivering frames (carries `reason` and `last_time`).
    case cameraDown = "camera_down"
    /// A camera delivers frames again (carries the coverage `gap`).
    case cameraUp = "camera_up"

    /// The JSON keys every event carries, whatever its type.
    public static let commonRequiredKeys = ["v", "seq", "type", "time"]

    /// The JSON keys an event of this type must carry besides ``commonRequiredKeys``.
    ///
    /// `EventSchema.json` states the same table (a test holds the two equal); the writer refuses an
    /// event that lacks one of them, so no line it writes fails the schema.
    public var requiredKeys: [String] {
        let track = ["camera", "frame", "track", "bbox"]
        switch self {
        case .runStarted: return ["cameras"]
        case .runFinished: return ["reason"]
        case .runResumed: return []
        case .trackStarted, .trackEnded: return track
        case .identityAssigned: return track + ["identity"]
        case .identityMatched: return track + ["identity", "similarity"]
        case .identityCorrected: return track + ["identity", "previous_identity", "reason"]
        case .cameraError: return ["camera", "message"]
        case .cameraDown: return ["camera", "reason", "last_time"]
        case .cameraUp: return ["camera", "gap"]
        }
    }
}
