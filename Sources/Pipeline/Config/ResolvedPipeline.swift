import Foundation
import ReIDNet
import Tracking

/// A pipeline ready to run: every default filled, paths made absolute, names checked. Made by
/// `PipelineFile.resolve`; the runtime takes nothing else.
public struct ResolvedPipeline: Sendable {
    /// One camera.
    public struct Camera: Sendable {
        /// The id.
        public var id: String
        /// What FFmpeg opens (a relative path made absolute against the pipeline file's folder).
        public var url: String
        /// The detection file and its format, if any.
        public var detections: (url: URL, format: DetectionsConfig.Format)?
        /// First frame processed (0-based).
        public var firstFrame: Int
        /// Last frame processed, inclusive (nil: to the end).
        public var lastFrame: Int?
        /// The region of the video this camera sees, `(x, y, width, height)`, or nil for the whole frame.
        public var crop: (x: Int, y: Int, width: Int, height: Int)?
        /// How the camera is read live, or nil for recorded footage (read to its end, never dropping a frame).
        public var live: LiveSettings? = nil
    }

    /// True when some camera is live: frames merge as they arrive, times are seconds since the run started.
    public var isLive: Bool { cameras.contains { $0.live != nil } }

    /// The pipeline file (for messages and `run_started`).
    public var file: String
    /// The run's name.
    public var name: String
    /// The cameras in file order.
    public var cameras: [Camera]
    /// The network.
    public var architecture: Architecture
    /// Its weights.
    public var weights: URL
    /// Network input `(height, width)`.
    public var inputSize: (height: Int, width: Int)
    /// Descriptor pooling.
    public var pooling: Pooling
    /// Crops per embedding batch.
    public var batchSize: Int
    /// Seconds to wait for a full batch.
    public var maxWait: Double
    /// Which detections are embedded.
    public var embedPolicy: EmbedPolicyConfig.Policy
    /// N of `every_nth_frame` and `each_track`.
    public var embedEvery: Int
    /// Boxes shorter than this are not embedded.
    public var embedMinHeight: Double
    /// Per-camera tracker parameters (the frame size is set per camera at run time).
    public var tracker: TrackerConfig
    /// Registry parameters, topology included.
    public var registry: RegistryConfig
    /// The event file, or nil for standard output.
    public var events: URL?
    /// Folder for MOT track files, if any.
    public var tracksDir: URL?
    /// Folder for annotated videos, if any.
    public var annotateDir: URL?
    /// Flush policy of the event file.
    public var fsync: OutputConfig.Fsync
    /// Seconds between flushes under `.periodic`.
    public var fsyncInterval: Double
    /// What a bad detection line gets.
    public var badDetectionLine: ErrorPolicyConfig.BadLine
    /// Frames each camera may decode ahead.
    public var framesPerCamera: Int
    /// Embedded frames waiting for the trackers.
    public var embeddedFrames: Int
    /// Where to serve `/metrics` and `/healthz`, if anywhere.
    public var metrics: MetricsAddress?
    /// Where `metrics` was set, for messages about it: `file:line:column: output.metrics`, or the flag
    /// (`--metrics`) that overrode it.
    public var metricsOrigin: String
    /// Where the run's checkpoints go (`run --checkpoint`, `output.checkpoint`), if anywhere.
    public var checkpoint: URL?
    /// Seconds of media time between checkpoints.
    public var checkpointInterval: Double
}
