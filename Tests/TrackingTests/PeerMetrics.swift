import Foundation
import TestSupport
import XCTest
@testable import Tracking

/// Runs py-motmetrics (Tests/Peers/tracking_mot.py) on MOT files and compares its numbers with ours.
enum PeerMetrics {
    /// motmetrics' metrics for one (gt, tracks) pair, or for several concatenated as one sequence.
    static func motmetrics(_ pairs: [(gt: URL, tracks: URL)]) throws -> [String: Double?] {
        let result = try runPeer("tracking_mot.py", pairs.flatMap { [$0.gt.path, $0.tracks.path] })
        let object = try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]
        return object.mapValues { $0 as? Double }
    }

    /// Asserts that every metric equals motmetrics' to 1e-6 (counts exactly).
    static func assertEqual(_ ours: MOTMetrics, _ peer: [String: Double?], _ label: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let ratios: [(String, Double)] = [("mota", ours.mota), ("motp", ours.motp), ("idf1", ours.idf1), ("idp", ours.idp), ("idr", ours.idr)]
        for (name, value) in ratios {
            guard let expected = peer[name] else { XCTFail("\(label): peer lacks \(name)", file: file, line: line); continue }
            if let expected {
                XCTAssertEqual(value, expected, accuracy: 1e-6, "\(label): \(name)", file: file, line: line)
            } else {
                XCTAssertTrue(value.isNaN, "\(label): \(name) is \(value), motmetrics says NaN", file: file, line: line)
            }
        }
        let counts: [(String, Int)] = [
            ("num_switches", ours.idSwitches), ("num_fragmentations", ours.fragmentations),
            ("num_false_positives", ours.falsePositives), ("num_misses", ours.misses), ("num_matches", ours.matches),
            ("num_objects", ours.objects), ("num_predictions", ours.predictions), ("idtp", ours.idtp),
            ("idfp", ours.idfp), ("idfn", ours.idfn), ("num_unique_objects", ours.uniqueObjects),
        ]
        for (name, value) in counts {
            XCTAssertEqual(Double(value), peer[name] ?? nil, "\(label): \(name)", file: file, line: line)
        }
    }
}
