/// A pipeline file as written: the cameras, the model, the tracker, the registry, the topology, the
/// outputs and the error policy. Every section but `cameras` and `model` may be left out; a missing
/// key takes the default documented on its field (the README lists them all), and tracker and
/// registry defaults depend on the model (`ModelDefaults`).
///
/// Decoded from YAML-lite by `PipelineFile.load`; `effective` fills every default for `validate --print`.
public struct PipelineConfig: Codable, Sendable, Equatable {
    /// A name for the run (events' `run_started`, the summary). Default: the file's name without extension.
    public var name: String?
    /// The cameras, at least one; ids are unique.
    public var cameras: [CameraConfig]
    /// The re-identification network and how it embeds.
    public var model: ModelConfig
    /// Per-camera tracker parameters (every `TrackerConfig` key); unset keys take the model's defaults.
    public var tracker: TrackerSettings?
    /// Cross-camera registry parameters (every `RegistryConfig` key); unset keys take the model's defaults.
    public var registry: RegistrySettings?
    /// Which views overlap and how long people take between cameras.
    public var topology: TopologyConfig?
    /// Where events, track files and annotated videos go.
    public var output: OutputConfig?
    /// What to do with bad input.
    public var onError: ErrorPolicyConfig?
    /// Capacities of the channels between stages.
    public var queues: QueueConfig?
    /// Seconds without a frame after which a live camera counts as down, for every live camera that
    /// does not set its own. Default 10 (``LiveSettings/defaultStallTimeout``).
    public var stallTimeout: Double?
    /// How live cameras reconnect, for every live camera that does not set its own keys.
    public var reconnect: ReconnectConfig?
    /// Seconds a live camera's frame waits for its supplied detections, for every live camera that
    /// does not set its own. Default 0.5 (``LiveSettings/defaultDetectionsLatency``).
    public var detectionsLatency: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, cameras, model, tracker, registry, topology, output
        case onError = "on_error"
        case queues
        case stallTimeout = "stall_timeout"
        case reconnect
        case detectionsLatency = "detections_latency"
    }

    /// A configuration of cameras and a model; every other section takes its defaults.
    public init(name: String? = nil, cameras: [CameraConfig], model: ModelConfig) {
        self.name = name
        self.cameras = cameras
        self.model = model
    }
}

/// One camera: a video (or a region of one) and its supplied detections.
public struct CameraConfig: Codable, Sendable, Equatable {
    /// The camera's id in events, track files and the topology (letters, digits, `-`, `_`, `.`).
    public var id: String
    /// Any path or URL FFmpeg opens. A relative path is relative to the pipeline file's folder.
    public var url: String
    /// The supplied person boxes. Optional: a camera without detections is decoded (and annotated)
    /// but tracks nobody.
    public var detections: DetectionsConfig?
    /// First frame to process (0-based decode index). Default 0.
    public var firstFrame: Int?
    /// Last frame to process, inclusive. Default: the end of the video.
    public var lastFrame: Int?
    /// `[x, y, w, h]` in the video's pixels: the camera sees only this region (a virtual camera made
    /// out of part of a wide shot). Its detections and events are in the region's own pixels.
    /// Default: the whole frame.
    public var crop: [Int]?
    /// Read as a live stream (as it arrives: a bounded buffer that drops the oldest frames, down and
    /// back with `camera_down` / `camera_up`). Default: true for a network URL (`rtsp://`, `udp://`,
    /// `http://` ...), false for a file.
    public var live: Bool?
    /// This live camera's `stall_timeout`. Default: the file's.
    public var stallTimeout: Double?
    /// This live camera's `reconnect` keys. Default: the file's.
    public var reconnect: ReconnectConfig?
    /// This live camera's `detections_latency`. Default: the file's.
    public var detectionsLatency: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, url, detections
        case firstFrame = "first_frame"
        case lastFrame = "last_frame"
        case crop
        case live
        case stallTimeout = "stall_timeout"
        case reconnect
        case detectionsLatency = "detections_latency"
    }

    /// A camera reading `url`, with detections from `detections`.
    public init(id: String, url: String, detections: DetectionsConfig? = nil, crop: [Int]? = nil) {
        self.id = id
        self.url = url
        self.detections = detections
        self.crop = crop
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(url, forKey: .url)
        try c.encode(detections, forKey: .detections)
        try c.encode(firstFrame, forKey: .firstFrame)
        try c.encode(lastFrame, forKey: .lastFrame)
        try c.encode(crop, forKey: .crop)
        try c.encodeIfPresent(live, forKey: .live)
        try c.encodeIfPresent(stallTimeout, forKey: .stallTimeout)
        try c.encodeIfPresent(reconnect, forKey: .reconnect)
        try c.encodeIfPresent(detectionsLatency, forKey: .detectionsLatency)
    }
}

