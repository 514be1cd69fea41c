import Foundation
import TestSupport
import XCTest
@testable import Tracking

/// The Kalman filter against deep-sort-realtime's DeepSORT `KalmanFilter` on the same measurements.
final class KalmanBoxFilterTests: XCTestCase {
    func testWalkWithGaps_equalsDeepSORTFilter() throws {
        var rng = SeededGenerator(seed: 3)
        let initial = BoundingBox(x: 100, y: 50, w: 40, h: 110)
        var steps: [BoundingBox?] = []
        var x = 100.0, h = 110.0
        for frame in 0..<60 {
            x += 3
            h += 0.4
            let seen = !(20..<28).contains(frame) && frame % 11 != 5
            steps.append(seen ? BoundingBox(x: x + rng.gaussian(2), y: 50 + rng.gaussian(2), w: 0.37 * h + rng.gaussian(1), h: h + rng.gaussian(2)) : nil)
        }
        func xyah(_ b: BoundingBox) -> [Double] { let v = b.xyah; return [v.0, v.1, v.2, v.3] }
        let input = try Fixtures.temporaryDirectory().appendingPathComponent("kalman.json")
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        let json: [String: Any] = ["initial": xyah(initial), "steps": steps.map { $0.map(xyah) as Any? ?? NSNull() }]
        try JSONSerialization.data(withJSONObject: json).write(to: input)
        // deep-sort-realtime missing fails this test (see Peer), unless PANOPTES_ALLOW_MISSING_PEERS=1.
        let result = try runPeer("tracking_kalman.py", [], standardInput: input)
        let peer = try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]
        let means = peer["means"] as! [[Double]], covariances = peer["covariances"] as! [[Double]]
        let gating = peer["gating"] as! [Any]

        var filter = KalmanBoxFilter(box: initial)
        for (index, step) in steps.enumerated() {
            filter.predict()
            if let step {
                let expected = gating[index] as! Double
                XCTAssertEqual(filter.gatingDistance(to: step), expected, accuracy: 1e-6 * max(1, expected), "gating at step \(index)")
                filter.update(with: step)
            }
            XCTAssertEqual(filter.mean.count, 8)
            for i in 0..<8 {
                XCTAssertEqual(filter.mean[i], means[index][i], accuracy: 1e-7 * max(1, abs(means[index][i])), "mean[\(i)] at step \(index)")
            }
            for i in 0..<64 {
                let e = covariances[index][i]
                XCTAssertEqual(filter.covariance[i], e, accuracy: 1e-7 * max(1, abs(e)), "covariance[\(i)] at step \(index)")
            }
        }
    }
}
