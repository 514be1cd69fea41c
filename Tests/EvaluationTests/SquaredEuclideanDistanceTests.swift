import XCTest
@testable import Evaluation

/// The sgemm distances against a plain Float64 loop, on odd sizes and blocks that do not divide them.
final class SquaredEuclideanDistanceTests: XCTestCase {
    private func reference(_ a: FeatureMatrix, _ i: Int, _ b: FeatureMatrix, _ j: Int) -> Double {
        var s = 0.0
        for k in 0..<a.dimension {
            let d = Double(a.values[i * a.dimension + k]) - Double(b.values[j * b.dimension + k])
            s += d * d
        }
        return s
    }

    func testQueryGalleryBlocks_oddSizes_matchFloat64Reference() {
        for (q, g, d, block) in [(1, 1, 1, 1), (7, 13, 5, 3), (13, 29, 77, 4), (31, 7, 130, 31)] {
            let data = SeededFeatures(seed: UInt64(q * 1000 + g), queries: q, gallery: g, dimension: d, people: 5)
            let distance = SquaredEuclideanDistance(gallery: data.gallery)
            let norms = data.query.squaredNorms()
            var out = [Float](repeating: .nan, count: block * g)
            var worst = 0.0
            for start in stride(from: 0, to: q, by: block) {
                let rows = start ..< min(start + block, q)
                out.withUnsafeMutableBufferPointer {
                    distance.queryGalleryBlock(queries: data.query, queryNorms: norms, rows: rows, into: $0)
                }
                for (r, i) in rows.enumerated() {
                    for j in 0..<g {
                        let expected = reference(data.query, i, data.gallery, j)
                        let got = Double(out[r * g + j])
                        XCTAssertGreaterThanOrEqual(got, 0)
                        worst = max(worst, abs(got - expected) / max(1, expected))
                    }
                }
            }
            // Float32 dot products of unit-variance values: relative error a few ulps × √d.
            XCTAssertLessThan(worst, 1e-5, "q=\(q) g=\(g) d=\(d)")
        }
    }

    func testAllPairs_oddTiles_symmetricAndMatchReference() {
        let data = SeededFeatures(seed: 7, queries: 0, gallery: 53, dimension: 19, people: 4)
        let pairs = SquaredEuclideanDistance.allPairs(data.gallery, tile: 10)
        XCTAssertEqual(pairs.count, 53)
        for i in 0..<53 {
            XCTAssertEqual(pairs[i, i], 0, accuracy: 1e-4)
            for j in 0..<53 {
                XCTAssertEqual(pairs[i, j], pairs[j, i], "not symmetric at \(i),\(j)")
                let expected = reference(data.gallery, i, data.gallery, j)
                XCTAssertEqual(Double(pairs[i, j]), expected, accuracy: 1e-5 * max(1, expected))
            }
        }
    }
}