/// A camera's supplied detection file.
public struct DetectionsConfig: Codable, Sendable, Equatable {
    /// The file's format.
    public enum Format: String, Codable, Sendable, CaseIterable {
        /// MOTChallenge `det.txt`: `frame,id,x,y,w,h,conf,...` with 1-based frames.
        case mot
        /// One JSON object per line: `{"frame": 0-based, "x", "y", "w", "h", "score"}`; for a live
        /// camera `pts` (stream seconds) or `wall_time` (RFC 3339 UTC) instead of `frame`
        /// (``LiveDetectionLine``).
        case jsonl
    }

    /// The file. A relative path is relative to the pipeline file's folder.
    public var path: String
    /// Default: `jsonl` when the path ends in `.jsonl`, else `mot`.
    public var format: Format?

    enum CodingKeys: String, CodingKey, CaseIterable { case path, format }

    /// Detections read from `path`.
    public init(path: String, format: Format? = nil) {
        self.path = path
        self.format = format
    }

    /// The format, from the path's extension when not given.
    public var resolvedFormat: Format { format ?? (path.hasSuffix(".jsonl") ? .jsonl : .mot) }
}

/// The network and its embedding policy.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// `pfsa-mobilenetv2` or `pfsa-resnet50`. Default `pfsa-mobilenetv2`.
    public var name: String?
    /// The weights file (.pt, .pth, .pth.tar, .safetensors). Required.
    public var weights: String
    /// `[height, width]` of the network input. Default: the model's (256x128 MobileNetV2, 384x128 ResNet-50).
    public var input: [Int]?
    /// Descriptor pooling: `stripes`, `normalized`, `softmax` or `average`. Default: the model's
    /// tracking descriptor (`normalized`: the compact attention-pooled vector).
    public var pooling: String?
    /// Crops embedded together, across cameras. Default 16.
    public var batchSize: Int?
    /// Seconds the embedder waits for a batch to fill before running a partial one. Default 0.05.
    public var maxWait: Double?
    /// Which detections are embedded.
    public var embed: EmbedPolicyConfig?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, weights, input, pooling
        case batchSize = "batch_size"
        case maxWait = "max_wait"
        case embed
    }

    /// A model config with `weights`; every other key takes its default.
    public init(name: String? = nil, weights: String) {
        self.name = name
        self.weights = weights
    }
}

/// Which detections are embedded. Detections that are not embedded are still tracked (by motion and overlap).
public struct EmbedPolicyConfig: Codable, Sendable, Equatable {
    /// The policies.
    public enum Policy: String, Codable, Sendable, CaseIterable {
        /// Every detection, every frame.
        case everyDetection = "every_detection"
        /// Every detection of every `every`-th frame of each camera (counted from its first frame), so each
        /// visible track is embedded every `every` frames.
        case everyNthFrame = "every_nth_frame"
        /// Each track when it appears, then every `every`-th frame of it: boxes are followed from frame to
        /// frame by overlap (`EmbeddingSchedule`), so a person who walks in is embedded at once.
        case eachTrack = "each_track"
    }

    /// Default `every_detection`.
    public var policy: Policy?
    /// N for `every_nth_frame` and `each_track`. Default 1.
    public var every: Int?
    /// Boxes shorter than this many pixels are not embedded (whatever the policy). Default 0.
    public var minHeight: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case policy, every
        case minHeight = "min_height"
    }

    /// A policy; nil fields take their defaults.
    public init(policy: Policy? = nil, every: Int? = nil, minHeight: Double? = nil) {
        self.policy = policy
        self.every = every
        self.minHeight = minHeight
    }
}

/// Which views overlap, and transit windows between cameras.
public struct TopologyConfig: Codable, Sendable, Equatable {
    /// One transit window from a camera to another (or back to itself).
    public struct Transit: Codable, Sendable, Equatable {
        /// The camera left.
        public var from: String
        /// The camera entered.
        public var to: String
        /// Shortest transit in seconds.
        public var min: Double
        /// Longest transit in seconds.
        public var max: Double

