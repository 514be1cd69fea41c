import Events
import Foundation
import ProcessMetrics
import Pipeline
import ReIDNet
import VideoIO

/// `panoptes bench pipeline`: the whole `run` pipeline on a scene (default: synth-4cam) next to its
/// embedder alone on the same crops, measured in the same run: the pipeline's overhead (decode, crop,
/// merge, track, registry, events) over the network; how many cameras of the scene's frame rate run in
/// real time for each model and embedding policy; and the peak resident memory of the run.
public struct PipelineBenchmark {
    /// One model and policy to measure.
    public struct Case: Sendable {
        /// The model and its weights.
        public var architecture: Architecture
        public var weights: URL
        /// The embedding policy: every detection (`every` 1) or every `every`-th frame; with `eachTrack`,
        /// each track when it appears and then every `every`-th frame of it.
        public var every: Int
        public var eachTrack: Bool

        /// A case.
        public init(architecture: Architecture, weights: URL, every: Int, eachTrack: Bool = false) {
            self.architecture = architecture
            self.weights = weights
            self.every = every
            self.eachTrack = eachTrack
        }

        /// The `model.embed.policy` this case runs.
        var policy: EmbedPolicyConfig.Policy { eachTrack ? .eachTrack : every > 1 ? .everyNthFrame : .everyDetection }

        /// The policy in words, for the table.
        var policyLabel: String {
            switch policy {
            case .eachTrack: "each track, 1 in \(every)"
            case .everyNthFrame: "every \(every)th frame"
            case .everyDetection: "every detection"
            }
        }
    }

    /// One measured case.
    public struct Row: Sendable {
        public var model: String
        public var policy: String
        /// Camera frames tracked and wall seconds of the whole run.
        public var frames: Int
        public var seconds: Double
        /// Crops embedded, and seconds the embedder alone takes on the same crops (same batch size).
        public var crops: Int
        public var embedderAloneSeconds: Double
        /// Peak resident memory of the run, bytes.
        public var peakBytes: Int?
        /// Frames per second of each camera's footage.
        public var cameraFPS: Double

        /// Camera frames per second through the whole pipeline.
        public var framesPerSecond: Double { Double(frames) / seconds }
        /// Time beyond the embedder's own, as a fraction of it.
        public var overhead: Double { embedderAloneSeconds > 0 ? seconds / embedderAloneSeconds - 1 : .nan }
        /// Cameras of `cameraFPS` that run in real time at this throughput.
        public var realTimeCameras: Double { framesPerSecond / cameraFPS }
    }

    /// The pipeline file measured.
    public var pipeline: URL
    /// The cases.
    public var cases: [Case]
    /// Progress lines.
    public var log: @Sendable (String) -> Void

    /// A benchmark of `pipeline` for `cases`.
    public init(pipeline: URL, cases: [Case], log: @escaping @Sendable (String) -> Void) {
        self.pipeline = pipeline
        self.cases = cases
        self.log = log
    }

