import Foundation
import Tracking

/// `panoptes calibrate`: chooses the association thresholds from labelled footage. Each scene's
/// pipeline runs once (decode, embed) with its embeddings recorded; then tracking alone is replayed
/// over the recordings for every candidate value, each replay scored against the scenes' MOT ground
/// truth, and the values with the best mean multi-camera IDF1 over the scenes are chosen (ties: the
/// better worst scene, then the stricter value).
///
/// Swept, one after the other with the others held at their best so far, in rounds until a round
/// changes nothing: the registry's `match_threshold` (with `correction_threshold` set equal: a track
/// stays while it would still have joined), its `margin`, then the tracker's `max_cosine_distance`.
public struct Calibration: Sendable {
    /// One labelled scene: a recorded run and each camera's ground truth.
    public struct Scene: Sendable {
        /// A name for the report (the pipeline file).
        public var name: String
        /// Camera ids by index.
        public var cameras: [String]
        /// What reached the trackers.
        public var recording: [RecordedItem]
        /// Per camera id, the ground truth.
        public var groundTruth: [String: [MOTRecord]]
        /// The scene's registry parameters (its topology) and tracker parameters, before calibration.
        public var registry: RegistryConfig
        public var tracker: TrackerConfig

        /// A scene.
        public init(name: String, cameras: [String], recording: [RecordedItem], groundTruth: [String: [MOTRecord]],
                    registry: RegistryConfig, tracker: TrackerConfig) {
            self.name = name
            self.cameras = cameras
            self.recording = recording
            self.groundTruth = groundTruth
            self.registry = registry
            self.tracker = tracker
        }
    }

    /// The values a sweep chooses from.
    public struct Candidate: Sendable, Equatable {
        public var matchThreshold: Double
        public var margin: Double
        public var maxCosineDistance: Double

        /// A candidate.
        public init(matchThreshold: Double, margin: Double, maxCosineDistance: Double) {
            self.matchThreshold = matchThreshold
            self.margin = margin
            self.maxCosineDistance = maxCosineDistance
        }
    }

    /// How one candidate scored.
    public struct Score: Sendable {
        /// The candidate.
        public var candidate: Candidate
        /// Per scene, multi-camera IDF1.
        public var multiCamera: [Double]
        /// Per scene, the mean over cameras of each camera's output (its `--tracks-dir` file, global
        /// identities) against its ground truth.
        public var withinCamera: [Double]
        /// Per scene, the same with the tracker's own per-camera track ids (one per unbroken sighting).
        public var trackerWithinCamera: [Double]
        /// Mean and worst multi-camera IDF1 over the scenes.
        public var mean: Double { multiCamera.reduce(0, +) / Double(max(1, multiCamera.count)) }
        public var worst: Double { multiCamera.min() ?? 0 }
    }

    /// The scenes.
    public var scenes: [Scene]
    /// Values tried for each parameter.
    public var matchThresholds: [Double] = stride(from: 0.80, through: 0.965, by: 0.01).map { ($0 * 100).rounded() / 100 }
    public var margins: [Double] = [0, 0.005, 0.01, 0.02, 0.04]
    public var maxCosineDistances: [Double] = [0.1, 0.15, 0.2, 0.25, 0.3]
    /// Rounds of the three sweeps at most. Default 3.
    public var rounds = 3

    /// Calibration over `scenes`.
    public init(scenes: [Scene]) {
        self.scenes = scenes
    }

    /// Scores `candidate` on every scene; `keepingCorrection` leaves each scene's own
    /// `correction_threshold` instead of setting it to the match threshold.
    public func score(_ candidate: Candidate, keepingCorrection: Bool = false) throws -> Score {
        var multi: [Double] = [], within: [Double] = [], trackerWithin: [Double] = []
        for scene in scenes {
            var registry = scene.registry
            registry.matchThreshold = candidate.matchThreshold
            if !keepingCorrection { registry.correctionThreshold = candidate.matchThreshold }
            registry.margin = candidate.margin
            var tracker = scene.tracker
            tracker.maxCosineDistance = candidate.maxCosineDistance
            let result = try TrackingReplay(cameras: scene.cameras, recording: scene.recording).run(tracker: tracker, registry: registry)
            var pairs: [(groundTruth: [MOTRecord], tracks: [MOTRecord])] = []
            var idf1s: [Double] = [], trackerIDF1s: [Double] = []
            for camera in scene.cameras {
                let gt = scene.groundTruth[camera] ?? []
                pairs.append((gt, result.tracks[camera] ?? []))
                idf1s.append(MOTEvaluator.evaluate(groundTruth: gt, tracks: result.tracks[camera] ?? []).idf1)
                trackerIDF1s.append(MOTEvaluator.evaluate(groundTruth: gt, tracks: result.cameraTracks[camera] ?? []).idf1)
            }
            multi.append(MOTEvaluator.evaluateMultiCamera(pairs).idf1)
            within.append(idf1s.reduce(0, +) / Double(max(1, idf1s.count)))
            trackerWithin.append(trackerIDF1s.reduce(0, +) / Double(max(1, trackerIDF1s.count)))
        }
        return Score(candidate: candidate, multiCamera: multi, withinCamera: within, trackerWithinCamera: trackerWithin)
    }

    /// Sweeps each parameter in turn from `start`; `progress` gets every score.
    public func run(from start: Candidate, progress: (Score) -> Void = { _ in }) throws -> (best: Score, tried: [Score]) {
        var tried: [Score] = []
        var best = try score(start)
        tried.append(best)
        progress(best)
        /// Better: higher mean; then higher worst; then (equal) keep the earlier, stricter value.
        func better(_ a: Score, _ b: Score) -> Bool {
            let eps = 1e-9
            if a.mean > b.mean + eps { return true }
            if a.mean < b.mean - eps { return false }
            return a.worst > b.worst + eps
        }
        func sweep(_ values: [Double], _ set: (inout Candidate, Double) -> Void) throws {
            var round = best
            for v in values {
                var c = best.candidate
                set(&c, v)
                if c == best.candidate { continue }
                let s = try score(c)
                tried.append(s)
                progress(s)
                if better(s, round) { round = s }
            }
            best = round
        }
        // Stricter first, so that on a tie the stricter value stays. Each parameter's best depends on the
        // others', so the sweeps repeat until a round changes nothing (at most `rounds`).
        for _ in 0..<rounds {
            let before = best.candidate
            try sweep(matchThresholds.sorted(by: >)) { $0.matchThreshold = $1 }
            try sweep(margins.sorted(by: >)) { $0.margin = $1 }
            try sweep(maxCosineDistances.sorted()) { $0.maxCosineDistance = $1 }
            if best.candidate == before { break }
        }
        return (best, tried)
    }

    /// The chosen values as a YAML-lite block to paste into a pipeline file.
    public static func yamlBlock(_ best: Score, sceneNames: [String]) -> String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        var lines = [
            "# chosen by panoptes calibrate on \(sceneNames.count) scene\(sceneNames.count == 1 ? "" : "s"): "
                + "mean multi-camera IDF1 \(f(best.mean)), worst \(f(best.worst))",
        ]
        for (name, score) in zip(sceneNames, best.multiCamera) { lines.append("#   \(name): \(f(score))") }
        lines += [
            "tracker:",
            "  max_cosine_distance: \(best.candidate.maxCosineDistance)",
            "registry:",
            "  match_threshold: \(best.candidate.matchThreshold)",
            "  margin: \(best.candidate.margin)",
            "  correction_threshold: \(best.candidate.matchThreshold)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
