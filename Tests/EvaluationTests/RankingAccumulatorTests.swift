import XCTest
@testable import Evaluation

/// The protocol's rules on a gallery small enough to score by hand.
final class RankingAccumulatorTests: XCTestCase {
    private func score(_ query: PersonLabel, _ distances: [Double], gallery: [PersonLabel]) -> RetrievalScores {
        var acc = RankingAccumulator(galleryLabels: gallery, maxRank: 5)
        distances.withUnsafeBufferPointer { acc.add(query: query, distances: $0) }
        return acc.scores
    }

    func testSameCameraMatch_isRemoved_andDistractorNeverMatches() {
        // Ranked: g0 (id 1, cam 1: same id same camera, removed), g1 (distractor), g2 (id 1 cam 2, match at kept rank 2).
        let gallery = [PersonLabel(personID: 1, camera: 1), PersonLabel(personID: 0, camera: 2), PersonLabel(personID: 1, camera: 2)]
        let s = score(PersonLabel(personID: 1, camera: 1), [0.1, 0.2, 0.3], gallery: gallery)
        XCTAssertEqual(s.cmc, [0, 1, 1, 1, 1])
        XCTAssertEqual(s.meanAveragePrecision, 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.evaluatedQueries, 1)
    }

    func testTies_brokenByGalleryOrder() {
        // All distances equal: order is gallery order, so the match at index 2 is at rank 3; then the one at 3 at rank 4.
        let gallery = [PersonLabel(personID: 2, camera: 1), PersonLabel(personID: 3, camera: 1),
                       PersonLabel(personID: 1, camera: 2), PersonLabel(personID: 1, camera: 3)]
        let s = score(PersonLabel(personID: 1, camera: 1), [1, 1, 1, 1], gallery: gallery)
        XCTAssertEqual(s.cmc, [0, 0, 1, 1, 1])
        XCTAssertEqual(s.meanAveragePrecision, (1.0 / 3 + 2.0 / 4) / 2, accuracy: 1e-12)
    }

    func testQueryWithoutValidMatch_isSkipped() {
        let gallery = [PersonLabel(personID: 1, camera: 1), PersonLabel(personID: 2, camera: 2)]
        let s = score(PersonLabel(personID: 1, camera: 1), [0.5, 0.1], gallery: gallery)
        XCTAssertEqual(s.evaluatedQueries, 0)
        XCTAssertEqual(s.skippedQueries, 1)
    }
}