    /// Runs every case.
    public func run() async throws -> [Row] {
        var rows: [Row] = []
        for c in cases {
            var resolved = try PipelineFile.load(pipeline).resolve()
            resolved.architecture = c.architecture
            resolved.weights = c.weights
            resolved.inputSize = c.architecture.defaultInputSize
            resolved.pooling = c.architecture == .pfsaResNet50 ? .normalized : c.architecture.defaultPooling
            resolved.embedPolicy = c.policy
            resolved.embedEvery = c.every
            resolved.tracksDir = nil
            resolved.annotateDir = nil
            let events = FileManager.default.temporaryDirectory.appendingPathComponent("panoptes-bench-pipeline-\(getpid()).jsonl")
            try? FileManager.default.removeItem(at: events)
            defer { try? FileManager.default.removeItem(at: events) }
            resolved.events = events
            log("\(c.architecture.rawValue), \(c.policyLabel): running \(resolved.name)")
            ResidentMemory.resetPeak()
            let runner = PipelineRunner(pipeline: resolved)
            let embedder = try runner.makeEmbedder()
            let summary = try await runner.run(embedder: embedder, sink: try runner.makeSink())
            let peak = ResidentMemory.peakBytes()
            // The embedder alone on the same crops: decoded and cut out first (untimed), then embedded in
            // the pipeline's batch size.
            let crops = try Self.crops(of: resolved)
            let start = MonotonicClock.seconds()
            var i = 0
            while i < crops.count {
                let batch = Array(crops[i..<min(crops.count, i + resolved.batchSize)])
                _ = try embedder.embed(batch)
                i += batch.count
            }
            let alone = MonotonicClock.seconds() - start
            let fps = try VideoReader(url: resolved.cameras[0].url).info.frameRate
            let row = Row(model: c.architecture.rawValue, policy: c.policyLabel, frames: summary.frames, seconds: summary.seconds,
                          crops: summary.statistics.embedded, embedderAloneSeconds: alone, peakBytes: peak,
                          cameraFPS: Double(fps.numerator) / Double(max(1, fps.denominator)))
            if crops.count != summary.statistics.embedded {
                log("note: \(crops.count) crops cut out here, \(summary.statistics.embedded) embedded by the run")
            }
            log(Self.table([row]))
            rows.append(row)
        }
        return rows
    }

    /// The crops the pipeline embeds (its frames and its `EmbeddingPolicy`), each copied out of its frame.
    static func crops(of p: ResolvedPipeline) throws -> [FrameRegion] {
        let policy = EmbeddingPolicy(p)
        var out: [FrameRegion] = []
        for camera in p.cameras {
            guard let d = camera.detections else { continue }
            var schedule = EmbeddingSchedule(policy)
            var detections = try SuppliedDetections.read(d.url, format: d.format, fatal: false)
            let reader = try VideoReader(url: camera.url, options: .init(threadCount: 1))
            while let frame = try reader.nextFrame() {
                let boxes = detections.take(frame: frame.index)
                guard frame.index >= camera.firstFrame else { continue }
                if let last = camera.lastFrame, frame.index > last { break }
                for chosen in schedule.crops(of: boxes, in: camera.view(of: frame), frame: frame.index - camera.firstFrame) {
                    let copy = chosen.region.makeFrame()
                    out.append(copy.region(x: 0, y: 0, width: copy.width, height: copy.height))
                }
            }
        }
        return out
    }

    /// The rows as printed.
    public static func table(_ rows: [Row]) -> String {
        var lines = ["model             policy              frames/s  cameras@fps  embedder alone  overhead  peak RSS"]
        for r in rows {
            let cams = String(format: "%.1f @ %.0f", r.realTimeCameras, r.cameraFPS)
            let alone = String(format: "%.1f s / %.1f s", r.embedderAloneSeconds, r.seconds)
            lines.append(r.model.padding(toLength: 18, withPad: " ", startingAt: 0)
                + r.policy.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: "%8.1f", r.framesPerSecond) + "  " + cams.padding(toLength: 11, withPad: " ", startingAt: 0)
                + "  " + alone.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(format: "%7.1f%%", 100 * r.overhead)
                + "  " + (r.peakBytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "?"))
        }
        return lines.joined(separator: "\n")
    }
}

extension PipelineBenchmark {
    /// Random, realistically scaled pfsa-resnet50 weights (no ReID-trained ResNet-50 can be had here),
    /// written by the ONNX peer's weight maker into `folder`: speed does not depend on the values.
    public static func resNetWeights(repository: URL, folder: URL) async throws -> URL {
        let url = folder.appendingPathComponent("pfsa-resnet50-random.safetensors")
        if !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await EmbedBenchmarkPeer(repository: repository).run(["weights", "resnet50", url.path, "--seed", "7"])
        }
        return url
    }
}