        enum CodingKeys: String, CodingKey, CaseIterable { case from, to, min, max }

        /// A window from `from` to `to` of `min`…`max` seconds.
        public init(from: String, to: String, min: Double, max: Double) {
            self.from = from
            self.to = to
            self.min = min
            self.max = max
        }
    }

    /// Pairs of camera ids whose views overlap: `- [left, right]`. Default none.
    public var overlaps: [[String]]?
    /// Transit windows. Default none (pairs use `default_transit`).
    public var transits: [Transit]?
    /// `[min, max]` seconds for pairs without a transit of their own. Default `[0, 600]`.
    public var defaultTransit: [Double]?
    /// When true, pairs without a transit of their own are never linked (`default_transit` unused).
    /// Default false.
    public var onlyListedTransits: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case overlaps, transits
        case defaultTransit = "default_transit"
        case onlyListedTransits = "only_listed_transits"
    }

    /// An empty topology (every default).
    public init() {}
}

/// Where the run's results go.
public struct OutputConfig: Codable, Sendable, Equatable {
    /// How often the event file is flushed to disk.
    public enum Fsync: String, Codable, Sendable, CaseIterable {
        /// After every event: nothing written is lost on a power cut; slowest.
        case always
        /// At most every `fsync_interval` seconds, and at the end.
        case periodic
        /// Left to the operating system (still flushed at the end).
        case never
    }

    /// The JSONL event file, or `-` for standard output. A relative path is relative to the pipeline
    /// file's folder. Default `-`.
    public var events: String?
    /// A folder for `<camera>.txt` MOT track files whose id is the global identity. Default: none.
    public var tracksDir: String?
    /// A folder for one annotated video per camera (`<camera>.mp4`). Default: none.
    public var annotateDir: String?
    /// Default `periodic`.
    public var fsync: Fsync?
    /// Seconds between flushes under `periodic`. Default 1.
    public var fsyncInterval: Double?
    /// `HOST:PORT` to serve Prometheus `/metrics` and `/healthz` on while the run goes (a port alone
    /// listens on 127.0.0.1). Default: none, no server.
    public var metrics: String?
    /// A file the run's whole state is written to (atomically) every `checkpoint_interval` seconds of
    /// media time and when it stops, for `run --resume`. A relative path is relative to the pipeline
    /// file's folder. Default: none, no checkpoints.
    public var checkpoint: String?
    /// Seconds of media time between checkpoints. Default 60.
    public var checkpointInterval: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case events
        case tracksDir = "tracks_dir"
        case annotateDir = "annotate_dir"
        case fsync
        case fsyncInterval = "fsync_interval"
        case metrics
        case checkpoint
        case checkpointInterval = "checkpoint_interval"
    }

    /// Every default.
    public init() {}

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(events, forKey: .events)
        try c.encode(tracksDir, forKey: .tracksDir)
        try c.encode(annotateDir, forKey: .annotateDir)
        try c.encode(fsync, forKey: .fsync)
        try c.encode(fsyncInterval, forKey: .fsyncInterval)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(checkpoint, forKey: .checkpoint)
        try c.encodeIfPresent(checkpointInterval, forKey: .checkpointInterval)
    }
}

/// What bad input gets.
public struct ErrorPolicyConfig: Codable, Sendable, Equatable {
    /// What a bad detection line gets.
    public enum BadLine: String, Codable, Sendable, CaseIterable {
        /// Reported with file:line and skipped.
        case skip
        /// Reported with file:line; the camera stops (`camera_error`).
        case fatal
    }

    /// Default `skip`.
    public var badDetectionLine: BadLine?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case badDetectionLine = "bad_detection_line"
    }

    /// Every default.
    public init() {}
}

/// Capacities of the bounded channels between stages: memory stays bounded whatever the footage length.
public struct QueueConfig: Codable, Sendable, Equatable {
    /// Decoded frames each camera may run ahead of the embedder. Default 8.
    public var framesPerCamera: Int?
    /// Embedded frames waiting for the trackers. Default 32.
    public var embeddedFrames: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case framesPerCamera = "frames_per_camera"
        case embeddedFrames = "embedded_frames"
    }

    /// Every default.
    public init() {}
}
