import Foundation
import ReIDNet
import TestSupport
import VideoIO
import XCTest

@testable import Pipeline

/// The one embedding path: an embedding does not depend on the other crops of its batch, so any batch
/// size (and any interleaving of cameras) gives the same events.
final class NetworkCropEmbedderTests: XCTestCase {
    func testNetworkCropEmbedder_cropAloneOrAmongOthers_givesTheSameBits() throws {
        let reader = try VideoReader(url: Fixtures.vtest.path)
        var frames: [Frame] = []
        while frames.count < 40, let f = try reader.nextFrame() { frames.append(f) }
        // Odd sizes and positions, including one clipped at the border, from different frames.
        let crops = [
            frames[0].region(x: 100, y: 120, width: 37, height: 91),
            frames[13].region(x: 400, y: 200, width: 61, height: 150),
            frames[39].region(x: 0, y: 0, width: 23, height: 57),
            frames[20].region(x: 700, y: 500, width: 68, height: 76),
            frames[5].region(x: 250, y: 90, width: 44, height: 130),
        ]
        let embedder = try NetworkCropEmbedder(architecture: .pfsaMobileNetV2, weights: Fixtures.mobilenetWeights, maxBatch: 4)
        let together = try embedder.embed(crops)
        XCTAssertEqual(together.count, 5)
        XCTAssertEqual(together.dimension, 1280)
        for (i, crop) in crops.enumerated() {
            let alone = try embedder.embed([crop])
            XCTAssertEqual(Array(alone[0]), Array(together[i]), "crop \(i) alone equals crop \(i) in a batch of 5 (runs of 4 and 1)")
        }
        let reversed = try embedder.embed(crops.reversed())
        for i in crops.indices {
            XCTAssertEqual(Array(reversed[crops.count - 1 - i]), Array(together[i]), "order within the batch does not matter")
        }
        // And the values are an embedding: unit length.
        let norm = together[0].reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(norm, 1, accuracy: 1e-5)
    }
}
