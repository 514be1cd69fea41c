import Foundation
import SeededRandom

/// The one seeded random source of every test target, so generated inputs are the same on every run
/// and platform: SeededRandom's SplitMix64, plus the Gaussian draw the tests use.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    public init(seed: UInt64) { base = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { base.next() }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { base.unit() }

    /// A normally distributed value (Box-Muller).
    public mutating func gaussian(_ sigma: Double = 1) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return sigma * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2)
    }
}
