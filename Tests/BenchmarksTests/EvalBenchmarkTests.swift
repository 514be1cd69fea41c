import Evaluation
import XCTest
@testable import Benchmarks

/// The eval benchmark's synthetic features: what the timing runs on must be a real retrieval task.
final class EvalBenchmarkTests: XCTestCase {
    func testMakeFeatures_sizesLabelsNormsAndDeterminism() {
        let bench = EvalBenchmark(queries: 40, gallery: 301, dimension: 13, people: 7, seed: 3)
        let f = bench.makeFeatures()
        XCTAssertEqual(f.query.count, 40)
        XCTAssertEqual(f.gallery.count, 301)
        XCTAssertEqual(f.query.dimension, 13)
        XCTAssertEqual(f.queryLabels.count, 40)
        XCTAssertEqual(f.galleryLabels.count, 301)
        // Every row unit length (the retrieval descriptor is L2-normalised).
        for (matrix, count) in [(f.query, 40), (f.gallery, 301)] {
            for i in 0..<count {
                let norm = (0..<13).reduce(Float(0)) { $0 + matrix.values[i * 13 + $1] * matrix.values[i * 13 + $1] }
                XCTAssertEqual(norm, 1, accuracy: 1e-5)
            }
        }
        // Queries are never distractors; about a fifth of the gallery is (person 0); cameras 1...6.
        XCTAssertFalse(f.queryLabels.contains { $0.personID == 0 })
        let distractors = f.galleryLabels.filter { $0.personID == 0 }.count
        XCTAssertTrue((30...95).contains(distractors), "\(distractors) distractors of 301")
        XCTAssertTrue(f.queryLabels.allSatisfy { (1...7).contains($0.personID) && (1...6).contains($0.camera) })
        // The same seed gives the same features; another seed others.
        XCTAssertEqual(bench.makeFeatures().gallery.values, f.gallery.values)
        var other = bench
        other.seed = 4
        XCTAssertNotEqual(other.makeFeatures().gallery.values, f.gallery.values)
    }

    func testMeasure_scoresTheFeaturesItTimes() throws {
        let bench = EvalBenchmark(queries: 30, gallery: 200, dimension: 16, people: 5, seed: 1)
        let f = bench.makeFeatures()
        let m = try bench.measure(query: f.query, queryLabels: f.queryLabels, gallery: f.gallery, galleryLabels: f.galleryLabels,
                                  reRanking: nil)
        XCTAssertFalse(m.reRanked)
        XCTAssertGreaterThanOrEqual(m.seconds, 0)
        XCTAssertEqual(m.scores.evaluatedQueries + m.scores.skippedQueries, 30)
        // 5 well-separated people: far above chance (1 in 5).
        XCTAssertGreaterThan(m.scores.rank(1), 0.5)
    }
}
