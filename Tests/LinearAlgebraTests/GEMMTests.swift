import LinearAlgebra
import TestSupport
import XCTest

/// The one GEMM wrapper against a plain Float64 triple loop, on odd shapes, both layouts of B, with
/// and without accumulation, and with leading dimensions wider than the rows.
final class GEMMTests: XCTestCase {
    /// Deterministic values in [-1, 1), from the tests' one seeded generator.
    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(2 * generator.unit() - 1) }
    }

    func testMultiply_oddShapes_equalsPlainReference() {
        for (m, n, k) in [(1, 1, 1), (7, 13, 5), (13, 1, 31), (3, 29, 64), (33, 17, 9)] {
            for transposeB in [false, true] {
                for accumulate in [false, true] {
                    let lda = k + 3, ldb = (transposeB ? k : n) + 2, ldc = n + 1
                    let a = Self.values(m * lda, seed: 1), b = Self.values((transposeB ? n : k) * ldb, seed: 2)
                    let initial = Self.values(m * ldc, seed: 3)
                    var c = initial
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                GEMM.multiply(m: m, n: n, k: k, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                              transposeB: transposeB, c: pc.baseAddress!, ldc: ldc, accumulate: accumulate)
                            }
                        }
                    }
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = accumulate ? Double(initial[i * ldc + j]) : 0
                            for p in 0..<k {
                                sum += Double(a[i * lda + p]) * Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
                            }
                            XCTAssertEqual(Double(c[i * ldc + j]), sum, accuracy: 1e-5 * Double(k + 1),
                                           "m=\(m) n=\(n) k=\(k) transposeB=\(transposeB) accumulate=\(accumulate) at \(i),\(j)")
                        }
                        // Padding columns past n are not written.
                        for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], initial[i * ldc + j]) }
                    }
                }
            }
        }
    }

    func testThreadCount_isPositive() {
        XCTAssertGreaterThan(GEMM.threadCount, 0)
    }
}
