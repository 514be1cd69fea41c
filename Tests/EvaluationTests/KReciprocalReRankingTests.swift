import XCTest
@testable import Evaluation

/// Re-ranked distances against a float64 transcription of Zhong et al.'s published re_ranking.
final class KReciprocalReRankingTests: XCTestCase {
    private func assertParity(_ data: SeededFeatures, _ reRanking: KReciprocalReRanking) throws {
        let q = data.query.count, g = data.gallery.count
        let pairs = SquaredEuclideanDistance.allPairs([data.query, data.gallery], tile: 97)
        var mine = [Double](repeating: .nan, count: q * g)
        reRanking.rerank(pairs, queryCount: q) { i, row in
            for j in 0..<g { mine[i * g + j] = row[j] }
        }
        let peer = try EvalPeer()
        defer { peer.remove() }
        try peer.write("q_g.f64", rows: q, cols: g) { Double(pairs[$0, q + $1]) }
        try peer.write("q_q.f64", rows: q, cols: q) { Double(pairs[$0, $1]) }
        try peer.write("g_g.f64", rows: g, cols: g) { Double(pairs[q + $0, q + $1]) }
        let (reference, theirs) = try peer.run(queryLabels: data.queryLabels, galleryLabels: data.galleryLabels,
                                               maxRank: 10, reRanking: reRanking)
        let expected = try XCTUnwrap(theirs)
        XCTAssertEqual(expected.count, mine.count)
        var worst = 0.0
        for k in mine.indices { worst = max(worst, abs(mine[k] - expected[k])) }
        XCTAssertLessThan(worst, 1e-6, "max |Panoptes − reference| over \(q)×\(g) re-ranked distances")
        // Re-ranking moved things: the result is not the normalised original distance.
        XCTAssertGreaterThan(Set(mine.map { ($0 * 1e6).rounded() }).count, q * g / 2)

        // The evaluator's re-ranked scores equal the reference protocol on the reference's re-ranked matrix.
        let scores = try RetrievalEvaluator(reRanking: reRanking, maxRank: 10).evaluate(
            query: data.query, queryLabels: data.queryLabels, gallery: data.gallery, galleryLabels: data.galleryLabels)
        let ref = try XCTUnwrap(reference.reranked)
        XCTAssertEqual(scores.evaluatedQueries, ref.evaluated)
        for k in 0..<10 { XCTAssertEqual(scores.cmc[k], ref.cmc[k], accuracy: 1e-6, "rank \(k + 1)") }
        XCTAssertEqual(scores.meanAveragePrecision, ref.mAP, accuracy: 1e-6)
    }

    func testPaperParameters_seededFeatures_matchPublishedFunction() throws {
        try assertParity(SeededFeatures(seed: 2017, queries: 83, gallery: 467, dimension: 41, people: 45, noise: 1.0),
                         KReciprocalReRanking())
    }

    func testOtherParameters_k1Five_noExpansion_matchPublishedFunction() throws {
        // k1 = 5: round(2.5) is 2 under numpy's half-to-even; k2 = 1 skips query expansion.
        try assertParity(SeededFeatures(seed: 99, queries: 31, gallery: 150, dimension: 16, people: 20, noise: 0.9),
                         KReciprocalReRanking(k1: 5, k2: 1, lambda: 0.5))
    }
}
