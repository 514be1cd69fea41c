import XCTest
@testable import Tracking

/// `EmbeddingCentering`: a shared component dominates raw cosine similarity; centring removes it.
final class EmbeddingCenteringTests: XCTestCase {
    /// Two "people" who share a large common component (like ImageNet features) plus a small own one,
    /// with a little per-sighting noise.
    private func sightings(count: Int) -> [(person: Int, embedding: [Float])] {
        var out: [(Int, [Float])] = []
        for i in 0..<count {
            let person = i % 2
            var e: [Float] = [10, 10, 10, 0, 0]
            e[3 + person] = 2
            // Deterministic small noise.
            e[0] += Float((i * 7) % 5) * 0.05
            e[1] -= Float((i * 3) % 4) * 0.05
            out.append((person, e))
        }
        return out
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var x = a, y = b
        CameraTracker.normalise(&x)
        CameraTracker.normalise(&y)
        return CameraTracker.dot(x, y)
    }

    func testCentringSeparatesPeopleThatRawCosineCannot() throws {
        let data = sightings(count: 60)
        // Raw: the two people look alike.
        XCTAssertGreaterThan(cosine(data[58].embedding, data[59].embedding), 0.95)
        var centring = EmbeddingCentering(warmup: 10)
        let centred = try data.map { try centring.center($0.embedding) }
        let a = centred[58], b = centred[59], a2 = centred[56]
        XCTAssertEqual(CameraTracker.dot(a, a).squareRoot(), 1, accuracy: 1e-5, "centred embeddings are unit length")
        XCTAssertLessThan(CameraTracker.dot(a, b), 0, "different people point apart after centring")
        XCTAssertGreaterThan(CameraTracker.dot(a, a2), 0.8, "the same person stays alike after centring")
        XCTAssertEqual(centring.count, 60)
    }

    func testWarmupReturnsTheNormalisedEmbeddingAndTheMeanIsOfNormalisedInputs() throws {
        var centring = EmbeddingCentering(warmup: 2)
        XCTAssertEqual(centring.mean, [])
        XCTAssertEqual(try centring.center([3, 4]), [0.6, 0.8])
        XCTAssertEqual(try centring.center([0, 2]), [0, 1])
        XCTAssertEqual(centring.mean, [0.3, 0.9])
        // Third: mean of (0.6,0.8),(0,1),(1,0) = (0.5333,0.6); (1,0)-mean = (0.4667,-0.6), normalised.
        let third = try centring.center([5, 0])
        XCTAssertEqual(third[0], 0.4667 / (0.4667 * 0.4667 + 0.36).squareRoot(), accuracy: 1e-3)
        XCTAssertEqual(third[1], -0.6 / (0.4667 * 0.4667 + 0.36).squareRoot(), accuracy: 1e-3)
    }

    func testEmptyEmbeddingPassesThroughAndAWrongLengthIsAClearError() throws {
        var centring = EmbeddingCentering()
        XCTAssertEqual(try centring.center([]), [])
        XCTAssertEqual(centring.count, 0)
        _ = try centring.center([1, 2, 3])
        XCTAssertThrowsError(try centring.center([1, 2])) { error in
            XCTAssertEqual(error as? TrackingError, .embeddingDimension(expected: 3, got: 2))
            XCTAssertEqual("\(error)", "an embedding has 2 values but the run's first had 3; embed every crop of a run with the same model")
        }
    }
}
