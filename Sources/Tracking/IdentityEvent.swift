/// One identity change, as DESIGN.md's event stream records it (the JSONL writer is the Events module's).
public struct IdentityEvent: Sendable, Equatable {
    /// The event types the registry emits.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A track was confirmed in a camera.
        case trackStarted = "track_started"
        /// A track got a new global identity.
        case identityAssigned = "identity_assigned"
        /// A track was re-identified as an identity seen before (in another camera, or back in its own).
        case identityMatched = "identity_matched"
        /// An earlier assignment was retracted: the track moved from `previousIdentity` to `identity`.
        case identityCorrected = "identity_corrected"
        /// A confirmed track ended.
        case trackEnded = "track_ended"
    }

    /// The event type.
    public var kind: Kind
    /// Media time in seconds.
    public var time: Double
    /// The camera.
    public var camera: String
    /// 0-based frame.
    public var frame: Int
    /// The track id within the camera.
    public var track: Int
    /// The global identity (nil for a `track_started` before association, or a `track_ended` without one).
    public var identity: Int?
    /// The track's box in this frame.
    public var bbox: BoundingBox
    /// The detection score.
    public var score: Double
    /// Cosine similarity of the evidence (matched, corrected; assigned: the best candidate's, if any).
    public var similarity: Double?
    /// Lead of the chosen identity over the runner-up (nil when there was no runner-up).
    public var margin: Double?
    /// The camera the identity was last seen in (matched).
    public var fromCamera: String?
    /// Seconds between the identity's last sighting and this track's first frame (matched).
    public var gap: Double?
    /// The identity retracted (corrected).
    public var previousIdentity: Int?
    /// Why a correction happened, in words (corrected).
    public var reason: String?

    /// Makes an event.
    public init(
        kind: Kind, time: Double, camera: String, frame: Int, track: Int, identity: Int?, bbox: BoundingBox,
        score: Double, similarity: Double? = nil, margin: Double? = nil, fromCamera: String? = nil, gap: Double? = nil,
        previousIdentity: Int? = nil, reason: String? = nil
    ) {
        self.kind = kind
        self.time = time
        self.camera = camera
        self.frame = frame
        self.track = track
        self.identity = identity
        self.bbox = bbox
        self.score = score
        self.similarity = similarity
        self.margin = margin
        self.fromCamera = fromCamera
        self.gap = gap
        self.previousIdentity = previousIdentity
        self.reason = reason
    }
}
