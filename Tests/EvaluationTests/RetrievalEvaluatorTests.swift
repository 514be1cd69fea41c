import XCTest
@testable import Evaluation

/// CMC and mAP of the blocked evaluation against the numpy float64 reference of the standard protocol.
final class RetrievalEvaluatorTests: XCTestCase {
    private func assertParity(_ data: SeededFeatures, block: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let evaluator = RetrievalEvaluator(queryBlock: block, maxRank: 10)
        let scores = try evaluator.evaluate(query: data.query, queryLabels: data.queryLabels,
                                            gallery: data.gallery, galleryLabels: data.galleryLabels)
        // The peer ranks the very distances the evaluator ranked (same blocked sgemm path).
        let distance = SquaredEuclideanDistance(gallery: data.gallery)
        let q = data.query.count, g = data.gallery.count
        var all = [Float](repeating: 0, count: q * g)
        all.withUnsafeMutableBufferPointer {
            distance.queryGalleryBlock(queries: data.query, queryNorms: data.query.squaredNorms(), rows: 0..<q, into: $0)
        }
        let peer = try EvalPeer()
        defer { peer.remove() }
        try peer.write("q_g.f64", rows: q, cols: g) { Double(all[$0 * g + $1]) }
        let (reference, _) = try peer.run(queryLabels: data.queryLabels, galleryLabels: data.galleryLabels, maxRank: 10, reRanking: nil)
        XCTAssertEqual(scores.evaluatedQueries, reference.plain.evaluated, file: file, line: line)
        XCTAssertEqual(scores.skippedQueries, reference.plain.skipped, file: file, line: line)
        XCTAssertEqual(scores.cmc.count, 10, file: file, line: line)
        for k in 0..<10 { XCTAssertEqual(scores.cmc[k], reference.plain.cmc[k], accuracy: 1e-6, "rank \(k + 1)", file: file, line: line) }
        XCTAssertEqual(scores.meanAveragePrecision, reference.plain.mAP, accuracy: 1e-6, file: file, line: line)
        // Not a degenerate case: some queries hit at rank 1, not all.
        XCTAssertGreaterThan(scores.rank(1), 0.05, file: file, line: line)
        XCTAssertLessThan(scores.rank(1), 0.99, file: file, line: line)
    }

    func testSeededFeatures_matchNumpyReference() throws {
        try assertParity(SeededFeatures(seed: 42, queries: 97, gallery: 611, dimension: 37, people: 40, noise: 1.1), block: 13)
    }

    func testQuantizedFeatures_exactTies_brokenLikeStableSort() throws {
        // Values on a 0.5 grid in 3 dimensions: many gallery images sit at exactly the same distance.
        let data = SeededFeatures(seed: 5, queries: 60, gallery: 300, dimension: 3, people: 25, noise: 0.7, quantum: 0.5)
        try assertParity(data, block: 64)
    }

    func testMismatchedLabels_throwShapeError() {
        let data = SeededFeatures(seed: 1, queries: 3, gallery: 4, dimension: 2, people: 2)
        XCTAssertThrowsError(try RetrievalEvaluator().evaluate(query: data.query, queryLabels: [],
                                                               gallery: data.gallery, galleryLabels: data.galleryLabels)) {
            XCTAssertTrue(String(describing: $0).contains("3 query features for 0 labels"), "\($0)")
        }
    }
}
