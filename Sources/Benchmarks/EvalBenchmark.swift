import ChildProcess
import Evaluation
import Foundation
import ProcessMetrics
import SeededRandom
import ReIDNet

/// `panoptes bench eval`: time and peak resident memory of a query/gallery evaluation on synthetic
/// features, with and without k-reciprocal re-ranking. Defaults are Market-1501's sizes: 3,368 queries,
/// 15,913 gallery images, the 12288-d PFSA retrieval descriptor, 750 test identities, 6 cameras.
public struct EvalBenchmark: Sendable {
    /// Number of query images.
    public var queries: Int
    /// Number of gallery images.
    public var gallery: Int
    /// Feature dimension.
    public var dimension: Int
    /// Number of identities the features are drawn around.
    public var people: Int
    /// Generator seed.
    public var seed: UInt64

    /// Market-1501 sizes unless given.
    public init(queries: Int = 3368, gallery: Int = 15913, dimension: Int = 12288, people: Int = 750, seed: UInt64 = 1501) {
        self.queries = queries
        self.gallery = gallery
        self.dimension = dimension
        self.people = people
        self.seed = seed
    }

    /// One measured evaluation.
    public struct Measurement: Sendable {
        /// Whether re-ranking was on.
        public var reRanked: Bool
        /// Wall-clock seconds of the evaluation (features already in memory).
        public var seconds: Double
        /// Peak resident memory of the process during the evaluation, bytes (features included).
        public var peakBytes: Int?
        /// Resident memory just before it started, bytes (mostly the features).
        public var baselineBytes: Int?
        /// The scores, so a reader sees the run did real work.
        public var scores: RetrievalScores
    }

    /// Synthetic labelled features: each identity a random centre, each image scaled centre + uniform noise,
    /// L2-normalised like the retrieval descriptor.
    public func makeFeatures() -> (query: FeatureMatrix, queryLabels: [PersonLabel], gallery: FeatureMatrix, galleryLabels: [PersonLabel]) {
        var generator = SplitMix64(seed: seed)
        func next() -> UInt64 { generator.next() }
        func uniform() -> Float { Float(next() >> 40) * 0x1p-24 * 2 - 1 }
        // Identity signal shrinks as d^(-1/4), so the task is about as hard at 256-d as at 12288-d.
        let separation = Float(1.8 / Foundation.pow(Double(dimension), 0.25))
        let centres = [Float]((0..<(people * dimension)).map { _ in uniform() })
        func sample(_ n: Int, distractorShare: Double) -> (FeatureMatrix, [PersonLabel]) {
            var values = [Float](repeating: 0, count: n * dimension)
            var labels: [PersonLabel] = []
            labels.reserveCapacity(n)
            for i in 0..<n {
                let distractor = Double(next() >> 11) * 0x1p-53 < distractorShare
                let person = Int(next() % UInt64(people))
                labels.append(PersonLabel(personID: distractor ? 0 : person + 1, camera: 1 + Int(next() % 6)))
                var norm: Float = 0
                for k in 0..<dimension {
                    let x = (distractor ? 0 : separation * centres[person * dimension + k]) + uniform()
                    values[i * dimension + k] = x
                    norm += x * x
                }
                let scale = 1 / norm.squareRoot()
                for k in 0..<dimension { values[i * dimension + k] *= scale }
            }
            return (FeatureMatrix(count: n, dimension: dimension, values: values), labels)
        }
        let (q, ql) = sample(queries, distractorShare: 0)
        let (g, gl) = sample(gallery, distractorShare: 0.2)
        return (q, ql, g, gl)
    }

    /// Evaluates the features once, re-ranked or not, timing it and recording its peak memory.
    public func measure(
        query: FeatureMatrix, queryLabels: [PersonLabel], gallery: FeatureMatrix, galleryLabels: [PersonLabel],
        reRanking: KReciprocalReRanking?
    ) throws -> Measurement {
        ResidentMemory.resetPeak()
        let baseline = ResidentMemory.currentBytes()
        let start = MonotonicClock.seconds()
        let scores = try RetrievalEvaluator(reRanking: reRanking, maxRank: 10).evaluate(
            query: query, queryLabels: queryLabels, gallery: gallery, galleryLabels: galleryLabels)
        let seconds = MonotonicClock.seconds() - start
        return Measurement(
            reRanked: reRanking != nil, seconds: seconds, peakBytes: ResidentMemory.peakBytes(),
            baselineBytes: baseline, scores: scores)
    }
}

