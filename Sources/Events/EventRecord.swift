/// One identity event: one line of an events file (JSONL, schema version 1).
///
/// Which optional fields a type requires is ``EventType/requiredKeys``; `panoptes tail --schema`
/// prints the whole schema. Frames are 0-based decode indices; times are media seconds (for live
/// cameras, seconds since the run started, with ``wallTime`` beside them).
public struct EventRecord: Codable, Sendable, Equatable {
    /// The schema version (`v`); this module reads and writes 1.
    public var v: Int = 1
    /// The position in the log (`seq`): 1 for the first event, rising by 1; a sink assigns it.
    public var seq: Int
    /// What happened (`type`).
    public var type: EventType
    /// Media seconds (`time`).
    public var time: Double
    /// The camera the event happened in (`camera`).
    public var camera: String?
    /// The 0-based frame (`frame`).
    public var frame: Int?
    /// The track id within the camera (`track`).
    public var track: Int?
    /// The global identity (`identity`).
    public var identity: Int?
    /// The track's box in this frame, `[x, y, w, h]` in pixels (`bbox`).
    public var bbox: [Double]?
    /// The detection score (`score`).
    public var score: Double?
    /// Cosine similarity of the evidence (`similarity`).
    public var similarity: Double?
    /// Lead of the chosen identity over the runner-up (`margin`).
    public var margin: Double?
    /// The camera the identity was last seen in (`from_camera`).
    public var fromCamera: String?
    /// Seconds without coverage: transit time for a match, outage length for `camera_up` (`gap`).
    public var gap: Double?
    /// The identity retracted by a correction (`previous_identity`).
    public var previousIdentity: Int?
    /// Why, in words: a correction, a camera going down, a run finishing (`reason`).
    public var reason: String?
    /// When a live camera saw it, RFC 3339 in UTC such as `2026-11-29T03:30:00.250Z` (`wall_time`).
    public var wallTime: String?
    /// The media time of a camera's last frame before it went down (`last_time`).
    public var lastTime: Double?
    /// A camera error's text (`message`).
    public var message: String?
    /// The pipeline file a run came from (`pipeline`).
    public var pipeline: String?
    /// The run's cameras (`cameras`, on `run_started`).
    public var cameras: [String]?

    /// The JSON keys in the order lines are written.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case v, seq, type, time, camera, frame, track, identity, bbox, score, similarity, margin
        case fromCamera = "from_camera"
        case gap
        case previousIdentity = "previous_identity"
        case reason
        case wallTime = "wall_time"
        case lastTime = "last_time"
        case message, pipeline, cameras
    }

    /// Makes an event; every field but the type and time defaults to absent, and `seq` to 0 (a sink
    /// assigns the real one when it appends the event).
    public init(
        seq: Int = 0, type: EventType, time: Double, camera: String? = nil, frame: Int? = nil,
        track: Int? = nil, identity: Int? = nil, bbox: [Double]? = nil, score: Double? = nil,
        similarity: Double? = nil, margin: Double? = nil, fromCamera: String? = nil, gap: Double? = nil,
        previousIdentity: Int? = nil, reason: String? = nil, wallTime: String? = nil, lastTime: Double? = nil,
        message: String? = nil, pipeline: String? = nil, cameras: [String]? = nil
    ) {
        self.seq = seq
        self.type = type
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
        self.wallTime = wallTime
        self.lastTime = lastTime
        self.message = message
        self.pipeline = pipeline
        self.cameras = cameras
    }
}
