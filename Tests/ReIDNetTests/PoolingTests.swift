import XCTest
@testable import ReIDNet

/// Pool2D windows and the descriptor poolings against plain references.
final class PoolingTests: XCTestCase {
    func run(_ pool: Pool2D, _ input: [Float], planes: Int, h: Int, w: Int) -> [Float] {
        let (oh, ow) = pool.outputSize(height: h, width: w)
        var out = [Float](repeating: .nan, count: planes * oh * ow)
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { pool.forward(input: i.baseAddress!, output: $0.baseAddress!, planes: planes, height: h, width: w) }
        }
        return out
    }

    /// Odd and even sizes, a 1x1 plane, and rows wide enough for the vector kernel's 8- and 16-wide steps.
    func testMaxPool_paddedPlanes_matchReference() {
        for (planes, h, w) in [(3, 9, 7), (2, 1, 1), (2, 2, 3), (2, 8, 40), (2, 5, 33), (1, 64, 32)] {
            let input = ConvolutionKernelTests.random(planes * h * w, seed: 21).map { $0 - 3 }  // all negative: padding must not win
            let pool = Pool2D(.max, kernel: (3, 3), stride: (2, 2), padding: (1, 1))
            let (oh, ow) = pool.outputSize(height: h, width: w)
            XCTAssertEqual(oh, (h + 1) / 2); XCTAssertEqual(ow, (w + 1) / 2)
            var expected: [Float] = []
            for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow {
                var best = -Float.infinity
                for y in (oy * 2 - 1)...(oy * 2 + 1) where y >= 0 && y < h {
                    for x in (ox * 2 - 1)...(ox * 2 + 1) where x >= 0 && x < w { best = max(best, input[(p * h + y) * w + x]) }
                }
                expected.append(best)
            } } }
            XCTAssertEqual(run(pool, input, planes: planes, h: h, w: w), expected, "\(planes)x\(h)x\(w)")
        }
    }

    func testMaxPool_manyPlanes_splitAcrossThreads_matchesPlainLoop() {
        let (planes, h, w) = (64, 33, 17)
        let input = ConvolutionKernelTests.random(planes * h * w, seed: 24)
        let pool = Pool2D(.max, kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        let (oh, ow) = pool.outputSize(height: h, width: w)
        var expected: [Float] = []
        for p in 0..<planes { for oy in 0..<oh { for ox in 0..<ow {
            var best = -Float.infinity
            for y in max(0, oy * 2 - 1)...min(h - 1, oy * 2 + 1) {
                for x in max(0, ox * 2 - 1)...min(w - 1, ox * 2 + 1) { best = max(best, input[(p * h + y) * w + x]) }
            }
            expected.append(best)
        } } }
        XCTAssertEqual(run(pool, input, planes: planes, h: h, w: w), expected)
    }

    func testAveragePool_overlappingStripes_matchesReference() {
        let (planes, h, w) = (2, 16, 3)
        let input = ConvolutionKernelTests.random(planes * h * w, seed: 22)
        let pool = Pool2D(.average, kernel: (6, 3), stride: (2, 3))
        var expected: [Float] = []
        for p in 0..<planes { for s in 0..<6 {
            var sum: Double = 0
            for y in (2 * s)..<(2 * s + 6) { for x in 0..<w { sum += Double(input[(p * h + y) * w + x]) } }
            expected.append(Float(sum / 18))
        } }
        ConvolutionKernelTests.assertClose(run(pool, input, planes: planes, h: h, w: w), expected, "stripes pool")
    }

    func testStripeGeometry_pythonTwoIntegerRule() {
        XCTAssertTrue(Pooling.stripeGeometry(height: 24) == (4, 4))
        XCTAssertTrue(Pooling.stripeGeometry(height: 16) == (6, 2))
        XCTAssertTrue(Pooling.stripeGeometry(height: 8) == (3, 1))
    }

    /// The descriptor poolings on a CNHW map of `batch` images, against Double references.
    func testDescriptorPoolings_matchReference() {
        let (channels, batch, h, w) = (7, 3, 16, 3)
        let map = ConvolutionKernelTests.random(channels * batch * h * w, seed: 23).map { max($0, 0) * 4 }
        for pooling in Pooling.allCases {
            for n in 0..<batch {
                var out = [Float](repeating: .nan, count: pooling.dimension(channels: channels))
                var weights = [Float](repeating: 0, count: Pooling.scratchCount(channels: channels, height: h, width: w))
                let peak = map.withUnsafeBufferPointer { m in
                    pooling.pool(map: m.baseAddress! + n * h * w, channelStride: batch * h * w, channels: channels,
                                 height: h, width: w, into: &out, weights: &weights)
                }
                func x(_ c: Int, _ i: Int) -> Double { Double(map[(c * batch + n) * h * w + i]) }
                var expected: [Double] = []
                var expectedPeak = 0.0
                switch pooling {
                case .average:
                    expected = (0..<channels).map { c in (0..<(h * w)).map { x(c, $0) }.reduce(0, +) / Double(h * w) }
                case .softmax, .normalized:
                    let s = (0..<(h * w)).map { i in (0..<channels).map { x($0, i) }.reduce(0, +) }
                    let a: [Double]
                    if pooling == .softmax {
                        let e = s.map { exp($0 - s.max()!) }
                        a = e.map { $0 / e.reduce(0, +) }
                    } else {
                        let m = s.map { $0 / Double(channels) }
                        a = m.map { $0 / m.reduce(0, +) }
                    }
                    expectedPeak = a.max()!
                    expected = (0..<channels).map { c in (0..<(h * w)).map { x(c, $0) * a[$0] }.reduce(0, +) / Double(h * w) }
                case .stripes:
                    var stripes = [[Double]](repeating: [], count: 6)
                    for p in 0..<6 {
                        stripes[p] = (0..<channels).map { c in
                            ((2 * p * w)..<((2 * p + 6) * w)).map { x(c, $0) }.reduce(0, +) / Double(6 * w)
                        }
                        let norm = stripes[p].map { $0 * $0 }.reduce(0, +).squareRoot()
                        stripes[p] = stripes[p].map { $0 / norm }
                    }
                    expected = (0..<(channels * 6)).map { stripes[$0 % 6][$0 / 6] }
                }
                if pooling != .stripes {
                    let norm = expected.map { $0 * $0 }.reduce(0, +).squareRoot()
                    expected = expected.map { $0 / norm }
                }
                ConvolutionKernelTests.assertClose(out, expected.map(Float.init), "\(pooling) image \(n)")
                XCTAssertEqual(Double(peak), expectedPeak, accuracy: 1e-5, "\(pooling) peak")
            }
        }
    }

    /// A collapsed softmax attention (PFSA.md) puts positions 87 to 104 below the top score: their
    /// exponentials are subnormal floats, and every product with one took a microcode assist (pooling a
    /// ResNet-50 map ran 8-19 times slower). Those weights count as 0: the embedding stays within the
    /// Double reference's bound (which keeps them), and the attention map holds no subnormal weight.
    func testSoftmaxPooling_collapsedAttention_leavesNoSubnormalWeights() {
        let (channels, h, w) = (4, 4, 4)
        // Position scores (sums over channels): the top at 200, then 200 − 90, −95, −100 (subnormal
        // exponentials), −120 (underflows to 0 anyway) and the rest within 20 of the top.
        let below: [Float] = [0, 90, 95, 100, 120, 5, 10, 15, 20, 3, 7, 12, 18, 1, 2, 4]
        var map = [Float](repeating: 0, count: channels * h * w)
        for i in 0..<(h * w) { for c in 0..<channels { map[c * h * w + i] = (200 - below[i]) / Float(channels) + Float(c) * 0.01 } }
        var out = [Float](repeating: .nan, count: channels)
        var weights = [Float](repeating: 0, count: Pooling.scratchCount(channels: channels, height: h, width: w))
        let peak = Pooling.softmax.pool(map: map, channelStride: h * w, channels: channels, height: h, width: w,
                                        into: &out, weights: &weights)
        let attention = Array(weights.prefix(h * w))
        XCTAssertEqual(attention.filter { $0 != 0 && $0 < Float.leastNormalMagnitude }, [], "subnormal weights in \(attention)")
        XCTAssertEqual(attention[1], 0, "a weight of e^-90 counts as 0")
        let s = (0..<(h * w)).map { i in (0..<channels).map { Double(map[$0 * h * w + i]) }.reduce(0, +) }
        let e = s.map { exp($0 - s.max()!) }
        let a = e.map { $0 / e.reduce(0, +) }
        var expected = (0..<channels).map { c in (0..<(h * w)).map { Double(map[c * h * w + $0]) * a[$0] }.reduce(0, +) / Double(h * w) }
        let norm = expected.map { $0 * $0 }.reduce(0, +).squareRoot()
        expected = expected.map { $0 / norm }
        ConvolutionKernelTests.assertClose(out, expected.map(Float.init), "collapsed softmax")
        XCTAssertEqual(Double(peak), a.max()!, accuracy: 1e-5)
    }
}
