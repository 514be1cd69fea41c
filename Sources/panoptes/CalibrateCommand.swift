import ArgumentParser
import Events
import Foundation
import Pipeline
import Tracking

/// `panoptes calibrate`: Choose the association thresholds from labelled footage.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Choose the association thresholds from labelled footage.",
        discussion: """
            Runs each pipeline once (decoding and embedding), then replays its tracking for every \
            candidate value of registry.match_threshold, registry.margin and tracker.max_cosine_distance, \
            scores each against the cameras' MOT ground truth (gt.txt), and prints the values with the \
            best mean multi-camera IDF1 as a YAML-lite block to paste into a pipeline file. Calibrate \
            on footage other than the footage you report on.
            """)

    @Argument(help: "Pipeline files of labelled scenes (one or more).")
    var pipelines: [String]

    @Option(help: "Where each camera's ground truth is, relative to its pipeline file's folder; {camera} is the camera id.")
    var gt = "{camera}.gt.txt"

    @Option(help: "Keep each scene's recorded embeddings in DIR and reuse them (decode and embed once).")
    var recordings: String?

    @Flag(help: "Only score the pipelines' own values on each scene (no sweep).")
    var scoreOnly = false

    func validate() throws {
        guard !pipelines.isEmpty else { throw ValidationError("Give at least one pipeline file.") }
        guard gt.contains("{camera}") else { throw ValidationError("--gt must contain {camera}, e.g. gt/{camera}.txt.") }
    }
}

extension CalibrateCommand {
    func run() async throws {
        let stderr = FileHandle.standardError
        var scenes: [Calibration.Scene] = []
        for path in pipelines {
            let pipeline = try RunCommand.resolve(path)
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            var groundTruth: [String: [MOTRecord]] = [:]
            for camera in pipeline.cameras {
                let url = folder.appendingPathComponent(gt.replacingOccurrences(of: "{camera}", with: camera.id))
                do {
                    groundTruth[camera.id] = try MOTFile.read(url).records
                } catch {
                    stderr.write(Data("error: \(error) — each camera needs its ground truth; see --gt\n".utf8))
                    throw ExitCode(2)
                }
            }
            let cache = recordings.map { dir in
                URL(fileURLWithPath: dir).appendingPathComponent(URL(fileURLWithPath: path).standardizedFileURL.path
                    .replacingOccurrences(of: "/", with: "_"))
            }
            var recording: [RecordedItem]
            if let cache, let cached = try RecordingFile.read(cache) {
                recording = cached
                stderr.write(Data("\(path): embeddings reused from \(cache.path).json\n".utf8))
            } else {
                var runner = PipelineRunner(pipeline: pipeline)
                runner.recordsEmbeddings = true
                runner.log = { stderr.write(Data(($0 + "\n").utf8)) }
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("panoptes-calibrate-\(UUID().uuidString).jsonl")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let summary = try await runner.run(embedder: try runner.makeEmbedder(), sink: try JSONLEventWriter(path: scratch.path))
                stderr.write(Data("\(path): \(summary.frames) frames, \(summary.statistics.embedded) crops embedded in \(String(format: "%.1f", summary.seconds)) s\n".utf8))
                recording = summary.recording
                if let cache {
                    try FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try RecordingFile.write(recording, to: cache)
                }
            }
            scenes.append(.init(name: path, cameras: pipeline.cameras.map(\.id), recording: recording, groundTruth: groundTruth,
                                registry: pipeline.registry, tracker: pipeline.tracker))
        }
        let first = try RunCommand.resolve(pipelines[0])
        if scoreOnly {
            var multi: [Double] = []
            for (i, scene) in scenes.enumerated() {
                let s = try Calibration(scenes: [scene]).score(.init(
                    matchThreshold: scene.registry.matchThreshold, margin: scene.registry.margin,
                    maxCosineDistance: scene.tracker.maxCosineDistance), keepingCorrection: true)
                multi.append(s.multiCamera[0])
                print(String(format: "%@: multi-camera IDF1 %.3f, within-camera IDF1 (mean over cameras) %.3f (tracker ids alone %.3f)",
                             pipelines[i], s.multiCamera[0], s.withinCamera[0], s.trackerWithinCamera[0]))
            }
            print(String(format: "mean %.3f, worst %.3f over %d scenes", multi.reduce(0, +) / Double(max(1, multi.count)),
                         multi.min() ?? 0, multi.count))
            return
        }
        let start = Calibration.Candidate(matchThreshold: first.registry.matchThreshold, margin: first.registry.margin,
                                          maxCosineDistance: first.tracker.maxCosineDistance)
        let (best, tried) = try Calibration(scenes: scenes).run(from: start) { s in
            let c = s.candidate
            stderr.write(Data(String(format: "match %.3f margin %.3f cosine %.2f: mean %.3f worst %.3f\n",
                                     c.matchThreshold, c.margin, c.maxCosineDistance, s.mean, s.worst).utf8))
        }
        stderr.write(Data("\(tried.count) settings tried\n".utf8))
        print(Calibration.yamlBlock(best, sceneNames: pipelines), terminator: "")
    }
}
