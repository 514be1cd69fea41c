import Foundation
import TestSupport
@testable import Evaluation

/// Runs Tests/Peers/eval_reference.py (numpy float64 protocol and Zhong et al.'s re_ranking) on
/// distance matrices that Panoptes computed, so both sides rank exactly the same numbers.
struct EvalPeer {
    struct Scores: Decodable {
        var cmc: [Double]
        var mAP: Double
        var evaluated: Int
        var skipped: Int
    }
    struct Output: Decodable {
        var plain: Scores
        var reranked: Scores?
    }

    let folder: URL

    init() throws { folder = try Fixtures.temporaryDirectory("evalpeer") }

    /// Writes a row-major Float64 matrix.
    func write(_ name: String, rows: Int, cols: Int, _ value: (Int, Int) -> Double) throws {
        var data = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { data[i * cols + j] = value(i, j) } }
        try data.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent(name)) }
    }

    /// Runs the peer; `reRanking` nil scores `q_g.f64` only.
    func run(queryLabels: [PersonLabel], galleryLabels: [PersonLabel], maxRank: Int,
             reRanking: KReciprocalReRanking?) throws -> (Output, reranked: [Double]?) {
        var labels: [String: Any] = [
            "query_pids": queryLabels.map(\.personID), "query_cams": queryLabels.map(\.camera),
            "gallery_pids": galleryLabels.map(\.personID), "gallery_cams": galleryLabels.map(\.camera),
            "max_rank": maxRank,
        ]
        if let r = reRanking { labels["k1"] = r.k1; labels["k2"] = r.k2; labels["lambda"] = r.lambda }
        try JSONSerialization.data(withJSONObject: labels).write(to: folder.appendingPathComponent("labels.json"))
        try runPeer("eval_reference.py", [folder.path])
        let output = try JSONDecoder().decode(Output.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        guard reRanking != nil else { return (output, nil) }
        let raw = try Data(contentsOf: folder.appendingPathComponent("reranked.f64"))
        let values = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        return (output, values)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}