extension EvalBenchmark {
    /// Panoptes next to the Python reference (`Tests/Peers/eval_reference.py`: numpy float64 protocol and
    /// Zhong et al.'s published `re_ranking`) on the same distance matrices, timed in the same run.
    public struct PeerComparison: Sendable {
        /// Seconds Panoptes took to rank and score the query × gallery distances.
        public var panoptesMetricsSeconds: Double
        /// Seconds the numpy reference took for the same.
        public var peerMetricsSeconds: Double
        /// Seconds Panoptes took to re-rank (from the pair matrix).
        public var panoptesReRankingSeconds: Double
        /// Seconds the published function took (float64) on the same matrices.
        public var peerReRankingSeconds: Double
        /// Largest |Panoptes − reference| over the re-ranked distances.
        public var maxReRankedDifference: Double
        /// mAP both sides computed, plain and re-ranked: (Panoptes, reference).
        public var mAP: (plain: (Double, Double), reranked: (Double, Double))
    }

    /// Times both sides on features of this benchmark's sizes (keep them small: the reference holds
    /// several dense (query+gallery)² float64 matrices and loops in Python).
    ///
    /// - Parameters:
    ///   - python: the venv's interpreter; `script`: the reference script.
    public func compareWithPeer(python: URL, script: URL) async throws -> PeerComparison {
        let f = makeFeatures()
        let q = f.query.count, g = f.gallery.count
        let pairs = SquaredEuclideanDistance.allPairs([f.query, f.gallery])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("panoptes-bench-eval-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, rows: Range<Int>, cols: Range<Int>) throws {
            var values: [Double] = []
            values.reserveCapacity(rows.count * cols.count)
            for i in rows { for j in cols { values.append(Double(pairs[i, j])) } }
            try values.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent(name)) }
        }
        try write("q_g.f64", rows: 0..<q, cols: q..<(q + g))
        try write("q_q.f64", rows: 0..<q, cols: 0..<q)
        try write("g_g.f64", rows: q..<(q + g), cols: q..<(q + g))
        let reRanking = KReciprocalReRanking()
        let labels: [String: Any] = [
            "query_pids": f.queryLabels.map(\.personID), "query_cams": f.queryLabels.map(\.camera),
            "gallery_pids": f.galleryLabels.map(\.personID), "gallery_cams": f.galleryLabels.map(\.camera),
            "max_rank": 10, "k1": reRanking.k1, "k2": reRanking.k2, "lambda": reRanking.lambda,
        ]
        try JSONSerialization.data(withJSONObject: labels).write(to: folder.appendingPathComponent("labels.json"))

        // Panoptes: the same two steps on the same matrix.
        var clock = MonotonicClock.seconds()
        var plain = RankingAccumulator(galleryLabels: f.galleryLabels, maxRank: 10)
        pairs.values.withUnsafeBufferPointer { all in
            for i in 0..<q {
                plain.add(query: f.queryLabels[i], distances: UnsafeBufferPointer(rebasing: all[(i * (q + g) + q)..<((i + 1) * (q + g))]))
            }
        }
        let metricsSeconds = MonotonicClock.seconds() - clock
        clock = MonotonicClock.seconds()
        var reranked = RankingAccumulator(galleryLabels: f.galleryLabels, maxRank: 10)
        var mine = [Double](repeating: 0, count: q * g)
        reRanking.rerank(pairs, queryCount: q) { i, row in
            for j in 0..<g { mine[i * g + j] = row[j] }
            reranked.add(query: f.queryLabels[i], distances: row)
        }
        let reRankSeconds = MonotonicClock.seconds() - clock

        let reference = try await ChildProcess(python, [script.path, folder.path]).run()
        guard reference.status == 0 else {
            throw EvaluationError(.shapeMismatch("the reference \(script.path) exited \(reference.status): \(reference.stderrText.suffix(500))"))
        }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("reference.json"))) as? [String: Any] ?? [:]
        let theirs = try Data(contentsOf: folder.appendingPathComponent("reranked.f64")).withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        var worst = 0.0
        for k in 0..<min(theirs.count, mine.count) { worst = max(worst, abs(theirs[k] - mine[k])) }
        if theirs.count != mine.count { worst = .infinity }
        func map(_ part: String) -> Double { ((report[part] as? [String: Any])?["mAP"] as? Double) ?? .nan }
        return PeerComparison(
            panoptesMetricsSeconds: metricsSeconds, peerMetricsSeconds: report["seconds_plain_metrics"] as? Double ?? .nan,
            panoptesReRankingSeconds: reRankSeconds, peerReRankingSeconds: report["seconds_re_ranking"] as? Double ?? .nan,
            maxReRankedDifference: worst,
            mAP: ((plain.scores.meanAveragePrecision, map("plain")), (reranked.scores.meanAveragePrecision, map("reranked"))))
    }
}
