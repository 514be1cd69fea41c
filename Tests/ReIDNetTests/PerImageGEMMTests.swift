import TestSupport
import XCTest

import LinearAlgebra
@testable import ReIDNet

/// Convolutions run one GEMM per image, so an image's output never depends on the other images of its
/// batch (OpenBLAS rounds a column differently with the matrix's width and the column's place in it).
final class PerImageGEMMTests: XCTestCase {
    func testMultiplyPerImage_imageAmongOthers_equalsTheImageAloneBitForBit() {
        var rng = SeededGenerator(seed: 11)
        // Shapes of MobileNetV2's and ResNet-50's convolutions (out channels, in channels, pixels), odd ones too.
        for (m, k, plane) in [(16, 27, 8192), (96, 16, 8192), (1280, 320, 32), (64, 384, 128), (24, 144, 2048), (7, 13, 33)] {
            let batch = 3
            let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(k * plane * batch)).map { _ in Float.random(in: -1...1, using: &rng) }
            var together = [Float](repeating: 0, count: m * plane * batch)
            Conv2D.multiplyPerImage(m: m, columnsPerImage: plane, images: batch, k: k, a: a, lda: k, b: b, ldb: plane * batch,
                                    c: &together, ldc: plane * batch)
            for image in 0..<batch {
                var alone = [Float](repeating: 0, count: k * plane)
                for r in 0..<k { for j in 0..<plane { alone[r * plane + j] = b[r * plane * batch + image * plane + j] } }
                var out = [Float](repeating: 0, count: m * plane)
                GEMM.multiply(m: m, n: plane, k: k, a: a, lda: k, b: alone, ldb: plane, c: &out, ldc: plane)
                var differing = 0
                for r in 0..<m { for j in 0..<plane where out[r * plane + j] != together[r * plane * batch + image * plane + j] { differing += 1 } }
                XCTAssertEqual(differing, 0, "m \(m) k \(k) plane \(plane) image \(image)")
            }
        }
    }
}
